"""Reading the user's CSV files for the powerlaw and samplesize commands: every failure is a
ScalingLabError naming the file (and the column or row), never a pandas traceback."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import scalinglab as sl

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Figure formats the plotting commands accept (matplotlib writes each).
FIGURE_FORMATS = (".png", ".svg", ".pdf")


def read_csv(path: Path) -> pd.DataFrame:
    import pandas as pd     # here, not at the top: `scalinglab --help` loads no pandas
    try:
        df = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise sl.ScalingLabError(f"{path}: the file is empty (expected a header line and rows)") from None
    except UnicodeDecodeError as exc:
        raise sl.ScalingLabError(f"{path}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8") from None
    except pd.errors.ParserError as exc:
        raise sl.ScalingLabError(f"{path}: not a well-formed CSV ({str(exc).strip().splitlines()[-1]})") from None
    except (OSError, ValueError) as exc:
        raise sl.ScalingLabError(f"{path}: cannot be read as CSV ({exc})") from None
    if df.empty:
        raise sl.ScalingLabError(f"{path}: no data rows below the header")
    return df


def numeric_column(df: pd.DataFrame, column: str, path: Path) -> np.ndarray:
    """One column as finite floats; names the column and the file line of the first bad cell."""
    import numpy as np
    import pandas as pd
    from pandas.api.types import is_bool_dtype, is_numeric_dtype
    if column not in df.columns:
        raise sl.ScalingLabError(f"{path}: column {column!r} not found; the table has {list(df.columns)}")
    values = df[column]
    if is_bool_dtype(values) or not is_numeric_dtype(values):
        bad = pd.to_numeric(values, errors="coerce").isna() & values.notna()
        first = values[bad].iloc[0] if bad.any() else values.iloc[0]
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 2 if bad.any() else 2
        raise sl.ScalingLabError(f"{path}: column {column!r} must hold numbers; line {line} has {first!r}")
    x = values.to_numpy(float)
    bad = ~np.isfinite(x)
    if bad.any():
        line = int(np.flatnonzero(bad)[0]) + 2
        raise sl.ScalingLabError(f"{path}: column {column!r} has {int(bad.sum())} empty, NaN or infinite cells "
                                 f"(first on line {line}); remove or fill them")
    return x


def numeric_frame(df: pd.DataFrame, columns, path: Path) -> np.ndarray:
    """The given columns (default: every numeric one) as a finite 2-D float array."""
    import numpy as np
    from pandas.api.types import is_bool_dtype, is_numeric_dtype
    if columns:
        names = list(columns)
    else:
        names = [c for c in df.columns if is_numeric_dtype(df[c]) and not is_bool_dtype(df[c])]
        if not names:
            raise sl.ScalingLabError(f"{path}: no numeric column in {list(df.columns)}")
    return np.column_stack([numeric_column(df, c, path) for c in names])


def figure_path(path: Path | None) -> Path | None:
    """Refuse an unknown figure format or a missing folder before any work is done."""
    if path is None:
        return None
    if path.suffix.lower() not in FIGURE_FORMATS:
        raise sl.ScalingLabError(f"--plot {path}: the format comes from the extension; use one of "
                                 f"{', '.join(FIGURE_FORMATS)}")
    if not path.parent.exists() or path.is_dir():
        raise sl.ScalingLabError(f"--plot {path}: the folder does not exist or the path is a folder")
    return path
