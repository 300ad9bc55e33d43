"""``extrapolate``: the benchmark's most accurate method, for one curve of your own.

The robust ensemble of :mod:`scalinglab.backtest.forecasts` (median of the log predictions
of the last value and the five laws) with prediction intervals calibrated by split
conformal prediction on LCDB learning curves (:mod:`scalinglab.backtest.calibration`). On
the LCDB evaluation half it had the lowest median error of all methods; see the README.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..curves import Curve
from ..errors import ScalingLabError
from ..fit.many import StackedCurves, fit_many
from . import calibration as cal
from .forecasts import LAWS, ensemble_forecast, last_forecast, law_forecast
from .protocol import FLOOR_VALUE, SizeStats, last_value_unit


def extrapolate(curve: Curve | SizeStats, sizes, *, levels=cal.LEVELS, n_boot: int = 200, seed: int = 0,
                calibration: cal.Calibration | None = None) -> pd.DataFrame:
    """Predict a learning curve (metric, lower is better) at larger ``sizes``.

    Returns one row per size: ``prediction`` (the ensemble), ``lo80``/``hi80`` and
    ``lo95``/``hi95`` (calibrated intervals for the default levels), and the prediction of
    every member (``last`` and each law). Needs at least 4 distinct sizes; replicates (seeds)
    are averaged per size and their spread enters the ``last`` member's uncertainty.

    >>> import numpy as np, scalinglab as sl
    >>> x = np.array([100, 200, 400, 800, 1600.])
    >>> table = sl.extrapolate(sl.Curve(x, 2 * x ** -0.5 + 0.02), [3200, 6400])
    >>> bool((table["lo80"] < table["prediction"]).all() and (table["prediction"] < table["hi80"]).all())
    True
    """
    stats = curve if isinstance(curve, SizeStats) else SizeStats.from_curve(curve)
    if len(stats.sizes) < 4:
        raise ScalingLabError(f"extrapolate needs at least 4 distinct sizes, the curve has {len(stats.sizes)}")
    sizes = np.atleast_1d(np.asarray(sizes, float))
    if sizes.ndim != 1 or not np.all(np.isfinite(sizes) & (sizes > 0)):
        raise ScalingLabError(f"sizes must be positive numbers, got {sizes!r}")
    calibration = cal.shipped() if calibration is None else calibration
    mean = np.maximum(stats.mean, FLOOR_VALUE)
    train, X = StackedCurves.pad([(stats.sizes, mean)]), sizes[None, :]
    members = [last_forecast(mean[-1:], np.array([last_value_unit(stats, len(mean))]), len(sizes))]
    members += [law_forecast(fit_many(train, law), X, ["curve"], n_boot=n_boot, seed=seed) for law in LAWS]
    ens = ensemble_forecast(members)
    table = pd.DataFrame({"size": sizes, "prediction": ens.pred[0]})
    for level in levels:
        lo, hi = calibration.interval("ensemble", ens.pred[0], ens.unit[0], level)
        table[f"lo{round(100 * level)}"], table[f"hi{round(100 * level)}"] = lo, hi
    for member in members:
        table[member.method] = member.pred[0]
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

    def __str__(self) -> str:
        return (f"Cross-check ({self.factor:g}× the data, {self.size:,.0f}): the ensemble of six methods "
                f"(sl.extrapolate) predicts {self.prediction:.3g} (measured at {self.size / self.factor:,.0f}: "
                f"{self.now:.3g}), "
                f"{round(100 * self.level)}% interval {self.lo:.3g}–{self.hi:.3g}; that width is calibrated on "
                "real learning curves (LCDB), where single-law bootstrap intervals are far too narrow.")


def ensemble_answer(curve: Curve, *, factor: float = 10.0, level: float = 0.8, n_boot: int = 100,
                    seed: int = 0) -> EnsembleAnswer:
    """:func:`extrapolate` at ``factor`` × the largest size of ``curve``, in one sentence."""
    stats = curve if isinstance(curve, SizeStats) else SizeStats.from_curve(curve)
    size = float(stats.sizes[-1] * factor)
    table = extrapolate(stats, [size], levels=(level,), n_boot=n_boot, seed=seed)
    key = round(100 * level)
    return EnsembleAnswer(size, factor, float(stats.mean[-1]), float(table["prediction"].iloc[0]),
                          float(table[f"lo{key}"].iloc[0]), float(table[f"hi{key}"].iloc[0]), level)
