"""The methods a backtest compares, each as predictions of the held-out sizes of every
curve plus the log-scale *unit* of its prediction interval.

* ``last``: the last training value; unit: its standard error across seeds combined with
  the latest change of the curve.
* each law (M1 ``power``, M2 ``power_floor``, ``m3``, ``m4``, ``exp_floor``): fitted to
  every training part at once (:func:`scalinglab.fitting.many.fit_many`, the loss and space of
  :func:`scalinglab.fit`); unit: sqrt(sd² + s²), sd the standard deviation of log ŷ over
  bootstrap refits (points resampled) and s the residual standard deviation of the fit.
* ``auto``: the default forecast (:mod:`scalinglab.backtest.averaging`, issue 18): the
  weighted average of the five laws' log predictions, each law weighted by its inner
  backtest (the largest 25 % of the training sizes predicted from the rest; a law is scored
  when the inner training part has at least as many sizes as it has parameters) tempered and
  combined with the curve's replicate noise; laws breaking the metric's shape constraints
  (a floor above the smallest mean, a prediction above the cap) get no weight. On flat,
  peaking and dipping curves, and where no law is usable, it uses ``ensemble`` instead.
* ``ensemble``: the median of the log predictions of ``last`` and the five laws, a robust
  combination (one wild fit cannot move it); unit: the median member unit combined with the
  members' spread (1.4826 × MAD).

Interval widths are calibrated (see :mod:`scalinglab.backtest.calibration`).
"""

from __future__ import annotations

import time
import warnings
import zlib
from dataclasses import dataclass

import numpy as np

from ..fitting.many import ManyFits, fit_many
from . import averaging
from . import calibration as cal
from .protocol import Suite

LAWS = ("power", "power_floor", "m3", "m4", "exp_floor")
METHODS = ("last",) + LAWS + ("auto", "ensemble")
#: Smallest interval unit (log scale): a fit through its points exactly still has rounding.
MIN_UNIT = 1e-4
#: Categories where ``auto`` does not trust a single fit.
ILL_BEHAVED = ("flat", "peaking", "dipping")


@dataclass(frozen=True)
class Forecast:
    """Predictions (C, m) of the held-out sizes, the log-scale interval unit (C, m), and
    the law used per curve (C,). NaN where the method failed for a curve."""

    method: str
    pred: np.ndarray
    unit: np.ndarray
    law: np.ndarray


@dataclass(frozen=True)
class LawFits:
    """A law fitted to every training part, and its score in ``auto``'s inner backtest."""

    law: str
    fits: ManyFits
    inner_score: np.ndarray      # (C,) RMSE of log y on the inner held-out sizes; inf if not scored
    seconds: float

    @property
    def theta(self) -> np.ndarray:
        return self.fits.theta


