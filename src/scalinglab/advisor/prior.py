r"""The size for a target before there is data: a power law through an anchor point, with an
exponent drawn from a prior.

With an anchor (n₀, e₀) — a point on a similar problem's curve, a quick baseline, or (for
classification with K classes, when nothing else is known) chance error 1 − 1/K at n₀ = K,
a pessimistic anchor — and a target e < e₀, a pure power law e(n) = e₀ (n/n₀)^(−b) gives

.. math:: n = n_0 \, (e_0 / e)^{1/b}.

The exponent b is uncertain: it is drawn from a normal prior (the published exponents of
similar tasks: their median and spread, as :func:`scalinglab.literature.make_prior` builds
them; or 1/d from an intrinsic dimension d, a heuristic), truncated to b >= 0.01, and the
interval of n is the percentile interval over the draws. A pure power law has no floor, so
this is optimistic whenever the target is near the irreducible error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..defaults import LEVEL
from .._jsonable import jsonable
from ..errors import ScalingLabError
from ..plan._common import check_level, interval, num, span

__all__ = ["SizePrediction", "predict_size", "MIN_EXPONENT", "PRIOR_DRAWS"]

MIN_EXPONENT = 0.01
PRIOR_DRAWS = 4000


@dataclass(frozen=True)
class SizePrediction:
    """A predicted size for the target with its interval, and where the numbers came from."""

    n: float
    interval: tuple[float, float]
    level: float
    exponent: float
    exponent_interval: tuple[float, float]
    anchor: tuple[float, float]
    source: str
    target: float

    def __str__(self) -> str:
        return (f"about {num(self.n)} samples for {num(self.target)} ({self.level:.0%} interval {span(self.interval)}), "
                f"from {self.source}")

    def to_dict(self) -> dict:
        return jsonable({**self.__dict__, "summary": str(self)})


def predict_size(target: float, anchor: tuple[float, float], exponent_mean: float, exponent_sd: float, *,
                 source: str, level: float = LEVEL, seed: int = 0) -> SizePrediction:
    """n = n₀ (e₀/target)^(1/b) with b ~ N(mean, sd²) truncated at 0.01 (see the module docstring).

    >>> p = predict_size(0.05, (100, 0.2), 0.5, 1e-9, source="a test")
    >>> round(p.n)
    1600
    """
    level = check_level(level)
    n0, e0 = (float(v) for v in anchor)
    if not (np.isfinite(n0) and n0 > 0 and np.isfinite(e0) and e0 > 0):
        raise ScalingLabError(f"the anchor (n, error) must be two positive numbers, got {anchor!r}")
    target = float(target)
    if not (np.isfinite(target) and target > 0):
        raise ScalingLabError(f"target must be a positive number, got {target!r}")
    if target >= e0:
        raise ScalingLabError(f"the target {target:g} is not below the anchor's error {e0:g}: the anchor size "
                              f"{n0:g} already reaches it")
    if not (np.isfinite(exponent_mean) and np.isfinite(exponent_sd) and exponent_sd >= 0):
        raise ScalingLabError(f"the exponent prior needs a finite mean and sd >= 0, got ({exponent_mean}, {exponent_sd})")
    rng = np.random.default_rng(seed)
    b = np.maximum(rng.normal(exponent_mean, exponent_sd, PRIOR_DRAWS), MIN_EXPONENT)
    with np.errstate(over="ignore"):
        n_draws = n0 * (e0 / target) ** (1.0 / b)
    b_point = max(float(exponent_mean), MIN_EXPONENT)
    return SizePrediction(n=float(n0 * (e0 / target) ** (1.0 / b_point)), interval=interval(n_draws, level),
                          level=level, exponent=b_point, exponent_interval=interval(b, level), anchor=(n0, e0),
                          source=source, target=target)
