"""Entry points: token counts (Zipf's law) and the singular-value spectrum of a data matrix."""

from __future__ import annotations

from collections import Counter
from dataclasses import InitVar, dataclass

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
    counts: InitVar[np.ndarray | None] = None

    def __post_init__(self, counts):
        object.__setattr__(self, "_frequencies", np.asarray(counts if counts is not None else [], float))

    @property
    def frequencies(self) -> np.ndarray:
        """Frequency per type, sorted descending (kept out of the fields: ``asdict`` stays small and JSON-ready)."""
        return self._frequencies

    def __str__(self) -> str:
        return (f"Zipf exponent s = {self.s:.3f} ± {self.s_stderr:.3f} (from the frequency tail, alpha = "
                f"{self.tail.alpha:.3f}, f >= {self.tail.xmin:g}); rank-frequency slope over ranks "
                f"{self.rank_range[0]}–{self.rank_range[1]}: {self.s_rank:.3f}")


def zipf(counts, *, rank_range: tuple[int, int] | None = None) -> ZipfFit:
    """Zipf exponent from token counts: a sequence of tokens (strings) or the frequency of
    each type (positive whole numbers)."""
    items = list(counts) if not isinstance(counts, np.ndarray) else counts
    if len(items) and all(isinstance(item, str) for item in items):
        freq = np.array(sorted(Counter(items).values(), reverse=True), float)
    else:
        try:
            freq = np.sort(np.asarray(items, dtype=float).ravel())[::-1]
        except (TypeError, ValueError):
            raise ScalingLabError("counts must be tokens (all strings) or frequencies (all numbers)") from None
    if freq.size < 3 or not np.all(np.isfinite(freq)) or np.any(freq <= 0) or np.any(freq != np.round(freq)):
        raise ScalingLabError("counts must be at least 3 positive whole numbers (frequency per type) or tokens")
    tail = fit(freq, discrete=True)
    s = 1.0 / (tail.alpha - 1.0)
    s_err = tail.sigma / (tail.alpha - 1.0) ** 2
    lo, hi = rank_range or (1, int(min(len(freq), 1000)))
    if not 1 <= lo < hi <= len(freq):
        raise ScalingLabError(f"rank_range must satisfy 1 <= lo < hi <= {len(freq)}, got {rank_range!r}")
    r = np.arange(lo, hi + 1)
    slope = np.polyfit(np.log(r), np.log(freq[lo - 1:hi]), 1)[0]
    return ZipfFit(s=float(s), s_stderr=float(s_err), tail=tail, s_rank=float(-slope), rank_range=(int(lo), int(hi)),
                   counts=freq)


@dataclass(frozen=True)
class SpectrumFit:
    """Decay of singular values σ_r ∝ r^-exponent over ``rank_range`` (log-log least squares)."""

    exponent: float
    stderr: float
    rank_range: tuple[int, int]
    singular_values: tuple[float, ...]

    def __str__(self) -> str:
        return (f"singular values decay as r^-{self.exponent:.3f} (± {self.stderr:.3f}) over ranks "
                f"{self.rank_range[0]}–{self.rank_range[1]} of {len(self.singular_values)}")


def spectrum(matrix, *, rank_range: tuple[int, int] | None = None) -> SpectrumFit:
    """Singular values of the column-centred data matrix (rows = samples) and the power-law
    decay exponent over ``rank_range`` (default: ranks 2 to half the number of non-zero
    singular values; the first is dominated by scale, the last by noise). The range used is
    reported: the exponent depends on it."""
    try:
        X = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError):
        raise ScalingLabError("matrix must be numbers (a 2-D array)") from None
    if X.ndim != 2 or min(X.shape) < 4 or not np.all(np.isfinite(X)):
        raise ScalingLabError("matrix must be a finite 2-D array with at least 4 rows and 4 columns")
    sv = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    nonzero = int(np.sum(sv > sv[0] * 1e-12))
    if nonzero < 5:
        raise ScalingLabError(f"the matrix has {nonzero} non-zero singular values; a decay exponent with a "
                              "standard error needs at least 5")
    lo, hi = rank_range or (2, max(5, nonzero // 2))
    if not (1 <= lo and lo + 3 <= hi <= nonzero):
        raise ScalingLabError(f"rank_range must satisfy 1 <= lo, lo + 3 <= hi <= {nonzero} (at least 4 ranks "
                              f"among the non-zero singular values), got {rank_range!r}")
    r = np.arange(lo, hi + 1)
    coef, cov = np.polyfit(np.log(r), np.log(sv[lo - 1:hi]), 1, cov=True)
    return SpectrumFit(exponent=float(-coef[0]), stderr=float(np.sqrt(cov[0, 0])), rank_range=(int(lo), int(hi)),
                       singular_values=tuple(float(v) for v in sv))
