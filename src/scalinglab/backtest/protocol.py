"""The backtest protocol: per-size statistics, curve categories, the split of each curve.

Per curve (the default of the extrapolation benchmark): the per-size mean of the metric
over seeds; fit on the first half of the distinct sizes (at least ``min_train``), predict
every held-out size. ``auto`` runs its own backtest inside the training part, exactly as
``fit(law="auto")`` does: it holds out the largest 25 % of the training sizes.

Ill-behaved curves (LCDB 1.1: many learning curves are not monotone) are detected from the
per-size means and, where available, their spread across seeds (one-sided Welch t-tests
between sizes): "flat" (no significant decrease from the first to the last training size),
"non-monotone" (a significant increase between consecutive sizes), "peaking" (a significant
rise, then a fall) and "dipping" (a fall, then a significant rise at the end).

Values are the *fitted* values of :mod:`scalinglab.metric` (lower is better: an accuracy enters
as 1 − accuracy), so scores are |log ŷ − log y| of the error whichever way the metric points.
No scale is assumed: a per-size mean of exactly 0 (a perfect score) follows the one rule for
zeros (:mod:`scalinglab.fitting.prepare`): half the smallest positive mean — of the training part
for the fits (no peeking at the held-out sizes), of the whole curve for the held-out values.
"""


from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..curves import Curve
from ..errors import ScalingLabError, ScalingLabWarning
from ..fitting.many import StackedCurves
from ..fitting.prepare import positive_for_log



@dataclass(frozen=True)
class SizeStats:
    """A learning curve as per-size mean, standard deviation and number of seeds."""

    sizes: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    count: np.ndarray

    @classmethod
    def from_curve(cls, curve: Curve) -> "SizeStats":
        """Per-size statistics of the curve's fitted values (lower is better)."""
        if not isinstance(curve, Curve):
            raise ScalingLabError(f"expected a Curve (or SizeStats), got {type(curve).__name__}")
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


@dataclass(frozen=True)
class Suite:
    """The curves of a backtest, split and stacked: training parts (for the fits), the inner
    split of each training part (for ``auto``'s own backtest), and the held-out sizes."""

    names: list
    categories: list
    evidence: list
    train: StackedCurves
    inner_train: StackedCurves
    inner_X: np.ndarray          # (C, h) sizes auto holds out of the training part; W = 0 padding
    inner_Y: np.ndarray
    inner_W: np.ndarray
    test_X: np.ndarray           # (C, m) held-out sizes of the protocol; W = 0 padding
    test_Y: np.ndarray
    test_W: np.ndarray
    last: np.ndarray             # (C,) last training value
    last_unit: np.ndarray        # (C,) log-scale spread of the last value (see last_unit)
    cap: np.ndarray | None = None  # (C,) largest possible fitted value (inf: unbounded); intervals stay below
    noise: np.ndarray | None = None  # (C,) the training part's replicate noise (see replicate_noise); 0 if unknown

    def caps(self) -> np.ndarray:
        return np.full(len(self.names), np.inf) if self.cap is None else self.cap

    def noises(self) -> np.ndarray:
        return np.zeros(len(self.names)) if self.noise is None else self.noise

    def __len__(self) -> int:
        return len(self.names)

    def take(self, rows: np.ndarray) -> "Suite":
        """The suite restricted to some curves (for chunks of parallel work)."""
        pick = lambda seq: [seq[i] for i in rows]                          # noqa: E731
        return Suite(pick(self.names), pick(self.categories), pick(self.evidence), self.train.subset(rows),
                     self.inner_train.subset(rows), self.inner_X[rows], self.inner_Y[rows], self.inner_W[rows],
                     self.test_X[rows], self.test_Y[rows], self.test_W[rows], self.last[rows], self.last_unit[rows],
                     self.caps()[rows], self.noises()[rows])

    @property
    def i_largest(self) -> np.ndarray:
        """Column of each curve's largest held-out size in test_X."""
        return (self.test_W > 0).sum(axis=1) - 1