def log_rmse(pred: np.ndarray, Y: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Root mean square of log ŷ − log y over the points with W > 0, per row; inf where not finite."""
    with np.errstate(all="ignore"):
        err = np.where(W > 0, np.log(pred) - np.log(Y), 0.0)
        value = np.sqrt(np.sum(err ** 2, axis=1) / np.sum(W > 0, axis=1))
    return np.where(np.isfinite(value), value, np.inf)


def fit_law(suite: Suite, law: str) -> LawFits:
    """Fit ``law`` to every training part and to every inner training part (for ``auto``)."""
    t0 = time.perf_counter()
    fits = fit_many(suite.train, law)
    # an exactly determined inner fit (as many sizes as parameters) still says how the law
    # extrapolates: scoring it was better leave-one-domain-out (benchmarks/lodo.py)
    scored = (suite.inner_train.n_points >= fits.law.n_params) & (suite.inner_W.sum(axis=1) > 0)
    score = np.full(len(suite), np.inf)
    if scored.any():
        rows = np.flatnonzero(scored)
        inner = fit_many(suite.inner_train.subset(rows), law)
        score[rows] = np.where(inner.ok, log_rmse(inner.predict(suite.inner_X[rows]), suite.inner_Y[rows],
                                                   suite.inner_W[rows]), np.inf)
    return LawFits(law, fits, score, time.perf_counter() - t0)


def law_forecast(fits: ManyFits, X: np.ndarray, names, *, n_boot: int = 50, seed: int = 0) -> Forecast:
    """Predictions at sizes X (curves, m) and their interval unit from ``n_boot`` bootstrap
    refits; each curve's draws are seeded by its name, so they do not depend on the batch."""
    with np.errstate(invalid="ignore"):
        pred = fits.predict(X)
        pred = np.where(fits.ok[:, None] & np.isfinite(pred) & (pred > 0), pred, np.nan)
    keys = [zlib.crc32(str(name).encode()) for name in names]
    draws = fits.bootstrap(n_boot, seed=seed, keys=keys)                       # (C, n_boot, p)
    C, B, p = draws.shape
    with np.errstate(all="ignore"):
        log_boot = np.log(fits.law._predict((np.repeat(X, B, axis=0),), draws.reshape(C * B, p)))
    log_boot = np.where(np.isfinite(log_boot), log_boot, np.nan).reshape(C, B, -1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)                       # curves whose draws all failed
        sd_boot = np.nan_to_num(np.nanstd(log_boot, axis=1), nan=0.0)
    unit = np.maximum(np.hypot(sd_boot, fits.residual_sd()[:, None]), MIN_UNIT)
    name = fits.law.name
    return Forecast(name, pred, np.where(np.isfinite(pred), unit, np.nan), np.full(C, name, object))


def last_forecast(last: np.ndarray, unit: np.ndarray, m: int) -> Forecast:
    """The last training value (C,) at every one of m sizes, with its log-scale unit (C,)."""
    return Forecast("last", np.repeat(last[:, None], m, axis=1), np.repeat(unit[:, None], m, axis=1),
                    np.full(len(last), "last", object))


def ensemble_forecast(members: list[Forecast]) -> Forecast:
    """Median of the members' log predictions; unit from their units and their spread."""
    log_pred = np.stack([np.log(f.pred) for f in members])                   # (K, C, m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        centre = np.nanmedian(log_pred, axis=0)
        spread = 1.4826 * np.nanmedian(np.abs(log_pred - centre), axis=0)
        unit = np.hypot(np.nanmedian(np.stack([f.unit for f in members]), axis=0), spread)
    C = centre.shape[0]
    return Forecast("ensemble", np.exp(centre), unit, np.full(C, "ensemble", object))


def auto_forecast(suite: Suite, laws: tuple[str, ...], forecasts: dict[str, Forecast], scores: np.ndarray,
                  ensemble: Forecast, thetas: dict[str, np.ndarray], scale=None) -> Forecast:
    """The default forecast (:mod:`.averaging`) of every curve: ``scores`` (C, L) the laws'
    inner-backtest scores, ``thetas`` each law's fitted parameters (C, p). The law reported per
    curve is the one of largest weight, or "ensemble" where the ensemble was used. The unit:
    from ``scale`` (a :class:`~.calibration.ScaleModel`; default: the shipped one for ``auto``)
    where there is one, else the mixture's (or the ensemble's) spread."""
    W = suite.test_W > 0
    smallest = np.where(suite.train.W > 0, suite.train.Y, np.inf).min(axis=1)
    ok = np.stack([averaging.usable(law, thetas[law], forecasts[law].pred, smallest, suite.caps(), W)
                   for law in laws], axis=1)
    w = averaging.weights(scores, (suite.inner_W > 0).sum(axis=1), suite.noises(), ok)
    pred, unit = averaging.combine(np.stack([forecasts[law].pred for law in laws], axis=1),
                                   np.stack([forecasts[law].unit for law in laws], axis=1), w)
    law = np.array(laws, object)[np.argmax(np.nan_to_num(w, nan=-1.0), axis=1)]
    fall_back = np.isin(suite.categories, ILL_BEHAVED) | ~np.all(np.isfinite(pred) | ~W, axis=1)
    pred = np.where(fall_back[:, None], ensemble.pred, pred)
    unit = np.where(fall_back[:, None], ensemble.unit, unit)
    scale = cal.shipped().scale("auto") if scale is None else scale
    if scale is not None:                 # the unit from the curve's own inner error and the distance
        largest = np.where(suite.train.W > 0, suite.train.X, 0).max(axis=1)
        unit = np.where(np.isfinite(pred), scale(averaging.inner_error(scores, suite.noises(), w)[:, None],
                                                 averaging.distance(suite.test_X, largest), suite.noises()[:, None]),
                        np.nan)
    return Forecast("auto", pred, unit, np.where(fall_back, "ensemble", law))
