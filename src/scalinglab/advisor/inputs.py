"""What the advisor reads: the scenario name and the files a team may already have (an
unlabeled feature matrix, a pilot CSV, a study database)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..curves import Curve
from ..errors import ScalingLabError

__all__ = ["SCENARIOS", "scenario_name", "load_matrix", "load_pilot", "load_study_curve"]

#: The four situations of a team starting a project, by name, with the aliases accepted.
SCENARIOS = {
    "reuse": "the exact problem was solved before, or usable data exist as is",
    "transfer": "a similar problem was solved in another domain",
    "unlabeled": "plenty of unlabeled data",
    "pilot": "nothing similar exists",
}
_ALIASES = {"1": "reuse", "solved": "reuse", "existing": "reuse", "2": "transfer", "similar": "transfer",
            "3": "unlabeled", "unlabelled": "unlabeled", "4": "pilot", "nothing": "pilot", "new": "pilot"}


def scenario_name(value) -> str:
    """The canonical scenario name for a name, an alias or the number 1-4."""
    key = str(value).strip().lower()
    key = _ALIASES.get(key, key)
    if key not in SCENARIOS:
        raise ScalingLabError(f"scenario must be one of {', '.join(SCENARIOS)} (or 1-4), got {value!r}")
    return key


def load_matrix(source) -> tuple[np.ndarray, str]:
    """An unlabeled feature matrix (points × features) from an array, a .npy file or a CSV of
    numeric columns; returns the matrix and where it came from."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise ScalingLabError(f"unlabeled data file not found: {path}")
        if path.suffix.lower() == ".npy":
            try:
                X = np.load(path, allow_pickle=False)
            except ValueError as exc:
                raise ScalingLabError(f"{path}: not a plain numeric .npy array ({exc})") from None
        elif path.suffix.lower() in (".csv", ".txt"):
            df = pd.read_csv(path)
            bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
            if bad:
                raise ScalingLabError(f"{path}: columns {bad[:5]} are not numeric; the unlabeled matrix must hold "
                                      "features only (drop ids and text)")
            X = df.to_numpy(float)
        else:
            raise ScalingLabError(f"{path}: unlabeled data must be a .npy or .csv file, got {path.suffix!r}")
        where = str(path)
    else:
        X, where = np.asarray(source), "the array given"
    if X.dtype.kind not in "iuf":
        raise ScalingLabError(f"{where}: the unlabeled matrix must be numeric, got dtype {X.dtype}")
    X = np.asarray(X, float)
    if X.ndim != 2 or X.shape[0] < 10 or X.shape[1] < 1:
        raise ScalingLabError(f"{where}: need a 2-D matrix of at least 10 points × 1 feature, got shape {X.shape}")
    bad_rows = np.flatnonzero(~np.all(np.isfinite(X), axis=1))
    if bad_rows.size:
        raise ScalingLabError(f"{where}: row {int(bad_rows[0])} has NaN or inf ({bad_rows.size} such rows)")
    return X, where


def load_pilot(source, *, x: str = "n", y: str = "error", seed: str | None = None,
               higher_is_better: bool = False) -> Curve:
    """A pilot learning curve from a Curve or a CSV (one row per run)."""
    if isinstance(source, Curve):
        return source
    path = Path(source)
    if not path.exists():
        raise ScalingLabError(f"pilot file not found: {path}")
    return Curve.from_csv(path, x=x, y=y, seed=seed, higher_is_better=higher_is_better)


def load_study_curve(db, *, study: str | None = None, curve: str | None = None) -> tuple[Curve, str]:
    """One curve of a stored study, read with :meth:`scalinglab.Study.open` (read-only; the
    store's only study unless named; the study's only curve unless named); returns the curve
    and its label."""
    from ..experiment import Study
    stored = Study.open(str(db), study)
    curves = stored.curves()
    if curve is None:
        if len(curves) > 1:
            raise ScalingLabError(f"study {stored.name!r} has {len(curves)} curves ({', '.join(curves)}): name one "
                                  "with curve=")
        curve = next(iter(curves))
    if curve not in curves:
        raise ScalingLabError(f"study {stored.name!r} has no curve {curve!r}; it has {', '.join(curves)}")
    return curves[curve], f"{stored.name}/{curve}"
