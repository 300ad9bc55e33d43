"""What every planning answer shares: bootstrap draws, intervals, number formatting."""

from __future__ import annotations

import numpy as np

from ..errors import ScalingLabError
from ..fitting.result import FitResult

def with_draws(fit: FitResult, level: float) -> FitResult:
    """The fit itself when it has enough bootstrap draws for an interval at ``level``; else a
    ScalingLabError that says how to get them. Planning never bootstraps on its own (a hidden
    1,000-draw refit per question, under a seed the caller never chose): the draws come from
    ``sl.fitting.bootstrap(fit, n=1000, seed=...)`` (or ``fit.bootstrap(...)``), from
    ``scalinglab fit --bootstrap 1000 --json FIT.json``, or from the analysis pipeline. (The
    error is :meth:`FitResult.interval_unavailable`'s: no draws, or too few for ``level``.)"""
    if not isinstance(fit, FitResult):
        raise ScalingLabError(f"expected a FitResult from sl.fit(...), got {type(fit).__name__}")
    why = fit.interval_unavailable(level)
    if why:
        raise ScalingLabError(why)
    return fit


def check_target(fit: FitResult, target, name: str = "target") -> float:
    """A target in the metric's own terms, as a fitted value (lower is better): finite, inside
    the metric's bounds, and not below 0 on the fitted scale (no law goes there)."""
    try:
        target = float(target)
    except (TypeError, ValueError):
        raise ScalingLabError(f"{name} must be a number, got {target!r}") from None
    metric = fit.metric
    if not np.isfinite(target):
        raise ScalingLabError(f"{name} must be a finite number, got {target!r}")
    if metric.bounds is not None and not metric.bounds[0] <= target <= metric.bounds[1]:
        raise ScalingLabError(f"{name} {target:g} is outside [{metric.bounds[0]:g}, {metric.bounds[1]:g}], "
                              f"the range of {metric.name}")
    fitted = float(metric.to_fitted(target))
    if fitted < 0:
        raise ScalingLabError(f"{name} {target:g} is beyond the best possible {metric.name} ({metric.best:g})")
    return fitted


def number(value, name: str, *, low: float = -np.inf, low_open: bool = True) -> float:
    """A finite number above ``low`` (or at it, with ``low_open=False``), else a ScalingLabError naming it."""
    if isinstance(value, (bool, np.bool_)):
        raise ScalingLabError(f"{name} must be a number, got {value!r}")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ScalingLabError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(value) or value < low or (low_open and value == low):
        if low == 0 and low_open:
            raise ScalingLabError(f"{name} must be a positive number, got {value!r}")
        bound = f"a number {'>' if low_open else '>='} {low:g}" if np.isfinite(low) else "a finite number"
        raise ScalingLabError(f"{name} must be {bound}, got {value!r}")
    return value


def check_level(level: float) -> float:
    try:
        level = float(level)
    except (TypeError, ValueError):
        raise ScalingLabError(f"level must be between 0 and 1 (e.g. 0.8), got {level!r}") from None
    if not 0 < level < 1:
        raise ScalingLabError(f"level must be between 0 and 1 (e.g. 0.8), got {level!r}")
    return level


def interval(values: np.ndarray, level: float, axis: int = 0) -> tuple:
    """Central percentile interval; values may contain inf (unreachable), which sorts last."""
    q = [0.5 * (1 - level), 0.5 * (1 + level)]
    lo, hi = np.quantile(values, q, axis=axis, method="inverted_cdf")
    return (float(lo), float(hi)) if np.ndim(lo) == 0 else (lo, hi)


def num(value: float) -> str:
    """A number for a sentence: 12,345 for counts, 0.0123 for metrics, 'never' for inf."""
    if value is None or not np.isfinite(value):
        return "never" if value == np.inf else "n/a"
    if abs(value) >= 1e6:
        return f"{value:.3g}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def span(pair) -> str:
    """An interval for a sentence: 'lo–hi' with both ends as :func:`num` writes them."""
    return f"{num(pair[0])}–{num(pair[1])}"


def require_fit(fit) -> None:
    if not isinstance(fit, FitResult):
        raise ScalingLabError(f"expected a FitResult from sl.fit(...), got {type(fit).__name__}")


def require_one_input(fit: FitResult, what: str) -> None:
    require_fit(fit)
    if fit.curve.n_inputs != 1:
        raise ScalingLabError(f"{what} works on data-size curves (one x column); this fit has "
                              f"{fit.curve.n_inputs}: use compute_optimal or pass given= for joint laws")
