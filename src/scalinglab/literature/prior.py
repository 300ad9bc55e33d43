"""Priors on a law's exponent (and floor) for MAP fits when data are scarce.

A prior is a normal distribution per parameter, N(mean, sd²), in the parameter's natural
units. The fit then minimises, in log space,

    Σ_i r_i² + Σ_j (s/σ_j)² (θ_j − μ_j)²

i.e. the negative log posterior under Gaussian noise of standard deviation s on log y (s is
estimated from replicates, or from the residuals of the unregularised fit). Literature priors
take the matching published exponents: mean = their median, sd = their standard deviation
(at least 0.05); a single row gives sd = max(0.25 × exponent, 0.05).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ScalingLabError

MIN_SD = 0.05
SINGLE_ROW_SD = 0.25


@dataclass(frozen=True)
class Prior:
    targets: Mapping[str, tuple[float, float]]       # parameter -> (mean, sd), natural units
    source: str

    def __str__(self) -> str:
        parts = ", ".join(f"{k} ~ N({m:.4g}, {s:.3g}²)" for k, (m, s) in self.targets.items())
        return f"prior {parts} ({self.source})"


def _user_note(rows: pd.DataFrame) -> str:
    """What a prior's summary says when rows of the user's own (not shipped) were among its rows."""
    if rows is None or "source" not in rows.columns:
        return ""
    mine = rows.loc[(rows["source"] != "shipped") & rows["exponent_pos"].notna(), "source"]
    if mine.empty:
        return ""
    return f"; including {len(mine)} row(s) of your own from {', '.join(sorted(set(mine)))}"


def exponent_parameter(law, x: str = "data") -> tuple[str, float]:
    """(parameter name, sign): the law's exponent for ``x`` and the sign that turns the
    positive published exponent into the parameter's value."""
    table = getattr(law, "exponents", {})
    if x not in table:
        raise ScalingLabError(f"law {law.name!r} has no {x} exponent to put a prior on "
                              f"(it has: {', '.join(table) or 'none'}); give a dict prior instead")
    return table[x]


def make_prior(spec, law, *, x: str = "data") -> Prior:
    """A :class:`Prior` from a Prior, a dict {param: (mean, sd)}, a literature row (Series),
    or "literature:<description>" (see :func:`scalinglab.literature.similar`)."""
    if isinstance(spec, Prior):
        prior = spec
    elif isinstance(spec, Mapping):
        prior = Prior({k: (float(v[0]), float(v[1])) for k, v in spec.items()}, "given by hand")
    elif isinstance(spec, pd.Series):
        name, sign = exponent_parameter(law, x)
        mu = float(spec["exponent_pos"])
        if not np.isfinite(mu):
            raise ScalingLabError(f"this literature row has no numeric exponent: {spec['exponent']!r}")
        prior = Prior({name: (sign * mu, max(SINGLE_ROW_SD * mu, MIN_SD))}, f"row: {spec['citation']}")
    elif isinstance(spec, str) and spec.startswith("literature:"):
        from .search import similar
        question = spec.split(":", 1)[1].strip()
        matches = similar(question, x=x, kind="loss")
        rows = matches.best_rows if matches.best_rows is not None else matches.rows
        exps = rows["exponent_pos"].dropna().to_numpy(float) if rows is not None else np.array([])
        if exps.size == 0:
            raise ScalingLabError(f"no published {x} exponent matches {question!r}; try sl.literature.similar(...)")
        name, sign = exponent_parameter(law, x)
        sd = max(float(np.std(exps, ddof=1)), MIN_SD) if exps.size > 1 else max(SINGLE_ROW_SD * exps[0], MIN_SD)
        prior = Prior({name: (sign * float(np.median(exps)), sd)},
                      f"{exps.size} published fit(s) like {question!r}: " +
                      "; ".join(sorted(set(rows['citation'].str.split(',').str[0]))) + _user_note(rows))
    else:
        raise ScalingLabError("prior must be a dict {param: (mean, sd)}, a literature row, a Prior, or "
                              "'literature:<task description>'")
    for name, (mean, sd) in prior.targets.items():
        if name not in law.param_names:
            raise ScalingLabError(f"prior on {name!r}, which is not a parameter of {law.name} {law.param_names}")
        if not (np.isfinite(mean) and np.isfinite(sd) and sd > 0):
            raise ScalingLabError(f"prior on {name!r} needs a finite mean and sd > 0, got ({mean}, {sd})")
    return prior
