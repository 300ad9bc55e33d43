"""Plain JSON-able values for the ``to_dict()`` of result objects (NaN -> None, inf -> "inf")."""

from __future__ import annotations

import numpy as np
import pandas as pd


def jsonable(value):
    """A number, string, list or dict with numpy types and non-finite floats made JSON-safe."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if np.isnan(value) else (("inf" if value > 0 else "-inf") if np.isinf(value) else value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def records(df: pd.DataFrame) -> list[dict]:
    """The rows of a table as JSON-safe dicts."""
    return [jsonable(r) for r in df.to_dict(orient="records")]
