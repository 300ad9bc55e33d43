"""Curves from a user's CSV file for the commands that fit them (fit, plan, backtest, extrapolate).

A file often holds several curves: ``study export`` writes every estimator (and model size) of a
study into one table. Fitting such a file as one curve pools the curves into a number that
describes none of them, so :func:`read_curves` refuses a file whose rows come from several
curves unless ``--curve COL`` names the column that tells them apart (one curve per value).
Signs of several curves: a column named like :data:`CURVE_COLUMNS` with more than one value, or
two rows with the same size and seed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import scalinglab as sl

if TYPE_CHECKING:
    import pandas as pd

from ._common import reading

__all__ = ["read_curves", "check_one_curve", "has_several", "suffixed", "CURVE_COLUMNS"]

#: Column names that, with more than one value, say the rows belong to several curves.
CURVE_COLUMNS = ("estimator", "learner", "model", "model_size", "method", "curve", "study", "dataset", "task",
                 "group", "openmlid")
SEED_COLUMN = "seed"


def _lines(index, most: int = 3) -> str:
    shown = ", ".join(str(i) for i in list(index)[:most])
    return shown + (f" and {len(index) - most} more" if len(index) > most else "")


def _values(values, most: int = 4) -> str:
    shown = ", ".join(str(v) for v in list(values)[:most])
    return shown + (f" and {len(values) - most} more" if len(values) > most else "")


def check_one_curve(file: Path, df: pd.DataFrame, x_cols: list[str], seed: str | None, where: str = "") -> None:
    """Refuse rows of ``df`` (labelled by file line) that come from several curves."""
    for col in df.columns:
        if col.lower() in CURVE_COLUMNS and col not in x_cols:
            distinct = sorted(df[col].dropna().astype(str).unique())
            if len(distinct) > 1:
                raise sl.ScalingLabError(
                    f"{file}{where}: column {col!r} has {len(distinct)} values ({_values(distinct)}), so the rows "
                    f"are {len(distinct)} curves and one fit would pool them; fit one curve per value with "
                    f"--curve {col}, or keep the rows of one {col}")
    seed_col = seed or (SEED_COLUMN if SEED_COLUMN in df.columns else None)
    if seed_col is None or seed_col not in df.columns:
        return
    keys = df[[*x_cols, seed_col]].astype(str)
    repeated = keys[keys.duplicated(keep=False)]
    if len(repeated):
        first = repeated.iloc[0]
        same = repeated[(repeated == first).all(axis=1)].index
        pair = ", ".join(f"{c}={first[c]}" for c in repeated.columns)
        raise sl.ScalingLabError(
            f"{file}{where}: {len(repeated)} rows repeat a (size, seed) pair, e.g. lines {_lines(same)} ({pair}): "
            "one seed has one run per size, so these rows are several curves; name the column that tells them "
            "apart with --curve COL")


def read_curves(file: Path, *, x: str | list[str], y: str, curve: str | None = None, seed: str | None = None,
                **options) -> dict[str, sl.Curve]:
    """The curves in ``file``: one (named "") without ``curve``, else one per value of column
    ``curve``, in sorted order. ``options`` go to :meth:`scalinglab.Curve.from_frame`."""
    import pandas as pd     # here, not at the top: `scalinglab --help` loads no pandas
    x_cols = [x] if isinstance(x, str) else list(x)
    with reading(file):
        if curve is None:
            found = {"": sl.Curve.from_csv(file, x=x, y=y, seed=seed, **options)}
        else:
            found = dict(sl.CurveSet.from_csv(file, by=curve, x=x, y=y, seed=seed, **options))
        header = pd.read_csv(file, nrows=0).columns
        wanted = [c for c in header if c.lower() in CURVE_COLUMNS or c in (*x_cols, seed, curve, SEED_COLUMN)]
        df = pd.read_csv(file, usecols=wanted, index_col=False)
    df.index = df.index + 2                      # file lines, as Curve.from_csv labels rows
    if curve is None:
        check_one_curve(file, df, x_cols, seed)
        return found
    unnamed = df.index[df[curve].isna()]
    if len(unnamed):
        raise sl.ScalingLabError(f"{file}: column {curve!r} (--curve) is empty on line(s) {_lines(unnamed)}; "
                                 "every row needs the name of its curve")
    for name, part in df.groupby(df[curve].astype(str), sort=True):
        check_one_curve(file, part.drop(columns=[curve]), x_cols, seed, where=f" (curve {name})")
    return found


def has_several(curves: dict) -> bool:
    return len(curves) > 1 or "" not in curves


def suffixed(path: Path, name: str, stems: dict[str, str]) -> Path:
    """``path`` for curve ``name``: ``fit.json`` -> ``fit-logreg.json`` (stem made safe and unique)."""
    return path.with_name(f"{path.stem}-{stems[name]}{path.suffix}")