def _pad(rows: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    st = StackedCurves.pad(rows)
    return st.X, st.Y, st.W


def inner_split(n_train: int, holdout: float = 0.25) -> int:
    """Sizes ``auto`` holds out of a training part: as :func:`scalinglab.fitting.select.backtest_split`."""
    n_hold = max(1, int(round(holdout * n_train)))
    return n_hold if n_train - n_hold >= 2 else 0


def last_value_unit(s: SizeStats, k: int, mean: np.ndarray | None = None) -> float:
    """Log-scale uncertainty of the last of the first ``k`` sizes as a forecast: its standard
    error across seeds combined with the latest change of the curve (at least 1e-3, relative).
    ``mean``: the per-size means with zeros already replaced (default: those of ``s``)."""
    mean = positive_for_log(s.mean[:k], "per-size means")[0] if mean is None else mean
    rel_se = s.sd[k - 1] / mean[k - 1] / np.sqrt(max(s.count[k - 1], 1.0))
    return float(max(np.hypot(rel_se, np.log(mean[k - 2] / mean[k - 1])), 1e-3))


def replicate_noise(s: SizeStats, k: int) -> float:
    """The curve's own noise on the log scale: the median over the first ``k`` sizes of the
    standard error of the per-size mean (sd / mean / sqrt(seeds)), over the sizes with at least
    two seeds; 0 when no size has replicates (the noise is then unknown, not zero)."""
    with np.errstate(all="ignore"):
        se = s.sd[:k] / s.mean[:k] / np.sqrt(np.maximum(s.count[:k], 1))
    se = se[(s.count[:k] > 1) & np.isfinite(se)]
    return float(np.median(se)) if se.size else 0.0


def _stats_and_cap(name, c) -> tuple[SizeStats, float]:
    if isinstance(c, SizeStats):
        return c, np.inf
    if not isinstance(c, Curve):
        raise ScalingLabError(f"curve {name!r}: expected a Curve or SizeStats, got {type(c).__name__}")
    return SizeStats.from_curve(c), c.metric_info.cap


def prepare(curves: Mapping[str, SizeStats | Curve], min_train: int = 4) -> Suite:
    """Split every curve by the protocol; curves with at most ``min_train`` sizes are left out.
    Zeros follow the rule of the module docstring; one ScalingLabWarning counts the curves with zeros."""
    if not isinstance(curves, Mapping):
        raise ScalingLabError(f"curves must be a mapping name -> Curve (or a CurveSet), got {type(curves).__name__}")
    if isinstance(min_train, bool) or int(min_train) != min_train or min_train < 2:
        raise ScalingLabError(f"min_train must be a whole number >= 2, got {min_train!r}")
    names, cats, evid, train, inner_train, inner, test, last, unit, caps, noise = ([] for _ in range(11))
    with_zeros = []
    for name, c in curves.items():
        s, cap = _stats_and_cap(name, c)
        if len(s.sizes) <= min_train:
            continue
        k = split(s, min_train)
        mean = positive_for_log(s.mean[:k], f"curve {name!r}, training sizes")[0]
        whole, zeros_all, _ = positive_for_log(s.mean, f"curve {name!r}")
        if zeros_all.size:
            with_zeros.append(str(name))
        category, evidence = classify(SizeStats(s.sizes[:k], mean, s.sd[:k], s.count[:k]))
        h = inner_split(k)
        names.append(name)
        cats.append(category)
        evid.append(evidence)
        train.append((s.sizes[:k], mean))
        inner_train.append((s.sizes[:k - h], mean[:k - h]))
        inner.append((s.sizes[k - h:k], mean[k - h:k]))
        test.append((s.sizes[k:], whole[k:]))
        last.append(mean[k - 1])
        unit.append(last_value_unit(s, k, mean))
        caps.append(cap)
        noise.append(replicate_noise(s, k))
    if not names:
        raise ScalingLabError(f"no curve has more than {min_train} distinct sizes")
    if with_zeros:
        warnings.warn(f"{len(with_zeros)} curve(s) have sizes whose mean is exactly 0 ({', '.join(with_zeros[:5])}"
                      f"{' ...' if len(with_zeros) > 5 else ''}): each such mean is taken as half the smallest "
                      "positive mean of its curve (the rule for zeros, scalinglab.fitting.prepare)", ScalingLabWarning,
                      stacklevel=3)
    return Suite(names, cats, evid, StackedCurves.pad(train), StackedCurves.pad(inner_train), *_pad(inner),
                 *_pad(test), np.array(last), np.array(unit), np.array(caps, float), np.array(noise, float))
