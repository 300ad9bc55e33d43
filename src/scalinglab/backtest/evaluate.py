"""Run a backtest over many curves and summarise it.

Two phases, each split into chunks of curves over ``n_jobs`` processes (joblib): the fits
(every law on every training part, plus ``auto``'s inner backtest), then the bootstrap
refits behind the intervals. The report keeps the wall time of each phase apart, so the
fitting speed and the cost of the intervals can be judged separately.

Scores per curve and method: ``score`` = |log ŷ − log y| at the largest held-out size;
``rmse`` = root mean square of log ŷ − log y over the held-out sizes; ``cover80`` /
``cover95`` = share of held-out sizes inside the calibrated 80 % / 95 % interval.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from ..curves import Curve
from ..errors import ScalingLabError
from . import calibration as cal
from .methods import (LAWS, METHODS, Forecast, auto_forecast, ensemble_forecast, fit_law, log_rmse,
                        last_forecast, law_forecast)
from .extrapolation import check_n_boot
from .protocol import SizeStats, Suite, prepare


@dataclass(frozen=True)
class BacktestReport:
    rows: pd.DataFrame
    summary: pd.DataFrame
    seconds: dict = field(default_factory=dict)      # wall time per phase
    calibration: str = ""

    def by_category(self) -> pd.DataFrame:
        """Median score per method within each curve category."""
        ok = self.rows[~self.rows["failed"]]
        return ok.pivot_table(index="category", columns="method", values="score", aggfunc="median")

    def head_to_head(self, method: str = "auto") -> pd.Series:
        """Share of curves on which ``method`` scores better than each other method (ties half)."""
        pivot = self.rows.pivot_table(index="curve", columns="method", values="score")
        if method not in pivot:
            raise ScalingLabError(f"method {method!r} is not in this backtest")
        mine = pivot[method]
        return pd.Series({other: float(np.mean((mine < pivot[other]) + 0.5 * (mine == pivot[other])))
                          for other in pivot.columns if other != method}, name=f"{method} wins")

    def __str__(self) -> str:
        return self.summary.to_string(float_format=lambda v: f"{v:.3f}")


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """method × median and mean score, median RMSE, win rate (ties shared), coverage, failures."""
    ok = rows[~rows["failed"]]
    pivot = ok.pivot_table(index="curve", columns="method", values="score")
    wins = pivot.eq(pivot.min(axis=1), axis=0)
    by = ok.groupby("method")
    table = pd.DataFrame({
        "median": by["score"].median(),
        "mean": by["score"].mean(),
        "rmse_median": by["rmse"].median(),
        "win_rate": wins.div(wins.sum(axis=1), axis=0).mean(),
        "cover80": by["cover80"].mean(),
        "cover95": by["cover95"].mean(),
        "failures": rows.groupby("method")["failed"].mean(),
    })
    return table.reindex([m for m in METHODS if m in table.index])


def run_rows(suite: Suite, forecast: Forecast, calibration: cal.Calibration) -> pd.DataFrame:
    """One row per curve: scores, calibrated coverage, failure (a non-finite held-out prediction)."""
    W = suite.test_W > 0
    with np.errstate(all="ignore"):
        err = np.log(forecast.pred) - np.log(suite.test_Y)
    failed = ~np.all(np.isfinite(err) | ~W, axis=1)
    covers = {}
    for level in cal.LEVELS:
        lo, hi = calibration.interval(forecast.method, forecast.pred, forecast.unit, level, cap=suite.caps()[:, None])
        inside = (lo <= suite.test_Y) & (suite.test_Y <= hi)
        covers[level] = np.sum(inside & W, axis=1) / np.sum(W, axis=1)
    rows = np.arange(len(suite))
    frame = pd.DataFrame({
        "curve": suite.names, "method": forecast.method, "category": suite.categories,
        "evidence": suite.evidence, "law": forecast.law, "failed": failed,
        "score": np.abs(err[rows, suite.i_largest]),
        "rmse": log_rmse(forecast.pred, suite.test_Y, suite.test_W),
        "cover80": covers[0.8], "cover95": covers[0.95]})
    frame.loc[failed, ["score", "rmse", "cover80", "cover95"]] = np.nan
    return frame


def _chunks(n: int, n_jobs: int) -> list[np.ndarray]:
    parts = 1 if n_jobs == 1 else max(2 * n_jobs, 1)
    return [c for c in np.array_split(np.arange(n), parts) if len(c)]


def forecasts(suite: Suite, *, laws=LAWS, n_boot: int = 50, seed: int = 0, n_jobs: int = 1,
              progress=None) -> tuple[dict[str, Forecast], dict[str, float]]:
    """Every method's forecasts for a prepared suite, and the wall time of each phase."""
    chunks = _chunks(len(suite), n_jobs)
    parts = [(law, rows) for law in laws for rows in chunks]
    run = Parallel(n_jobs=n_jobs, prefer="processes")
    note = progress or (lambda message: None)
    t0 = time.perf_counter()
    note(f"fitting {len(laws)} laws to {len(suite)} curves ({len(parts)} tasks, n_jobs={n_jobs})")
    fitted = run(delayed(fit_law)(suite.take(rows), law) for law, rows in parts)
    t1 = time.perf_counter()
    note(f"bootstrap intervals ({n_boot} refits per fit)")
    boot = run(delayed(law_forecast)(f.fits, suite.test_X[rows], [suite.names[i] for i in rows], n_boot=n_boot,
                                     seed=seed) for (law, rows), f in zip(parts, fitted))
    t2 = time.perf_counter()
    out, scores = {"last": last_forecast(suite.last, suite.last_unit, suite.test_X.shape[1])}, []
    for law in laws:
        mine = [i for i, (name, _) in enumerate(parts) if name == law]
        out[law] = Forecast(law, *(np.concatenate([getattr(boot[i], a) for i in mine]) for a in ("pred", "unit", "law")))
        scores.append(np.concatenate([fitted[i].inner_score for i in mine]))
    out["ensemble"] = ensemble_forecast([out[m] for m in ("last",) + tuple(laws)])
    thetas = {law: np.concatenate([fitted[i].theta for i, (name, _) in enumerate(parts) if name == law])
              for law in laws}
    out["auto"] = auto_forecast(suite, tuple(laws), out, np.stack(scores, axis=1), out["ensemble"], thetas)
    seconds = {"fits": t1 - t0, "intervals": t2 - t1,
               "fits_cpu": float(sum(f.seconds for f in fitted))}
    return out, seconds


