"""How good are the extrapolations? Backtests on learning curves.

Protocol (per curve; the default of the extrapolation benchmark): take the per-size mean of
the metric (over seeds), fit on the first half of the distinct sizes (at least
``min_train``), predict every held-out size; score

* ``score``: |log ŷ − log y| at the largest size,
* ``rmse``: root mean square of log ŷ − log y over the held-out sizes,
* ``cover80`` / ``cover95``: the share of held-out sizes inside the method's 80 % / 95 %
  prediction interval.

Prediction intervals (law methods): the bootstrap band of the fitted curve (resampling the
training points) widened by a noise term, in log space,
sd = sqrt(sd_bootstrap² + (NOISE_SCALE · s)²), s the residual standard deviation of the
training fit. NOISE_SCALE = 3.5 was calibrated on 191 random LCDB curves (benchmark seed 1, disjoint
from the evaluation sample) so that 80 % intervals of M2 and M3 cover about 80 % of held-out
sizes (0.785, 0.803); on the evaluation sample they cover 0.776 and 0.832. The residual spread
of a fit on a few sizes understates extrapolation error about 3.5-fold; the 95 % intervals
still under-cover (0.87–0.91): the errors have heavier tails than a normal.

Ill-behaved curves (LCDB 1.1: many are not monotone) are detected from the per-size means
and, where available, their spread across seeds (Welch t-tests between sizes): "flat" (no
significant decrease from the first to the last training size), "non-monotone" (a
significant increase between consecutive sizes), "peaking" (a significant rise, then a fall)
and "dipping" (a fall, then a significant rise at the end). ``auto`` falls back to the last
observed value for flat, peaking and dipping curves instead of extrapolating a wild fit.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .curves import Curve
from .errors import ScalingLabError
from .fit import fit
from .fit.engine import fit_quiet

LAWS = ("power", "power_floor", "m3", "m4", "exp_floor")
METHODS = ("last",) + LAWS + ("auto",)
NOISE_SCALE = 3.5
#: Metric values below this are clipped before taking logs (an error rate of exactly 0).
FLOOR_VALUE = 1e-3
FALLBACK_CATEGORIES = ("flat", "peaking", "dipping")


@dataclass(frozen=True)
class SizeStats:
    """A learning curve as per-size mean, standard deviation and number of seeds."""

    sizes: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    count: np.ndarray

    @classmethod
    def from_curve(cls, curve: Curve) -> "SizeStats":
        if curve.n_inputs != 1:
            raise ScalingLabError("backtests work on data-size curves (one x column)")
        groups = curve.by_size()
        return cls(groups.sizes, groups.mean, groups.sd, groups.count)

    @classmethod
    def from_frame(cls, df: pd.DataFrame, size="size", mean="mean", sd="sd", count="count") -> "SizeStats":
        df = df.sort_values(size)
        return cls(df[size].to_numpy(float), df[mean].to_numpy(float),
                   df[sd].to_numpy(float) if sd in df else np.zeros(len(df)),
                   df[count].to_numpy(float) if count in df else np.ones(len(df)))


def _increase_p(s: SizeStats, i: int, j: int) -> float:
    """One-sided Welch p-value that the mean at j is above the mean at i (NaN without spread)."""
    if s.count[i] < 2 or s.count[j] < 2 or (s.sd[i] == 0 and s.sd[j] == 0):
        return np.nan
    t, p = stats.ttest_ind_from_stats(s.mean[j], s.sd[j], s.count[j], s.mean[i], s.sd[i], s.count[i],
                                      equal_var=False, alternative="greater")
    return float(p)


def classify(s: SizeStats, alpha: float = 0.05, rel: float = 0.02) -> tuple[str, str]:
    """(category, evidence) of a curve from its per-size statistics (see module docstring).
    Without spread across seeds, changes smaller than ``rel`` (relative) count as noise."""
    m = s.mean
    def up(i, j):
        p = _increase_p(s, i, j)
        return (p < alpha) if np.isfinite(p) else (m[j] > m[i] * (1 + rel))
    def down(i, j):
        p = _increase_p(s, j, i)                       # the earlier size above the later one
        return (p < alpha) if np.isfinite(p) else (m[j] < m[i] * (1 - rel))
    k = len(m)
    lowest = int(np.argmin(m))
    if lowest < k - 1 and down(0, lowest) and up(lowest, k - 1):
        return "dipping", f"falls to {m[lowest]:.3g} at size {s.sizes[lowest]:g}, then rises to {m[-1]:.3g}"
    highest = int(np.argmax(m))
    if 0 < highest < k - 1 and up(0, highest) and down(highest, k - 1):
        return "peaking", f"rises to {m[highest]:.3g} at size {s.sizes[highest]:g}, then falls"
    rises = [i for i in range(k - 1) if up(i, i + 1)]
    if rises:
        return "non-monotone", f"significant rise after size {s.sizes[rises[0]]:g}"
    if not down(0, k - 1):
        return "flat", f"no significant decrease from {m[0]:.3g} to {m[-1]:.3g}"
    return "regular", "decreasing"


def split(s: SizeStats, min_train: int = 4) -> int:
    """Number of training sizes: the first half of the distinct sizes, at least ``min_train``."""
    n_train = max(min_train, int(np.ceil(len(s.sizes) / 2)))
    if n_train >= len(s.sizes):
        raise ScalingLabError(f"a curve with {len(s.sizes)} sizes leaves nothing to predict "
                              f"(training on {n_train})")
    return n_train


def _interval(fit_result, sizes, n_boot: int, seed: int, levels=(0.8, 0.95)):
    """Log-space prediction intervals: bootstrap band of the curve plus the residual noise."""
    pred = fit_result.predict(sizes)
    boot = fit_result.bootstrap(n_boot, seed=seed)
    draws = fit_result.law.predict(sizes, boot.draws) if len(boot.draws) else pred[None]
    with np.errstate(all="ignore"):
        sd_boot = np.nanstd(np.log(draws), axis=0)
    dof = max(len(fit_result.residuals) - fit_result.n_free, 1)
    s = float(np.sqrt(np.sum(fit_result.residuals ** 2) / dof))
    sd = np.sqrt(sd_boot ** 2 + (NOISE_SCALE * s) ** 2)
    return pred, {lv: (pred * np.exp(-stats.norm.ppf(0.5 + lv / 2) * sd),
                       pred * np.exp(stats.norm.ppf(0.5 + lv / 2) * sd)) for lv in levels}


def backtest_curve(name: str, s: SizeStats, *, methods=METHODS, min_train: int = 4, n_boot: int = 100,
                   seed: int = 0) -> list[dict]:
    """One row per method: scores, coverage, failure and time (see the module docstring)."""
    n_train = split(s, min_train)
    mean = np.maximum(s.mean, FLOOR_VALUE)
    train = SizeStats(s.sizes[:n_train], mean[:n_train], s.sd[:n_train], s.count[:n_train])
    curve = Curve(train.sizes, train.mean)
    test_x, test_y = s.sizes[n_train:], mean[n_train:]
    category, evidence = classify(train)
    rows = []
    for method in methods:
        t0 = time.perf_counter()
        row = {"curve": name, "method": method, "category": category, "evidence": evidence, "failed": False,
               "law": method, "score": np.nan, "rmse": np.nan, "cover80": np.nan, "cover95": np.nan}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if method == "last" or (method == "auto" and category in FALLBACK_CATEGORIES):
                    pred = np.full(len(test_x), train.mean[-1])
                    bands = None
                    row["law"] = "last"
                else:
                    law = method
                    if method == "auto":
                        law = fit(curve, law="auto", candidates=LAWS).law
                        row["law"] = law.name
                    result = fit_quiet(curve, law)
                    pred, bands = _interval(result, test_x, n_boot, seed)
            err = np.log(pred) - np.log(test_y)
            if not np.all(np.isfinite(err)):
                raise FloatingPointError("non-finite prediction")
            row.update(score=float(abs(err[-1])), rmse=float(np.sqrt(np.mean(err ** 2))))
            if bands is not None:
                row.update(cover80=float(np.mean((bands[0.8][0] <= test_y) & (test_y <= bands[0.8][1]))),
                           cover95=float(np.mean((bands[0.95][0] <= test_y) & (test_y <= bands[0.95][1]))))
        except (ScalingLabError, FloatingPointError, ValueError, np.linalg.LinAlgError) as exc:
            row.update(failed=True, error=f"{type(exc).__name__}: {exc}")
        row["seconds"] = time.perf_counter() - t0
        rows.append(row)
    return rows


def summarise(rows: pd.DataFrame) -> pd.DataFrame:
    """method × median, mean score, win rate, coverage, failure rate, time."""
    ok = rows[~rows["failed"]]
    pivot = ok.pivot_table(index="curve", columns="method", values="score")
    best = pivot.min(axis=1)
    wins = pivot.eq(best, axis=0)
    win_rate = (wins.div(wins.sum(axis=1), axis=0)).mean()            # ties shared
    grouped = rows.groupby("method")
    table = pd.DataFrame({
        "median": ok.groupby("method")["score"].median(),
        "mean": ok.groupby("method")["score"].mean(),
        "rmse_median": ok.groupby("method")["rmse"].median(),
        "win_rate": win_rate,
        "cover80": ok.groupby("method")["cover80"].mean(),
        "cover95": ok.groupby("method")["cover95"].mean(),
        "failures": grouped["failed"].mean(),
        "seconds": grouped["seconds"].sum(),
    })
    return table.reindex([m for m in METHODS if m in table.index])


@dataclass(frozen=True)
class BacktestReport:
    rows: pd.DataFrame
    summary: pd.DataFrame

    def by_category(self) -> pd.DataFrame:
        """Median score per method within each curve category."""
        ok = self.rows[~self.rows["failed"]]
        return ok.pivot_table(index="category", columns="method", values="score", aggfunc="median")

    def __str__(self) -> str:
        return self.summary.to_string(float_format=lambda v: f"{v:.3f}")


def run(curves: Mapping[str, SizeStats | Curve], *, methods=METHODS, min_train: int = 4, n_boot: int = 100,
        seed: int = 0, progress=None) -> BacktestReport:
    """Backtest every curve (curves too short for the protocol are skipped and counted)."""
    rows = []
    items = list(curves.items())
    loop = items if progress is None else progress(items)
    for name, c in loop:
        s = c if isinstance(c, SizeStats) else SizeStats.from_curve(c)
        if len(s.sizes) <= min_train:
            continue
        rows.extend(backtest_curve(name, s, methods=methods, min_train=min_train, n_boot=n_boot, seed=seed))
    if not rows:
        raise ScalingLabError(f"no curve has more than {min_train} distinct sizes")
    frame = pd.DataFrame(rows)
    return BacktestReport(frame, summarise(frame))
