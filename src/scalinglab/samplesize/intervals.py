"""Sample size from the width of an interval, per partition of the input space (the
"statistical approach" of the source notes, with its formulas corrected).

For normal responses with noise σ and a (1 − α) level, z = Φ⁻¹(1 − α/2):

* prediction interval for one new observation: PIW = 2·z·σ·√(1 + 1/N), so
  N = 1 / ((PIW / (2zσ))² − 1); impossible when PIW <= 2zσ (no N makes the interval that
  narrow: the noise of a single observation alone is wider);
* interval for the mean: W = 2·z·σ/√N, so N = (2zσ/W)², or with Student's t
  (W = 2·t_{N−1}·σ/√N), solved numerically;
* proportions: the Wilson score interval (Wilson 1927) of width W at p, solved for N;
* majority label: the smallest N at which the majority label of a partition (share
  p = 1/2 + m for margin m) wins a strict majority of N draws with probability >= 1 − α
  (exact binomial).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from ..errors import ScalingLabError
from ._checks import finite_answer, real, whole

__all__ = ["IntervalSize", "prediction_interval_n", "mean_interval_n", "proportion_interval_n", "majority_n",
           "PartitionPlan", "partitions_n"]


@dataclass(frozen=True)
class IntervalSize:
    """A sample size from an interval width; ``possible`` is False (and ``n`` inf) when no
    sample size can make the interval that narrow, with the reason in ``note``."""

    n: float
    what: str
    note: str

    @property
    def possible(self) -> bool:
        return bool(np.isfinite(self.n))

    @property
    def n_required(self) -> float:
        return float(math.ceil(self.n - 1e-9)) if self.possible else math.inf

    def __str__(self) -> str:
        if not self.possible:
            return f"{self.what}: impossible. {self.note}"
        return f"{self.what}: N = {self.n_required:.0f} (exactly {self.n:.4f}). {self.note}"


def _z(level: float) -> float:
    real("level", level, low=0, high=1)
    z = float(stats.norm.ppf(0.5 + level / 2))
    if not (np.isfinite(z) and z > 0):
        raise ScalingLabError(f"level {level!r} is too close to 0 or 1 for a normal quantile (e.g. 0.95)")
    return z


def _positive(**values) -> None:
    for name, value in values.items():
        real(name, value, low=0)


def _square(value: float) -> float:
    """value² as a float that overflows to inf (refused by ``finite_answer``) instead of raising."""
    with np.errstate(over="ignore"):
        return float(np.float64(value) * np.float64(value))


#: Beyond this many samples the t quantile equals z to 1e-12 and Wilson's width equals Wald's:
#: the closed forms are used instead of a root search.
LARGE_N = 1e12


def prediction_interval_n(width: float, sigma: float, *, level: float = 0.95) -> IntervalSize:
    """N for a (level) prediction interval of one new observation of width ``width``.

    >>> round(prediction_interval_n(4.2, 1.0).n, 3)   # 2·1.96·√(1 + 1/N) = 4.2
    6.757
    """
    _positive(width=width, sigma=sigma)
    z = _z(level)
    with np.errstate(over="ignore"):
        ratio = float(np.float64(width) / (2 * z * np.float64(sigma)))
    what = f"prediction interval of width {width:g} at {level:.0%} (sigma {sigma:g})"
    if ratio <= 1:
        return IntervalSize(math.inf, what, f"Even with infinite data the interval is 2·z·σ = {2 * z * sigma:.4g} "
                                            "wide: the noise of one observation sets the floor. Reduce the noise "
                                            "or accept a wider interval.")
    return IntervalSize(finite_answer(1.0 / (_square(ratio) - 1.0), what), what,
                        "Normal responses, known σ; N = 1/((PIW/(2zσ))² − 1).")


def mean_interval_n(width: float, sigma: float, *, level: float = 0.95, method: str = "z") -> IntervalSize:
    """N for a (level) confidence interval of the mean of width ``width``: (2zσ/W)² with
    ``method="z"``, or the t-based N (W = 2·t_{N−1}·σ/√N) with ``method="t"``.

    >>> round(mean_interval_n(0.392, 1.0).n, 3)        # (2·1.96/0.392)² = 100
    99.996
    """
    _positive(width=width, sigma=sigma)
    z = _z(level)
    what = f"interval for the mean of width {width:g} at {level:.0%} (sigma {sigma:g}, {method})"
    with np.errstate(over="ignore", under="ignore"):
        n_z = finite_answer(_square(np.float64(2 * z) * sigma / width), what)
    if method == "z":
        return IntervalSize(n_z, what, "Normal responses, known σ; N = (2zσ/W)².")
    if method != "t":
        raise ScalingLabError(f"method must be 'z' or 't', got {method!r}")

    def gap(n):
        return 2 * stats.t.ppf(0.5 + level / 2, n - 1) * sigma / math.sqrt(n) - width

    if n_z > LARGE_N:     # t_(N-1) = z + (z³ + z)/(4(N-1)) + ...: N = n_z + (z² + 1)/2 to double precision
        return IntervalSize(n_z + (z * z + 1) / 2, what, "Normal responses, σ estimated from the sample "
                            "(Student's t; at this size t equals z up to a (z² + 1)/2 correction).")
    hi = max(4.0, 4 * n_z + 10)
    while gap(hi) > 0:
        hi *= 4
    n = optimize.brentq(gap, 1.0 + 1e-9, hi, xtol=1e-12) if gap(1.0 + 1e-9) > 0 else 1.0
    return IntervalSize(n, what, "Normal responses, σ estimated from the sample (Student's t), solved numerically.")


def proportion_interval_n(width: float, *, p: float = 0.5, level: float = 0.95,
                          method: str = "wilson") -> IntervalSize:
    """N for an interval of a proportion near ``p`` of width ``width``: Wilson score interval
    (default), or the Wald interval N = z²·p(1−p)·(2/W)². p = 0.5 is the worst case.

    >>> round(proportion_interval_n(0.1, method="wald").n, 2)   # 1.96²·0.25·400
    384.15
    """
    _positive(width=width)
    p, width = real("p", p, low=0, high=1), float(width)
    if width >= 1:
        raise ScalingLabError(f"a proportion's interval is narrower than 1; got width {width!r}")
    z = _z(level)
    what = f"interval of a proportion near {p:g} of width {width:g} at {level:.0%} ({method})"
    with np.errstate(over="ignore"):
        wald = finite_answer(z * z * p * (1 - p) * _square(2 / np.float64(width)), what)
    if method == "wald":
        return IntervalSize(wald, what, "Normal approximation to the binomial (poor for small N or p near 0 or 1).")
    if method != "wilson":
        raise ScalingLabError(f"method must be 'wilson' or 'wald', got {method!r}")

    def wilson_width(n):
        # 2z·sqrt(p(1−p)/n + z²/(4n²)) / (1 + z²/n), multiplied through by n so that it is
        # finite down to n = 0, where it equals 1 (a wide enough width needs almost no samples)
        return 2 * z * math.sqrt(p * (1 - p) * n + z * z / 4) / (n + z * z)

    if wald > LARGE_N:
        return IntervalSize(wald, what, "Wilson score interval (Wilson 1927); at this size its width equals "
                                        "the Wald interval's.")
    hi = 10 * wald + 100
    while wilson_width(hi) > width:          # near p = 0 or 1 Wilson needs more than Wald
        hi *= 4
    n = optimize.brentq(lambda n: wilson_width(n) - width, 0.0, hi, xtol=1e-10)
    return IntervalSize(n, what, "Wilson score interval (Wilson 1927), width at p̂ = p.")


def majority_n(margin: float, *, level: float = 0.95, max_n: int = 10_000_000) -> IntervalSize:
    """Smallest N such that a partition whose majority label has share 1/2 + ``margin`` shows
    that label in a strict majority of N labelled samples with probability >= ``level``
    (exact binomial; two labels, or the majority against all others together).

    >>> majority_n(0.1).n     # p = 0.6
    75.0
    """
    real("margin (share of the majority minus 1/2)", margin, low=0, high=0.5)
    max_n = whole("max_n", max_n, 1)
    _z(level)
    p = 0.5 + margin
    what = f"labels to identify a majority of share {p:g} with probability {level:.0%}"

    def ok(n):
        return stats.binom.sf(n // 2, n, p) >= level          # P(X > n/2)

    guess = (stats.norm.ppf(level) / (2 * margin)) ** 2 * 0.8 if level > 0.5 else 1.0
    if not guess <= max_n:
        return IntervalSize(math.inf, what, f"not reached below {max_n:,} samples (about {guess / 0.8:.3g} needed)")
    n = max(1, int(guess))
    while not ok(n):
        n = int(n * 1.5) + 1
        if n > max_n:
            return IntervalSize(math.inf, what, f"not reached below {max_n:,} samples")
    lo = 1
    while lo < n:                                          # smallest n that works (monotone in steps)
        mid = (lo + n) // 2
        if ok(mid):
            n = mid
        else:
            lo = mid + 1
    # the binomial majority probability is not monotone between odd and even N: take the
    # smallest N from which every larger N (checked over a window) also works
    while not all(ok(m) for m in range(n, n + 8)):
        n += 1
    # margin ** 2 underflows to 0 below 1e-154 (the property test found margin = 1e-300): divide twice
    hoeffding = math.log(1 / (1 - level)) / (2 * margin) / margin if margin > 0 else math.inf
    bound = f"{math.ceil(hoeffding)}" if math.isfinite(hoeffding) else "more samples than a float can count"
    return IntervalSize(float(n), what, f"Exact binomial; a Hoeffding bound would ask for {bound}.")


@dataclass(frozen=True)
class PartitionPlan:
    """Per-partition sample sizes (rounded up) and their total."""

    sizes: tuple[float, ...]
    total: float
    what: str

    def __str__(self) -> str:
        if not np.isfinite(self.total):
            return f"{self.what}: impossible for at least one partition (its noise alone is wider than the interval)."
        parts = ", ".join(f"{s:.0f}" for s in self.sizes)
        return f"{self.what}: {self.total:.0f} samples in all ({parts} per partition)."


def partitions_n(sigmas, width: float, *, kind: str = "prediction", level: float = 0.95,
                 method: str = "z") -> PartitionPlan:
    """Total N over K partitions with noise σ_k each (unequal variances allowed): Σ_k N_k with
    N_k from :func:`prediction_interval_n` (``kind="prediction"``) or
    :func:`mean_interval_n` (``kind="mean"``), each rounded up.

    >>> partitions_n([1.0, 1.0, 2.0], 0.8, kind="mean").total   # 25 + 25 + 97
    147.0
    """
    sigmas = np.atleast_1d(np.asarray(sigmas, float))
    if sigmas.ndim != 1 or len(sigmas) == 0:
        raise ScalingLabError("sigmas must be one noise level per partition")
    if kind == "prediction":
        sizes = [prediction_interval_n(width, s, level=level).n_required for s in sigmas]
    elif kind == "mean":
        sizes = [mean_interval_n(width, s, level=level, method=method).n_required for s in sigmas]
    else:
        raise ScalingLabError(f"kind must be 'prediction' or 'mean', got {kind!r}")
    return PartitionPlan(tuple(sizes), float(np.sum(sizes)),
                         f"{kind} intervals of width {width:g} at {level:.0%} over {len(sigmas)} partitions")