def run(curves: Mapping[str, SizeStats | Curve], *, methods=METHODS, min_train: int = 4, n_boot: int = 50,
        seed: int = 0, n_jobs: int = 1, calibration: cal.Calibration | None = None,
        progress=None, higher_is_better: bool | None = None) -> BacktestReport:
    """Backtest every curve (curves with at most ``min_train`` sizes are left out).

    ``methods``: which rows to report; every law is fitted whatever the choice, because
    ``auto`` and ``ensemble`` are made of them. ``calibration``: the interval widths (default:
    the table calibrated on LCDB, see :mod:`scalinglab.backtest.calibration`). ``n_jobs``:
    processes for the fits and the bootstrap. ``progress``: a callable taking a message.
    ``higher_is_better``: the metrics' direction for curves built without one (see
    :meth:`Curve.with_direction`); scores are |log ŷ − log y| of the fitted value (the error of
    an accuracy), intervals of bounded metrics stay inside their bounds.
    """
    if isinstance(methods, str) or not set(methods):
        raise ScalingLabError(f"methods must be a non-empty list of method names from {METHODS}, got {methods!r}")
    unknown = set(methods) - set(METHODS)
    if unknown:
        raise ScalingLabError(f"unknown method(s) {sorted(unknown)}; choose from {METHODS}")
    n_boot = check_n_boot(n_boot)
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0 or n_jobs < -1:
        raise ScalingLabError(f"n_jobs must be a whole number >= 1 (or -1 for every core), got {n_jobs!r}")
    if progress is not None and not callable(progress):
        raise ScalingLabError("progress must be a callable taking a message, or None")
    if not isinstance(curves, Mapping):
        raise ScalingLabError(f"curves must be a mapping name -> Curve (or a CurveSet), got {type(curves).__name__}")
    if higher_is_better is not None:
        curves = {name: (c.with_direction(higher_is_better) if isinstance(c, Curve) else c)
                  for name, c in curves.items()}
    suite = prepare(curves, min_train)
    calibration = cal.shipped() if calibration is None else calibration
    if not isinstance(calibration, cal.Calibration):
        raise ScalingLabError(f"calibration must be a Calibration, got {type(calibration).__name__}")
    found, seconds = forecasts(suite, n_boot=n_boot, seed=seed, n_jobs=n_jobs, progress=progress)
    rows = pd.concat([run_rows(suite, found[m], calibration) for m in methods], ignore_index=True)
    return BacktestReport(rows, summarise(rows), seconds, calibration.source)
