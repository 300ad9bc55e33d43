"""Published scaling-law fits as one normalised table.

The shipped CSV (``scalinglab/data/literature_scaling_laws.csv``: 87 rows from 25 papers,
values as published, with citations and a confidence column) keeps each paper's own
conventions. ``load()`` adds normalised columns:

* ``x_kind``: what the exponent scales with — "data", "params", "compute", or "other"
  (steps, loss, repetitions, languages). Joint fits are split by the exponent's name
  (alpha_N / alpha -> params, alpha_D / beta -> data).
* ``kind``: what the law predicts — "loss" (a loss or error), "allocation" (compute-optimal
  N or D against compute), "hyperparameter" (learning rate, batch size), "starting_point"
  (no fitted law: a data size a paper reports as enough to start from, e.g. instruction
  tuning from 1,000 curated pairs, or in-context example counts; ``law_form`` begins with
  "starting point"), "other".
* ``exponent_pos``: for loss laws, the positive exponent of a decreasing law (Hestness,
  Henighan and the M2 form publish negative exponents of x; Kaplan and Chinchilla positive
  ones); for allocation laws the published (positive) exponent; NaN when symbolic (4/d) or
  absent.
* ``x_min_std``, ``x_max_std``: the range in standard units — FLOPs for compute (1 PF-day =
  8.64e19 FLOPs; 1 GMAC = 2e9 FLOPs), tokens (billions converted), parameters, examples.

Rows are data: CSV files of the same columns are merged at load when asked for, and only then:
``load(extra=[path, ...])`` (the CLI's ``literature --rows FILE``), or the environment variable
``SCALINGLAB_LITERATURE`` (paths separated by the OS path separator). ``source`` says where each
row came from ("shipped" or the file), and a prior built from user rows says so. A file in the
working directory is never read by itself (a stray ``scalinglab_literature.csv`` once moved
every literature prior without a word); one named :data:`USER_FILE` there gets a warning.
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .._files import reading
from ..errors import ScalingLabError, ScalingLabWarning

COLUMNS = ["paper", "year", "venue_or_arxiv", "domain", "task", "model_family", "x_variable", "x_unit", "x_min",
           "x_max", "metric", "law_form", "exponent", "exponent_name", "other_params", "source_location",
           "confidence"]
PF_DAY_FLOPS = 1e15 * 86400
GMAC_FLOPS = 2e9
USER_FILE = "scalinglab_literature.csv"
ENV_VAR = "SCALINGLAB_LITERATURE"


def _x_kind(row) -> str:
    unit = str(row["x_unit"]).lower()
    name = str(row["exponent_name"]).lower()
    if "," in unit or " and " in str(row["x_variable"]).lower():            # a joint fit: which variable?
        if re.search(r"alpha_d|^beta|data|fine-tuning", name):
            return "data"
        if re.search(r"alpha_n|^alpha|model-size|parameter", name):
            return "params"
        return "other"
    if any(k in unit for k in ("flop", "pf-day", "gmac")):
        return "compute"
    if "parameter" in unit:
        return "params"
    if any(k in unit for k in ("token", "example", "image", "audio", "word", "character")):
        return "data"
    return "other"


def _kind(row) -> str:
    if str(row["law_form"]).lower().startswith("starting point"):
        return "starting_point"                        # a reported starting size, not a fitted law
    metric = str(row["metric"]).lower()
    if any(k in metric for k in ("learning rate", "batch size")):
        return "hyperparameter"
    if "compute-optimal" in metric or re.search(r"\b[nmd]_opt\b|n\*|n_opt", metric):
        return "allocation"
    if any(k in metric for k in ("loss", "error", "cross-entropy")):
        return "loss"
    return "other"


def _exponent_pos(row) -> float:
    try:
        value = float(row["exponent"])
    except (TypeError, ValueError):
        return np.nan                                  # symbolic (4/d) or blank
    if row["kind"] == "loss":
        return abs(value)                              # every loss law here decreases with x
    return value if row["kind"] == "allocation" else np.nan


def _standard(value, unit: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return np.nan
    unit = str(unit).lower()
    if "pf-day" in unit:
        return v * PF_DAY_FLOPS
    if "gmac" in unit:
        return v * GMAC_FLOPS
    if "billions of tokens" in unit:
        return v * 1e9
    return v


def normalise(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise ScalingLabError(f"{source}: literature rows need the columns {missing} (see the shipped CSV)")
    if raw.empty:
        raise ScalingLabError(f"{source}: no literature rows, only a header")
    df = raw[COLUMNS].copy()
    df["domain"] = df["domain"].fillna("").astype(str)           # searched as text (a user's file may hold numbers)
    df["source"] = source
    df["x_kind"] = df.apply(_x_kind, axis=1)
    df["kind"] = df.apply(_kind, axis=1)
    df["exponent_pos"] = df.apply(_exponent_pos, axis=1)
    df["x_min_std"] = [_standard(v, u) for v, u in zip(df["x_min"], df["x_unit"])]
    df["x_max_std"] = [_standard(v, u) for v, u in zip(df["x_max"], df["x_unit"])]
    df["citation"] = (df["paper"].astype(str) + " (" + df["year"].astype(str) + ", "
                      + df["venue_or_arxiv"].astype(str) + ")")
    return df


def user_files(extra: Sequence[str | Path] = ()) -> list[Path]:
    """The user's files asked for: ``extra``, then those listed in ``SCALINGLAB_LITERATURE``."""
    env = os.environ.get(ENV_VAR, "")
    paths = [(Path(p), "given") for p in extra] + [(Path(p), ENV_VAR) for p in env.split(os.pathsep) if p]
    for p, origin in paths:
        if not p.is_file():
            raise ScalingLabError(f"{origin} literature rows {p}: no such file")
    if not paths and Path(USER_FILE).is_file():
        warnings.warn(f"{USER_FILE} in the working directory is not read: literature rows of your own are used "
                      f"only when asked for ({ENV_VAR}=path, sl.literature.table(extra=[path]) or "
                      "`scalinglab literature --rows path`)", ScalingLabWarning, stacklevel=3)
    return [p for p, _ in paths]


def _read(path: Path) -> pd.DataFrame:
    with reading(path):
        return pd.read_csv(path)


@functools.lru_cache(maxsize=1)
def _shipped() -> pd.DataFrame:
    with resources.files("scalinglab.data").joinpath("literature_scaling_laws.csv").open() as fh:
        return normalise(pd.read_csv(fh), "shipped")


def load(include_user: bool = True, *, extra: Sequence[str | Path] = ()) -> pd.DataFrame:
    """The normalised table: shipped rows, then the user's rows when asked for (``extra`` files and
    ``SCALINGLAB_LITERATURE``; see the module docstring). ``include_user=False``: shipped rows only."""
    frames = [_shipped().copy()]
    if include_user:
        frames += [normalise(_read(p), str(p)) for p in user_files(extra)]
    return pd.concat(frames, ignore_index=True)
