r"""Answers from a joint size × quality fit (the ``quality`` law, x = (n, q)).

* :func:`clean_worth`: "one clean sample is worth k noisy ones at this size": the noisy curve
  at n samples of quality q = 1 − rate predicts a metric y; the clean curve reaches y at
  m = L⁻¹(y; q = 1) samples; k = n / m.
* :func:`quality_floor`: "at this noise rate the floor is ε, so no amount of data reaches the
  target": the floor c + d·rate with its interval, the share of bootstrap draws in which the
  target is reachable at that rate and the size it then needs, and the largest noise rate at
  which the target is still reachable, rate* = (target − c)/d.

Every number has a percentile interval over the fit's bootstrap draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..defaults import LEVEL
from .._jsonable import jsonable
from ..errors import ScalingLabError
from ..fitting.result import FitResult
from ..plan._common import check_level, interval, num, span

__all__ = ["CleanWorth", "QualityFloor", "clean_worth", "quality_floor"]


def _check_fit(fit) -> None:
    if not isinstance(fit, FitResult) or not hasattr(fit.law, "floor_at"):
        raise ScalingLabError("expected a fit of the joint 'quality' law: sl.fit(sl.quality.stack(curves), "
                              "law='quality')")
    if fit.draws is None or len(fit.draws) < 2:
        raise ScalingLabError("the quality fit has no bootstrap draws: call .bootstrap(1000) on it first")


def _rate(rate) -> float:
    rate = float(rate)
    if not 0 <= rate < 1:
        raise ScalingLabError(f"rate (noise rate, or 1 − quality) must be in [0, 1), got {rate!r}")
    return rate


def _solve(law, target: float, theta, q: float) -> float:
    value = float(np.asarray(law.solve(target, theta, given=q)).reshape(-1)[0])
    return np.inf if np.isnan(value) else value


@dataclass(frozen=True)
class CleanWorth:
    """Answer of :func:`clean_worth`."""

    n: float
    rate: float
    metric_value: float
    clean_equivalent: float
    clean_equivalent_interval: tuple[float, float]
    worth: float                          # noisy samples one clean sample is worth (n / clean_equivalent)
    worth_interval: tuple[float, float]
    level: float
    metric: str

    def __str__(self) -> str:
        return (f"At {num(self.n)} samples with noise rate {self.rate:g} ({self.metric} {num(self.metric_value)}), "
                f"clean data reach the same {self.metric} with about {num(self.clean_equivalent)} samples "
                f"({self.level:.0%} interval {span(self.clean_equivalent_interval)}): one clean sample is worth "
                f"{self.worth:.3g} ({span(self.worth_interval)}) noisy ones at this size.")

    def to_dict(self) -> dict:
        return jsonable({**self.__dict__, "summary": str(self)})


def clean_worth(fit: FitResult, n: float, rate: float, *, level: float = LEVEL) -> CleanWorth:
    """How many samples at noise ``rate`` one clean sample is worth at ``n`` noisy samples."""
    _check_fit(fit)
    level = check_level(level)
    rate, n = _rate(rate), float(n)
    if not (np.isfinite(n) and n > 0):
        raise ScalingLabError(f"n must be a positive size, got {n!r}")
    law, q = fit.law, 1.0 - rate
    y = float(law.predict(np.array([[n, q]]), fit.theta)[0])
    y_b = law.predict(np.array([[n, q]]), fit.draws)[:, 0]
    m = _solve(law, y, fit.theta, 1.0)
    m_b = np.array([_solve(law, v, t, 1.0) for v, t in zip(y_b, fit.draws)])
    with np.errstate(divide="ignore"):
        worth_b = n / m_b
    return CleanWorth(n=n, rate=rate, metric_value=y, clean_equivalent=m, clean_equivalent_interval=interval(m_b, level),
                      worth=n / m if m > 0 else np.inf, worth_interval=interval(worth_b, level), level=level,
                      metric=fit.curve.metric)


@dataclass(frozen=True)
class QualityFloor:
    """Answer of :func:`quality_floor`."""

    rate: float
    floor: float
    floor_interval: tuple[float, float]
    level: float
    metric: str
    target: float | None = None
    reachable_share: float | None = None
    n: float | None = None                      # size that reaches the target at this rate (inf: never)
    n_interval: tuple[float, float] | None = None
    max_rate: float | None = None               # largest noise rate at which the target is reachable
    max_rate_interval: tuple[float, float] | None = None
    max_rate_share_free: float | None = None     # share of draws whose limit is at 1 or beyond

    def __str__(self) -> str:
        pct = f"{self.level:.0%}"
        text = (f"At noise rate {self.rate:g} the floor of {self.metric} is {num(self.floor)} ({pct} interval "
                f"{span(self.floor_interval)})")
        if self.target is None:
            return text + "."
        if not np.isfinite(self.n):
            text += (f": {self.metric} {num(self.target)} is below it, so no amount of data at this quality reaches it "
                     f"(reachable in {self.reachable_share:.0%} of bootstrap draws)")
        else:
            text += (f"; {self.metric} {num(self.target)} needs about {num(self.n)} samples at this quality "
                     f"({span(self.n_interval)}; reachable in {self.reachable_share:.0%} of bootstrap draws)")
        if self.max_rate is not None and self.max_rate < 1:
            text += (f"; the target is within reach only below noise rate {self.max_rate:.3g} "
                     f"({self.max_rate_interval[0]:.3g} to {self.max_rate_interval[1]:.3g})")
        elif self.max_rate is not None:
            text += (f"; the fitted floor stays below it at every noise rate (the rate limit is at 1 or beyond; "
                     f"{self.max_rate_interval[0]:.3g} to {self.max_rate_interval[1]:.3g}, at or beyond 1 in "
                     f"{self.max_rate_share_free:.0%} of bootstrap draws)")
        return text + "."

    def to_dict(self) -> dict:
        return jsonable({**self.__dict__, "summary": str(self)})


def _max_rate(law, theta, target: float) -> float:
    """Largest degradation u with floor c + d·u < target (inf when the floor does not rise;
    the exponent must stay positive too)."""
    t = dict(zip(law.param_names, law.theta_array(theta)))
    d, c = t.get("d", 0.0), t["c"]
    limit = (target - c) / d if d > 0 else np.inf
    h = t.get("h", 0.0)
    if h < 0:                                        # exponent b + h·u reaches 0 at u = b / (-h)
        limit = min(limit, t["b"] / -h)
    return float(limit) if target > c else 0.0


def quality_floor(fit: FitResult, rate: float, *, target: float | None = None, level: float = LEVEL) -> QualityFloor:
    """The floor at noise ``rate``; with a ``target``, whether data of that quality can reach
    it, how much they need, and the largest noise rate at which it is reachable."""
    _check_fit(fit)
    level = check_level(level)
    rate = _rate(rate)
    law, q = fit.law, 1.0 - rate
    floors = np.array([law.floor_at(t, q) for t in fit.draws])
    out = dict(rate=rate, floor=law.floor_at(fit.theta, q), floor_interval=interval(floors, level), level=level,
               metric=fit.curve.metric)
    if target is not None:
        target = float(target)
        if not np.isfinite(target):
            raise ScalingLabError(f"target must be a finite number, got {target!r}")
        n_b = np.array([_solve(law, target, t, q) for t in fit.draws])
        limits = np.array([_max_rate(law, t, target) for t in fit.draws])
        point_limit = _max_rate(law, fit.theta, target)
        out.update(target=target, reachable_share=float(np.mean(np.isfinite(n_b))),
                   n=_solve(law, target, fit.theta, q), n_interval=interval(n_b, level),
                   max_rate=min(point_limit, 1.0),
                   max_rate_interval=interval(np.minimum(limits, 1.0), level),
                   max_rate_share_free=float(np.mean(limits >= 1.0)))
    return QualityFloor(**out)
