"""Where on the learning curve are we? Small-data, power-law or flat zone (Hestness et al. 2017)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._answer import Answer
from ..defaults import LEVEL
from ..fitting.result import FitResult
from ._common import check_level, interval, num, require_one_input, span, with_draws

__all__ = ["Regime", "regime", "local_slope"]

#: Flat zone: what is left above the floor is within this many noise standard deviations ...
FLAT_NOISE = 2.0
#: ... or within this share of the current metric.
FLAT_SHARE = 0.05


def local_slope(law, x: float, thetas: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """d log y / d log x at size x for each parameter vector (central difference in log x)."""
    y = law.predict(np.array([x * np.exp(-h), x * np.exp(h)]), np.atleast_2d(thetas))
    with np.errstate(all="ignore"):
        return (np.log(y[:, 1]) - np.log(y[:, 0])) / (2 * h)


def noise_at_top(fit: FitResult) -> float:
    """Noise of one measurement at the largest sizes, in metric units: the pooled standard
    deviation across replicates at the three largest sizes when there are replicates, else
    the spread of the fit's residuals converted to metric units."""
    curve = fit.curve
    groups = curve.by_size()
    top = slice(-3, None)
    replicated = groups.count[top] > 1
    if replicated.any():
        return float(np.sqrt(np.mean(groups.sd[top][replicated] ** 2)))
    spread = float(np.std(fit.residuals, ddof=min(fit.n_free, len(fit.residuals) - 1)))
    top = float(fit.predict_fitted([curve.x.max()])[0])
    return spread * top if fit.space == "log" else spread


@dataclass(frozen=True)
class Regime(Answer):
    """Answer of :func:`regime`, with the evidence."""

    zone: str                       # "small-data", "power-law" or "flat"
    size: float
    slope: float                    # d log y / d log x at ``size``
    slope_interval: tuple[float, float]
    metric_at_size: float
    floor: float
    floor_interval: tuple[float, float]
    noise: float
    gap_in_noise: float             # (metric - floor) / noise
    level: float
    metric: str
    higher_is_better: bool = False
    fitted_name: str = ""

    def __str__(self) -> str:
        pct = f"{self.level:.0%}"
        of = f" of {self.fitted_name}" if self.higher_is_better else ""
        limit = "ceiling" if self.higher_is_better else "floor"
        evidence = (f"local log-log slope{of} {self.slope:.3f} ({pct} interval {self.slope_interval[0]:.3f} to "
                    f"{self.slope_interval[1]:.3f}) at {num(self.size)}; fitted {self.metric} {num(self.metric_at_size)} "
                    f"vs {limit} {num(self.floor)} ({pct} interval {span(self.floor_interval)}), "
                    f"a gap of {self.gap_in_noise:.1f} noise standard deviations")
        verdict = {
            "flat": "Flat zone: what more data could still buy is within the noise of one run",
            "power-law": "Power-law zone: each doubling of data still buys a predictable improvement",
            "small-data": "Small-data zone: the curve is still steepening, so extrapolation is premature",
        }[self.zone]
        return f"{verdict} ({evidence})."


def regime(fit: FitResult, *, at: float | None = None, level: float = LEVEL) -> Regime:
    """Classify the learning curve at size ``at`` (default: the largest size measured).

    * flat: the metric is within ``FLAT_NOISE`` noise standard deviations (or ``FLAT_SHARE``)
      of the fitted floor (Hestness et al.'s irreducible-error region);
    * small-data: the local log-log slope is still steepening at ``at`` (the curve has not yet
      entered its power-law region; Hestness et al.'s small-data region);
    * power-law: otherwise.

    Evidence: the local slope d log y / d log x with a bootstrap interval, the floor with its
    interval, and the gap to the floor in units of the measurement noise. For a higher-is-better
    metric the slope is that of its distance from the best value (1 − accuracy), and the floor
    is reported as the accuracy's ceiling.
    """
    require_one_input(fit, "regime")
    level = check_level(level)
    if at is not None:
        at = float(fit.check_sizes([at])[0])
    fit = with_draws(fit, level)
    size = float(at) if at is not None else float(fit.curve.x.max())
    law = fit.law
    slope = float(local_slope(law, size, fit.theta)[0])
    slopes = local_slope(law, size, fit.draws)
    floors = np.array([law.floor(t) for t in fit.draws])
    y_now = float(fit.predict_fitted([size])[0])
    noise = noise_at_top(fit)
    gap = y_now - fit.floor
    gap_in_noise = gap / noise if noise > 0 else np.inf
    steeper_later = abs(float(local_slope(law, size * 1.5, fit.theta)[0])) > 1.05 * abs(slope)
    if gap <= FLAT_NOISE * noise or gap <= FLAT_SHARE * y_now:
        zone = "flat"
    elif steeper_later:
        zone = "small-data"
    else:
        zone = "power-law"
    metric = fit.metric
    return Regime(zone=zone, size=size, slope=slope, slope_interval=interval(slopes[np.isfinite(slopes)], level),
                  metric_at_size=float(metric.to_metric(y_now)), floor=fit.limit,
                  floor_interval=metric.interval_to_metric(*interval(floors, level)), noise=noise,
                  gap_in_noise=float(gap_in_noise), level=level, metric=metric.name,
                  higher_is_better=metric.higher_is_better, fitted_name=metric.fitted_name)
