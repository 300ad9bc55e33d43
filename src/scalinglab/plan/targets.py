"""How much data for a target, and what k times more data buys."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._answer import Answer
from ..defaults import LEVEL
from ..errors import ScalingLabError
from ..fitting.result import FitResult
from ._common import check_level, check_target, interval, num, require_one_input, span, with_draws

__all__ = ["DataEstimate", "GainEstimate", "data_for", "gain"]


@dataclass(frozen=True)
class DataEstimate(Answer):
    """Answer of :func:`data_for`, in the metric's own terms. ``n`` is inf when the target is
    beyond the limit the law reaches at infinite size (``floor``: the floor of a loss, the
    ceiling of an accuracy)."""

    target: float
    n: float
    interval: tuple[float, float]
    reachable_share: float
    floor: float
    floor_interval: tuple[float, float]
    largest_measured: float
    level: float
    metric: str
    higher_is_better: bool = False
    smallest_measured: float = 0.0

    @property
    def reachable(self) -> bool:
        return bool(np.isfinite(self.n))

    def __str__(self) -> str:
        pct = f"{self.level:.0%}"
        if not self.reachable:
            where, limit = ("above", "ceiling") if self.higher_is_better else ("below", "floor")
            return (f"{self.metric} {num(self.target)} is at or {where} the estimated {limit} {num(self.floor)} "
                    f"({pct} interval {span(self.floor_interval)}): more data "
                    f"alone will not get there (reachable in {self.reachable_share:.0%} of bootstrap draws).")
        if self.n < self.smallest_measured:
            return (f"{self.metric} {num(self.target)} is already reached at the smallest size measured "
                    f"({num(self.smallest_measured)}), by the fitted law (reachable in {self.reachable_share:.0%} "
                    "of bootstrap draws).")
        if self.n <= self.largest_measured:
            where = "already within the sizes measured"
        else:
            where = f"{self.n / self.largest_measured:.3g}× the largest size measured"
        return (f"Reaching {self.metric} {num(self.target)} needs about {num(self.n)} samples ({pct} interval "
                f"{span(self.interval)}; reachable in {self.reachable_share:.0%} of "
                f"bootstrap draws); that is {where}.")


def data_for(fit: FitResult, target: float, *, level: float = LEVEL) -> DataEstimate:
    """Smallest size at which the fitted law reaches ``target`` (in the metric's own terms: an
    accuracy to rise to, an error to fall to), inverting the law, with a percentile interval
    over the bootstrap draws and the share of draws that reach it at all.

    The upper end of the interval is inf when more than (1 - level)/2 of the draws never
    reach the target. ``fit`` must carry bootstrap draws (``fit.bootstrap(...)``: planning never
    bootstraps on its own). A target outside the metric's bounds is refused.

    >>> import numpy as np, scalinglab as sl
    >>> x = np.geomspace(100, 1e4, 8)
    >>> res = sl.fit(sl.Curve(x, 2 * x**-0.5 + 0.01), law="power_floor").bootstrap(200, seed=0)
    >>> round(sl.plan.data_for(res, 0.03).n)
    10000
    """
    require_one_input(fit, "data_for")
    level = check_level(level)
    fitted_target = check_target(fit, target)
    fit = with_draws(fit, level)
    law, metric = fit.law, fit.metric
    n = float(np.asarray(law.solve(fitted_target, fit.theta)).reshape(-1)[0])
    per_draw = np.array([np.asarray(law.solve(fitted_target, t)).reshape(-1)[0] for t in fit.draws], float)
    per_draw = np.where(np.isnan(per_draw), np.inf, per_draw)
    floors = np.array([law.floor(t) for t in fit.draws])
    return DataEstimate(target=float(target), n=n, interval=interval(per_draw, level),
                        reachable_share=float(np.mean(np.isfinite(per_draw))), floor=fit.limit,
                        floor_interval=metric.interval_to_metric(*interval(floors, level)),
                        largest_measured=float(fit.curve.x.max()), level=level, metric=metric.name,
                        higher_is_better=metric.higher_is_better, smallest_measured=float(fit.curve.x.min()))


@dataclass(frozen=True)
class GainEstimate(Answer):
    """Answer of :func:`gain`, in the metric's own terms: the metric now and at the new size;
    ``improvement`` is how much better it gets (positive = better, whichever the direction);
    ``relative`` the share of the fitted value (the loss, or the gap to the best accuracy) removed."""

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
    higher_is_better: bool = False
    best: float = 0.0

    def __str__(self) -> str:
        pct = f"{self.level:.0%}"
        head = (f"With {self.size_new / self.size_now:.3g}× the data ({num(self.size_new)} instead of "
                f"{num(self.size_now)}), ")
        if self.higher_is_better:
            verb = "rises" if self.metric_new > self.metric_now else ("falls" if self.metric_new < self.metric_now
                                                                       else "stays")
            return (head + f"{self.metric} {verb} from {num(self.metric_now)} (the fitted law at {num(self.size_now)}) "
                    f"to {num(self.metric_new)} "
                    f"({pct} interval {span(self.metric_new_interval)}), closing {self.relative:.0%} of the gap "
                    f"to {num(self.best)} ({pct} interval {self.relative_interval[0]:.0%}–"
                    f"{self.relative_interval[1]:.0%}).")
        change = "lower" if self.relative >= 0 else "higher"
        return (head + f"{self.metric} goes from {num(self.metric_now)} (the fitted law at {num(self.size_now)}) "
                f"to {num(self.metric_new)} "
                f"({pct} interval {span(self.metric_new_interval)}), "
                f"{abs(self.relative):.0%} {change} ({pct} interval {self.relative_interval[0]:.0%}–"
                f"{self.relative_interval[1]:.0%}).")


def gain(fit: FitResult, *, factor: float | None = None, size: float | None = None,
         level: float = LEVEL) -> GainEstimate:
    """What more data buys (Hestness et al. 2017: "if we had x times more data, how much better
    would the model be?"): the predicted metric at ``factor`` × the largest size measured (or at
    ``size``), and the improvement over the prediction at the largest size, each with a
    percentile interval over the bootstrap draws (paired draw by draw). An accuracy is reported
    as accuracy ("rises from 0.950 to 0.957").

    >>> import numpy as np, scalinglab as sl
    >>> x = np.geomspace(100, 1e4, 8)
    >>> res = sl.fit(sl.Curve(x, 2 * x**-0.5), law="power").bootstrap(200, seed=0)
    >>> round(sl.plan.gain(res, factor=4).relative, 3)   # 1 - 4**-0.5
    0.5
    """
    require_one_input(fit, "gain")
    level = check_level(level)
    if (factor is None) == (size is None):
        raise ScalingLabError("give exactly one of factor= (e.g. 10) or size= (e.g. 1e6)")
    now = float(fit.curve.x.max())
    what = "factor" if factor is not None else "size"
    try:
        new = now * float(factor) if factor is not None else float(size)
    except (TypeError, ValueError):
        raise ScalingLabError(f"{what} must be a positive number, got {factor if factor is not None else size!r}") \
            from None
    if not np.isfinite(new) or new <= 0:
        raise ScalingLabError(f"{what} must be a positive number (the new size {new!r} is not)")
    if new < 1:
        raise ScalingLabError(f"{what} gives a size of {new:.3g}, less than one sample")
    fit = with_draws(fit, level)
    metric = fit.metric
    f_now, f_new = fit.predict_fitted([now, new])
    draws = fit.predict_fitted(np.array([now, new]), fit.draws)
    removed = draws[:, 0] - draws[:, 1]                         # fitted value removed: > 0 is better
    with np.errstate(divide="ignore", invalid="ignore"):
        share = removed / draws[:, 0]
        relative = float(1 - f_new / f_now)
    y_now, y_new = (float(v) for v in metric.to_metric([f_now, f_new]))
    return GainEstimate(size_now=now, size_new=new, metric_now=y_now, metric_new=y_new,
                        metric_new_interval=metric.interval_to_metric(*interval(draws[:, 1], level)),
                        improvement=float(f_now - f_new), improvement_interval=interval(removed, level),
                        relative=relative, relative_interval=interval(share[np.isfinite(share)], level), level=level,
                        metric=metric.name, higher_is_better=metric.higher_is_better, best=metric.best)
