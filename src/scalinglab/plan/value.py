"""Money: the data size that maximises net value, the marginal cost of the metric, break-even."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._answer import Answer
from ..defaults import LEVEL
from ..fitting.result import FitResult
from ._common import check_level, interval, num, number, require_one_input, span, with_draws
from .regimes import local_slope

__all__ = ["Economics", "economics"]


@dataclass(frozen=True)
class Economics(Answer):
    """Answer of :func:`economics` (sizes in samples, money in the units of the costs)."""

    size_now: float
    best_size: float
    best_size_interval: tuple[float, float]
    net_value: float
    net_value_interval: tuple[float, float]
    worth_it_share: float
    break_even: float
    break_even_interval: tuple[float, float]
    marginal_cost: float
    marginal_cost_interval: tuple[float, float]
    level: float
    metric: str

    def __str__(self) -> str:
        pct = f"{self.level:.0%}"
        margin = (f"At {num(self.size_now)} samples, one more unit of {self.metric} costs about "
                  f"{num(self.marginal_cost)} ({pct} interval {span(self.marginal_cost_interval)}).")
        if self.best_size <= self.size_now:
            return (f"More data does not pay: no size beyond {num(self.size_now)} brings more value than it "
                    f"costs (it pays in {self.worth_it_share:.0%} of bootstrap draws). " + margin)
        return (f"Growing to about {num(self.best_size)} samples maximises net value ({pct} interval "
                f"{span(self.best_size_interval)}), worth "
                f"{num(self.net_value)} ({pct} interval {span(self.net_value_interval)}); "
                f"past {num(self.break_even)} samples the data costs more "
                f"than it brings. " + margin)


def economics(fit: FitResult, cost_per_sample: float, value_per_unit: float, *, fixed_cost: float = 0.0,
              max_factor: float = 1e4, level: float = LEVEL) -> Economics:
    r"""Net value of growing the data set from the largest size measured, :math:`n_0`, to n:

    .. math:: V(n) = v\,[y(n_0) - y(n)] - c\,(n - n_0) - F,

    with v = ``value_per_unit`` (money per unit of metric improvement, e.g. per 1.0 of error
    rate or of accuracy: y is the fitted value, so y(n0) − y(n) is the improvement whichever
    the metric's direction), c = ``cost_per_sample`` and F = ``fixed_cost`` (paid once if any data is bought).
    Returns the maximising n (searched on a fine log grid up to ``max_factor`` × n0), the
    largest n at which V is still >= 0 (break-even), and the marginal cost of one unit of
    metric at :math:`n_0`, :math:`c / |dy/dn| = c\,n_0 / (|s|\,y(n_0))` with s the local
    log-log slope; all with percentile intervals over the bootstrap draws.
    """
    require_one_input(fit, "economics")
    level = check_level(level)
    cost_per_sample = number(cost_per_sample, "cost_per_sample", low=0.0)
    value_per_unit = number(value_per_unit, "value_per_unit", low=0.0)
    fixed_cost = number(fixed_cost, "fixed_cost", low=0.0, low_open=False)
    max_factor = number(max_factor, "max_factor", low=1.0)
    fit = with_draws(fit, level)
    n0 = float(fit.curve.x.max())
    grid = n0 * np.geomspace(1.0, max_factor, 2000)
    thetas = np.vstack([fit.theta, fit.draws])
    y = fit.predict_fitted(grid, thetas)                                # (1 + B, G), lower is better
    value = value_per_unit * (y[:, :1] - y) - cost_per_sample * (grid - n0) - fixed_cost
    value[:, 0] = 0.0                                                   # buying nothing costs nothing
    best = np.argmax(value, axis=1)
    best_size, best_value = grid[best], value[np.arange(len(thetas)), best]
    paying = value >= 0
    paying[:, 0] = True
    # largest size whose net value is still >= 0 (inf if it never turns negative on the grid)
    last = len(grid) - 1 - np.argmax(paying[:, ::-1], axis=1)
    break_even = np.where(last == len(grid) - 1, np.inf, grid[last])
    break_even = np.where(best == 0, n0, break_even)
    slope = local_slope(fit.law, n0, thetas)
    with np.errstate(divide="ignore"):
        marginal = cost_per_sample * n0 / (np.abs(slope) * y[:, 0])
    return Economics(size_now=n0, best_size=float(best_size[0]), best_size_interval=interval(best_size[1:], level),
                     net_value=float(best_value[0]), net_value_interval=interval(best_value[1:], level),
                     worth_it_share=float(np.mean(best[1:] > 0)), break_even=float(break_even[0]),
                     break_even_interval=interval(break_even[1:], level), marginal_cost=float(marginal[0]),
                     marginal_cost_interval=interval(marginal[1:], level), level=level, metric=fit.curve.metric)
