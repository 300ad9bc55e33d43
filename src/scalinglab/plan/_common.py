"""What every planning answer shares: bootstrap draws, intervals, number formatting."""

from __future__ import annotations

import numpy as np

from ..errors import ScalingLabError
from ..fit.result import FitResult

#: Bootstrap refits made on the fly when a fit arrives without draws.
DEFAULT_DRAWS = 1000


def with_draws(fit: FitResult, n_boot: int = DEFAULT_DRAWS, seed: int = 0) -> FitResult:
    """The fit itself if it has bootstrap draws, else a bootstrapped copy (by seed when the
    curve has seeds, by point otherwise): every answer carries an interval."""
    if not isinstance(fit, FitResult):
        raise ScalingLabError(f"expected a FitResult from sl.fit(...), got {type(fit).__name__}")
    if fit.draws is not None and len(fit.draws):
        return fit
    by = "seed" if fit.curve.seed is not None and len(np.unique(fit.curve.seed)) > 1 else "point"
    return fit.bootstrap(n_boot, by=by, seed=seed)


def check_level(level: float) -> float:
    level = float(level)
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


def require_one_input(fit: FitResult, what: str) -> None:
    if fit.curve.n_inputs != 1:
        raise ScalingLabError(f"{what} works on data-size curves (one x column); this fit has "
                              f"{fit.curve.n_inputs}: use compute_optimal or pass given= for joint laws")
