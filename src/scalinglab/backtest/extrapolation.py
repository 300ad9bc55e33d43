"""``extrapolate``: the benchmark's most accurate method, for one curve of your own.

The robust ensemble of :mod:`scalinglab.backtest.methods` (median of the log predictions
of the last value and the five laws) with prediction intervals calibrated by split
conformal prediction on LCDB learning curves (:mod:`scalinglab.backtest.calibration`). On
the LCDB evaluation half it had the lowest median error of all methods; see the README.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..curves import Curve
from ..errors import ScalingLabError, ScalingLabWarning
from ..fitting.many import StackedCurves, fit_many
from ..fitting.prepare import positive_for_log
from ..metric import Metric
from . import calibration as cal
from .methods import LAWS, ensemble_forecast, last_forecast, law_forecast
from .protocol import SizeStats, last_value_unit


#: Fewest bootstrap refits behind each member's interval unit (a standard deviation): below
#: about 20 the sd of the log predictions is itself too noisy to calibrate (Efron & Tibshirani
#: 1993, ch. 6, suggest 25-200 replications for a standard error).
MIN_BOOT = 20


def _prepared(curve, higher_is_better) -> tuple[SizeStats, Metric]:
    if isinstance(curve, SizeStats):
        if higher_is_better:
            raise ScalingLabError("SizeStats hold fitted values (lower is better); pass a Curve built with "
                                  "higher_is_better=True instead")
        return curve, Metric()
    if not isinstance(curve, Curve):
        raise ScalingLabError(f"extrapolate expects a Curve, got {type(curve).__name__}; build one with sl.Curve(x, y)")
    curve = curve.with_direction(higher_is_better)
    return SizeStats.from_curve(curve), curve.metric_info


def _sizes(sizes, smallest: float) -> np.ndarray:
    try:
        sizes = np.atleast_1d(np.asarray(sizes, float))
    except (TypeError, ValueError):
        raise ScalingLabError(f"sizes must be numbers, got {sizes!r}") from None
    if sizes.ndim != 1 or sizes.size == 0 or not np.all(np.isfinite(sizes) & (sizes > 0)):
        raise ScalingLabError(f"sizes must be positive numbers, got {sizes!r}")
    if np.any(sizes < smallest):
        raise ScalingLabError(f"sizes must not be below the smallest size measured ({smallest:g}): the laws are "
                              f"fitted to larger sizes and do not hold below them; got {sizes.min():g}")
    return sizes


def _levels(levels) -> tuple[float, ...]:
    try:
        levels = tuple(float(v) for v in np.atleast_1d(levels))
    except (TypeError, ValueError):
        raise ScalingLabError(f"levels must be numbers between 0 and 1, got {levels!r}") from None
    if not levels or not all(0 < v < 1 for v in levels):
        raise ScalingLabError(f"levels must be numbers between 0 and 1 (e.g. (0.8, 0.95)), got {levels!r}")
    keys = [round(100 * v) for v in levels]
    if len(set(keys)) != len(keys):
        raise ScalingLabError(f"levels {levels} give the same column names (lo/hi{keys}); use distinct percentages")
    return levels


def check_n_boot(n_boot) -> int:
    if isinstance(n_boot, (bool, np.bool_)) or not isinstance(n_boot, (int, np.integer)) or n_boot < MIN_BOOT:
        raise ScalingLabError(f"n_boot must be a whole number >= {MIN_BOOT} (bootstrap refits behind each "
                              f"interval unit), got {n_boot!r}")
    return int(n_boot)


def extrapolate(curve: Curve | SizeStats, sizes, *, levels=cal.LEVELS, n_boot: int = 200, seed: int = 0,
                calibration: cal.Calibration | None = None, higher_is_better: bool | None = None) -> pd.DataFrame:
    """Predict a learning curve at larger ``sizes``, in the metric's own terms.

    Returns one row per size: ``prediction`` (the ensemble), ``lo80``/``hi80`` and
    ``lo95``/``hi95`` (calibrated intervals for the default levels), and the prediction of
    every member (``last`` and each law; NaN where a member failed or left the metric's
    bounds). Needs at least 4 distinct sizes; replicates (seeds) are averaged per size and
    their spread enters the ``last`` member's uncertainty. ``table.attrs["metric"]`` describes
    the metric (name, direction, bounds).

    Direction: the curve's own (``Curve(..., higher_is_better=True)``), or
    ``higher_is_better=True`` here for a curve built without it (a curve that says True cannot be
    overridden). An accuracy is forecast as accuracy, fitted internally as 1 − accuracy.

    Scale: nothing is assumed about the metric's scale (an MSE of 1e-6 is forecast like a loss
    of 3); a per-size mean of exactly 0 follows the rule for zeros of
    :mod:`scalinglab.fitting.prepare` (half the smallest positive mean, with a warning).

    Bounds: a bounded metric (an error rate, an accuracy: see :mod:`scalinglab.metric`) gets
    intervals inside its bounds, by the logit transform of
    :meth:`scalinglab.backtest.Calibration.interval` (not by clipping).

    >>> import numpy as np, scalinglab as sl
    >>> x = np.array([100, 200, 400, 800, 1600.])
    >>> table = sl.extrapolate(sl.Curve(x, 2 * x ** -0.5 + 0.02), [3200, 6400])
    >>> bool((table["lo80"] < table["prediction"]).all() and (table["prediction"] < table["hi80"]).all())
    True
    """
    stats, metric = _prepared(curve, higher_is_better)
    if len(stats.sizes) < 4:
        raise ScalingLabError(f"extrapolate needs at least 4 distinct sizes, the curve has {len(stats.sizes)}")
    sizes = _sizes(sizes, float(stats.sizes.min()))
    levels = _levels(levels)
    n_boot = check_n_boot(n_boot)
    calibration = cal.shipped() if calibration is None else calibration
    if not isinstance(calibration, cal.Calibration):
        raise ScalingLabError(f"calibration must be a Calibration, got {type(calibration).__name__}")
    mean, zeros, replacement = positive_for_log(stats.mean, "per-size means")
    if zeros.size:
        warnings.warn(f"{zeros.size} size(s) have a mean {metric.fitted_name} of exactly 0 (size(s) "
                      f"{', '.join(f'{v:g}' for v in stats.sizes[zeros])}): taken as {replacement:.3g}, half the "
                      "smallest positive mean (the rule for zeros, scalinglab.fitting.prepare)", ScalingLabWarning,
                      stacklevel=2)
    train, X = StackedCurves.pad([(stats.sizes, mean)]), sizes[None, :]
    members = [last_forecast(mean[-1:], np.array([last_value_unit(stats, len(mean), mean)]), len(sizes))]
    members += [law_forecast(fit_many(train, law), X, ["curve"], n_boot=n_boot, seed=seed) for law in LAWS]
    if metric.bounded:                 # a member forecasting an impossible value has failed
        members = [replace(m, pred=np.where(m.pred < metric.cap, m.pred, np.nan)) for m in members]
    ens = ensemble_forecast(members)
    if not np.all(np.isfinite(ens.pred)):
        raise ScalingLabError("no member of the ensemble could forecast this curve (every fit failed)")
    table = pd.DataFrame({"size": sizes, "prediction": metric.to_metric(ens.pred[0])})
    for level in levels:
        lo, hi = calibration.interval("ensemble", ens.pred[0], ens.unit[0], level, cap=metric.cap)
        lo, hi = metric.interval_to_metric(lo, hi)
        table[f"lo{round(100 * level)}"], table[f"hi{round(100 * level)}"] = lo, hi
    for member in members:
        table[member.method] = metric.to_metric(member.pred[0])
    table.attrs["metric"] = metric.describe()
    return table


@dataclass(frozen=True)
class EnsembleAnswer:
    """The ensemble's forecast at ``factor`` × the largest size, as a planning answer."""

    size: float
    factor: float
    now: float
    prediction: float
    lo: float
    hi: float
    level: float
    metric: str = "error"

    def __str__(self) -> str:
        return (f"Cross-check ({self.factor:g}× the data, {self.size:,.0f}): the ensemble of six methods "
                f"(sl.extrapolate) predicts {self.metric} {self.prediction:.3g} (measured at "
                f"{self.size / self.factor:,.0f}: {self.now:.3g}), "
                f"{round(100 * self.level)}% interval {self.lo:.3g}–{self.hi:.3g}; that width is calibrated on "
                "real learning curves (LCDB), where single-law bootstrap intervals are far too narrow.")


def ensemble_answer(curve: Curve, *, factor: float = 10.0, level: float = 0.8, n_boot: int = 100,
                    seed: int = 0) -> EnsembleAnswer:
    """:func:`extrapolate` at ``factor`` × the largest size of ``curve``, in one sentence (in
    the metric's own terms)."""
    stats, metric = _prepared(curve, None)
    size = float(stats.sizes[-1] * factor)
    table = extrapolate(curve, [size], levels=(level,), n_boot=n_boot, seed=seed)
    key = round(100 * level)
    return EnsembleAnswer(size, factor, float(metric.to_metric(stats.mean[-1])), float(table["prediction"].iloc[0]),
                          float(table[f"lo{key}"].iloc[0]), float(table[f"hi{key}"].iloc[0]), level, metric.name)
