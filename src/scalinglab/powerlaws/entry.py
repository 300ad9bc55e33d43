"""Entry points: token counts (Zipf's law) and the singular-value spectrum of a data matrix."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from ..errors import ScalingLabError
from .fitting import PowerLawFit, fit


@dataclass(frozen=True)
class ZipfFit:
    """Zipf's law f(r) ∝ r^-s for frequencies f by rank r.

    ``s`` comes from the MLE power-law tail of the frequencies (P(f) ∝ f^-alpha implies
    s = 1/(alpha - 1), e.g. Newman 2005 §II.B); ``s_rank`` is the least-squares slope of
    log f on log r over ``rank_range`` (what one reads off a rank-frequency plot).
    """

    s: float
    s_stderr: float
    tail: PowerLawFit
    s_rank: float
    rank_range: tuple[int, int]
    frequencies: np.ndarray       # sorted, descending

    def __str__(self) -> str:
        return (f"Zipf exponent s = {self.s:.3f} ± {self.s_stderr:.3f} (from the frequency tail, alpha = "
                f"{self.tail.alpha:.3f}, f >= {self.tail.xmin:g}); rank-frequency slope over ranks "
                f"{self.rank_range[0]}–{self.rank_range[1]}: {self.s_rank:.3f}")


def zipf(counts, *, rank_range: tuple[int, int] | None = None) -> ZipfFit:
    """Zipf exponent from token counts: a sequence of tokens (strings) or the frequency of
    each type (positive whole numbers)."""
    items = list(counts) if not isinstance(counts, np.ndarray) else counts
    if len(items) and isinstance(items[0], str):
        freq = np.array(sorted(Counter(items).values(), reverse=True), float)
    else:
        freq = np.sort(np.asarray(items, float))[::-1]
    if freq.size < 3 or np.any(freq <= 0) or np.any(freq != np.round(freq)):
        raise ScalingLabError("counts must be at least 3 positive whole numbers (frequency per type) or tokens")
    tail = fit(freq, discrete=True)
    s = 1.0 / (tail.alpha - 1.0)
    s_err = tail.sigma / (tail.alpha - 1.0) ** 2
    lo, hi = rank_range or (1, int(min(len(freq), 1000)))
    if not 1 <= lo < hi <= len(freq):
        raise ScalingLabError(f"rank_range must satisfy 1 <= lo < hi <= {len(freq)}, got {rank_range!r}")
    r = np.arange(lo, hi + 1)
    slope = np.polyfit(np.log(r), np.log(freq[lo - 1:hi]), 1)[0]
    return ZipfFit(s=float(s), s_stderr=float(s_err), tail=tail, s_rank=float(-slope), rank_range=(lo, hi),
                   frequencies=freq)


@dataclass(frozen=True)
class SpectrumFit:
    """Decay of singular values σ_r ∝ r^-exponent over ``rank_range`` (log-log least squares)."""

    exponent: float
    stderr: float
    rank_range: tuple[int, int]
    singular_values: np.ndarray

    def __str__(self) -> str:
        return (f"singular values decay as r^-{self.exponent:.3f} (± {self.stderr:.3f}) over ranks "
                f"{self.rank_range[0]}–{self.rank_range[1]} of {len(self.singular_values)}")


def spectrum(matrix, *, rank_range: tuple[int, int] | None = None) -> SpectrumFit:
    """Singular values of the column-centred data matrix (rows = samples) and the power-law
    decay exponent over ``rank_range`` (default: ranks 2 to half the number of non-zero
    singular values; the first is dominated by scale, the last by noise). The range used is
    reported: the exponent depends on it."""
    X = np.asarray(matrix, float)
    if X.ndim != 2 or min(X.shape) < 4 or not np.all(np.isfinite(X)):
        raise ScalingLabError("matrix must be a finite 2-D array with at least 4 rows and 4 columns")
    sv = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    nonzero = int(np.sum(sv > sv[0] * 1e-12))
    lo, hi = rank_range or (2, max(3, nonzero // 2))
    if not 1 <= lo < hi <= nonzero:
        raise ScalingLabError(f"rank_range must satisfy 1 <= lo < hi <= {nonzero} (non-zero singular values)")
    r = np.arange(lo, hi + 1)
    coef, cov = np.polyfit(np.log(r), np.log(sv[lo - 1:hi]), 1, cov=True) if hi - lo >= 3 else \
        (np.polyfit(np.log(r), np.log(sv[lo - 1:hi]), 1), np.full((2, 2), np.nan))
    return SpectrumFit(exponent=float(-coef[0]), stderr=float(np.sqrt(cov[0, 0])), rank_range=(lo, hi),
                       singular_values=sv)
