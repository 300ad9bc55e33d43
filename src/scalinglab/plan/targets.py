"""How much data for a target, and what k times more data buys."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ScalingLabError
from ..fit.result import FitResult
from ._common import check_level, interval, num, require_one_input, span, with_draws

__all__ = ["DataEstimate", "GainEstimate", "data_for", "gain"]


@dataclass(frozen=True)
class DataEstimate:
    """Answer of :func:`data_for`. ``n`` is inf when the target is at or below the floor."""

    target: float
    n: float
    interval: tuple[float, float]
    reachable_share: float
    floor: float
    floor_interval: tuple[float, float]
    largest_measured: float
    level: float
    metric: str

    @property
    def reachable(self) -> bool:
        return bool(np.isfinite(self.n))

    def __str__(self) -> str:
        pct = f"{self.level:.0%}"
        if not self.reachable:
            return (f"{self.metric} {num(self.target)} is at or below the estimated floor {num(self.floor)} "
                    f"({pct} interval {span(self.floor_interval)}): more data "
                    f"alone will not get there (reachable in {self.reachable_share:.0%} of bootstrap draws).")
        if self.n <= self.largest_measured:
            where = "already within the sizes measured"
        else:
            where = f"{self.n / self.largest_measured:.3g}× the largest size measured"
        return (f"Reaching {self.metric} {num(self.target)} needs about {num(self.n)} samples ({pct} interval "
                f"{span(self.interval)}; reachable in {self.reachable_share:.0%} of "
                f"bootstrap draws); that is {where}.")


def data_for(fit: FitResult, target: float, *, level: float = 0.8) -> DataEstimate:
    """Smallest size at which the fitted law reaches ``target`` (inverting the law), with a
    percentile interval over the bootstrap draws and the share of draws that reach it at all.

    The upper end of the interval is inf when more than (1 - level)/2 of the draws never
    reach the target. ``fit`` is bootstrapped (1,000 draws) if it has no draws.

    >>> import numpy as np, scalinglab as sl
    >>> x = np.geomspace(100, 1e4, 8)
    >>> res = sl.fit(sl.Curve(x, 2 * x**-0.5 + 0.01), law="power_floor")
    >>> round(sl.plan.data_for(res, 0.03).n)
    10000
    """
    require_one_input(fit, "data_for")
    level = check_level(level)
    target = float(target)
    if not np.isfinite(target):
        raise ScalingLabError(f"target must be a finite number, got {target!r}")
    fit = with_draws(fit)
    law = fit.law
    n = float(np.asarray(law.solve(target, fit.theta)).reshape(-1)[0])
    per_draw = np.array([np.asarray(law.solve(target, t)).reshape(-1)[0] for t in fit.draws], float)
    per_draw = np.where(np.isnan(per_draw), np.inf, per_draw)
    floors = np.array([law.floor(t) for t in fit.draws])
    return DataEstimate(target=target, n=n, interval=interval(per_draw, level),
                        reachable_share=float(np.mean(np.isfinite(per_draw))), floor=fit.floor,
                        floor_interval=interval(floors, level), largest_measured=float(fit.curve.x.max()),
                        level=level, metric=fit.curve.metric)


@dataclass(frozen=True)
class GainEstimate:
    """Answer of :func:`gain`: the metric now and at the new size, and the improvement."""

    size_now: float
    size_new: float
    metric_now: float
    metric_new: float
    metric_new_interval: tuple[float, float]
    improvement: float
    improvement_interval: tuple[float, float]
    relative: float
    relative_interval: tuple[float, float]
    level: float
    metric: str

    def __str__(self) -> str:
        pct = f"{self.level:.0%}"
        return (f"With {self.size_new / self.size_now:.3g}× the data ({num(self.size_new)} instead of "
                f"{num(self.size_now)}), {self.metric} goes from {num(self.metric_now)} to {num(self.metric_new)} "
                f"({pct} interval {span(self.metric_new_interval)}), "
                f"{self.relative:.0%} lower ({pct} interval {self.relative_interval[0]:.0%}–"
                f"{self.relative_interval[1]:.0%}).")


def gain(fit: FitResult, *, factor: float | None = None, size: float | None = None,
         level: float = 0.8) -> GainEstimate:
    """What more data buys (Hestness et al. 2017: "if we had x times more data, how much better
    would the model be?"): the predicted metric at ``factor`` × the largest size measured (or at
    ``size``), and the improvement over the prediction at the largest size, each with a
    percentile interval over the bootstrap draws (paired draw by draw).

    >>> import numpy as np, scalinglab as sl
    >>> x = np.geomspace(100, 1e4, 8)
    >>> res = sl.fit(sl.Curve(x, 2 * x**-0.5), law="power")
    >>> round(sl.plan.gain(res, factor=4).relative, 3)   # 1 - 4**-0.5
    0.5
    """
    require_one_input(fit, "gain")
    level = check_level(level)
    if (factor is None) == (size is None):
        raise ScalingLabError("give exactly one of factor= (e.g. 10) or size= (e.g. 1e6)")
    now = float(fit.curve.x.max())
    new = now * float(factor) if factor is not None else float(size)
    if not np.isfinite(new) or new <= 0:
        raise ScalingLabError(f"the new size must be a positive number, got {new!r}")
    fit = with_draws(fit)
    y_now, y_new = fit.predict([now, new])
    draws = fit.law.predict(np.array([now, new]), fit.draws)
    improvement = draws[:, 0] - draws[:, 1]
    return GainEstimate(size_now=now, size_new=new, metric_now=float(y_now), metric_new=float(y_new),
                        metric_new_interval=interval(draws[:, 1], level), improvement=float(y_now - y_new),
                        improvement_interval=interval(improvement, level), relative=float(1 - y_new / y_now),
                        relative_interval=interval(improvement / draws[:, 0], level), level=level,
                        metric=fit.curve.metric)
