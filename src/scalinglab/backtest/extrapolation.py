"""``extrapolate``: the default forecast, for one curve of your own.

The method ``auto`` of the backtest (:mod:`scalinglab.backtest.averaging`: the five laws'
log predictions averaged with weights from their inner backtest, laws breaking the metric's
shape constraints left out; the median ensemble of the last value and the five laws on flat,
peaking or dipping curves), with prediction intervals calibrated by split conformal
prediction on every domain of the extrapolation suite (:mod:`scalinglab.backtest.calibration`).
Its accuracy per domain, leave-one-domain-out: the README ("How good are the extrapolations?").
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..defaults import LEVEL
from ..curves import Curve
from ..errors import ScalingLabError, ScalingLabWarning
from ..fitting.many import StackedCurves, fit_many
from ..fitting.prepare import positive_for_log
from ..metric import Metric
from . import averaging
from . import calibration as cal
from .methods import ILL_BEHAVED, LAWS, Forecast, ensemble_forecast, last_forecast, law_forecast, log_rmse
from .protocol import SizeStats, classify, inner_split, last_value_unit, replicate_noise


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

    Returns one row per size: ``prediction`` (the default forecast), ``lo80``/``hi80`` and
    ``lo95``/``hi95`` (calibrated intervals for the default levels), and the prediction of
    every member (``last`` and each law; NaN where a member failed or left the metric's
    bounds). Needs at least 4 distinct sizes; replicates (seeds) are averaged per size and
    their spread enters the ``last`` member's uncertainty. ``table.attrs["metric"]`` describes
    the metric (name, direction, bounds).

    Direction: the curve's own (``Curve(..., higher_is_better=True)``), or
    ``higher_is_better=True`` here for a curve built without it (a curve that says True cannot be
    overridden). An accuracy is forecast as accuracy, fitted internally as 1 − accuracy.

    ``table.attrs["method"]``: "average" (the weighted average of the laws, weights by law in
    ``table.attrs["weights"]``) or "ensemble (...)" with the reason (a flat, peaking or dipping
    curve, or no law usable).

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
    forecast, members, weights = default_forecast(stats, mean, sizes, metric.cap, n_boot=n_boot, seed=seed,
                                                  scale=calibration.scale("auto"))
    table = pd.DataFrame({"size": sizes, "prediction": metric.to_metric(forecast.pred[0])})
    for level in levels:
        lo, hi = calibration.interval("auto", forecast.pred[0], forecast.unit[0], level, cap=metric.cap)
        lo, hi = metric.interval_to_metric(lo, hi)
        table[f"lo{round(100 * level)}"], table[f"hi{round(100 * level)}"] = lo, hi
    for member in members:
        table[member.method] = metric.to_metric(member.pred[0])
    table.attrs["metric"] = metric.describe()
    table.attrs["method"] = forecast.law[0]
    table.attrs["weights"] = weights
    return table


def default_forecast(stats: SizeStats, mean: np.ndarray, sizes: np.ndarray, cap: float, *, n_boot: int,
                     seed: int, scale: cal.ScaleModel | None = None) -> tuple[Forecast, list[Forecast], dict]:
    """The backtest's ``auto`` for one curve (per-size ``mean`` with zeros replaced) at ``sizes``:
    (forecast, members: last and each law, weights by law). ``forecast.law`` says what was used:
    "average" or "ensemble (a <category> curve)" / "ensemble (no law usable)". A member
    forecasting outside the metric's range has failed (NaN). The forecast's unit: from ``scale``
    (the curve's inner error and the distance, as the backtest's ``auto``) where given, else
    the mixture's (or the ensemble's) spread."""
    k = len(mean)
    train, X = StackedCurves.pad([(stats.sizes, mean)]), sizes[None, :]
    fits = {law: fit_many(train, law) for law in LAWS}
    members = [last_forecast(mean[-1:], np.array([last_value_unit(stats, k, mean)]), len(sizes))]
    members += [law_forecast(fits[law], X, ["curve"], n_boot=n_boot, seed=seed) for law in LAWS]
    if np.isfinite(cap):
        members = [replace(m, pred=np.where(m.pred < cap, m.pred, np.nan)) for m in members]
    h = inner_split(k)
    scores = np.full((1, len(LAWS)), np.inf)
    if h:
        inner = StackedCurves.pad([(stats.sizes[:k - h], mean[:k - h])])
        X_in, Y_in = stats.sizes[None, k - h:], mean[None, k - h:]
        for j, law in enumerate(LAWS):
            f = fit_many(inner, law)
            if f.ok[0]:
                scores[0, j] = log_rmse(f.predict(X_in), Y_in, np.ones_like(Y_in))[0]
    caps = np.array([cap])
    ok = np.stack([averaging.usable(law, fits[law].theta, m.pred, mean.min(keepdims=True), caps)
                   for law, m in zip(LAWS, members[1:])], axis=1)
    noise = np.array([replicate_noise(stats, k)])
    w = averaging.weights(scores, np.array([h]), noise, ok)
    pred, unit = averaging.combine(np.stack([m.pred for m in members[1:]], axis=1),
                                   np.stack([m.unit for m in members[1:]], axis=1), w)
    category = classify(SizeStats(stats.sizes, mean, stats.sd, stats.count))[0]
    why = (f"a {category} curve" if category in ILL_BEHAVED
           else "no law usable" if not np.all(np.isfinite(pred)) else "")
    if why:
        ens = ensemble_forecast(members)
        forecast = Forecast("auto", ens.pred, ens.unit, np.array([f"ensemble ({why})"], object))
    else:
        forecast = Forecast("auto", pred, unit, np.array(["average"], object))
    if scale is not None:                 # the unit from the curve's own inner error and the distance
        inner = averaging.inner_error(scores, noise, w)
        forecast = replace(forecast, unit=scale(inner[:, None], averaging.distance(X, stats.sizes[-1:]), noise[:, None]))
    weights = {law: float(np.nan_to_num(w[0, j])) for j, law in enumerate(LAWS)} if not why else {}
    return forecast, members, weights


@dataclass(frozen=True)
class EnsembleAnswer:
    """The default forecast (:func:`extrapolate`) at ``factor`` × the largest size, as a planning answer."""

    size: float
    factor: float
    now: float
    prediction: float
    lo: float
    hi: float
    level: float
    metric: str = "error"

    def __str__(self) -> str:
        return (f"Cross-check ({self.factor:g}× the data, {self.size:,.0f}): scalinglab's default forecast "
                f"(sl.extrapolate: five laws averaged by how well each extrapolated inside the data) predicts "
                f"{self.metric} {self.prediction:.3g} (the mean measured at {self.size / self.factor:,.0f}: {self.now:.3g}), "
                f"{round(100 * self.level)}% interval {self.lo:.3g}–{self.hi:.3g}; that width is calibrated on "
                "real learning curves of seven domains, where single-law bootstrap intervals are far too narrow. "
                "Where it differs from the single law's answer above, plan with this one: leave-one-domain-out it "
                "was the more accurate (README, 'How good are the extrapolations?').")


def ensemble_answer(curve: Curve, *, factor: float = 10.0, level: float = LEVEL, n_boot: int = 100,
                    seed: int = 0) -> EnsembleAnswer:
    """:func:`extrapolate` at ``factor`` × the largest size of ``curve``, in one sentence (in
    the metric's own terms)."""
    stats, metric = _prepared(curve, None)
    size = float(stats.sizes[-1] * factor)
    table = extrapolate(curve, [size], levels=(level,), n_boot=n_boot, seed=seed)
    key = round(100 * level)
    return EnsembleAnswer(size, factor, float(metric.to_metric(stats.mean[-1])), float(table["prediction"].iloc[0]),
                          float(table[f"lo{key}"].iloc[0]), float(table[f"hi{key}"].iloc[0]), level, metric.name)
