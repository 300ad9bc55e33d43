"""x_min by minimising the Kolmogorov–Smirnov distance, exactly, without the O(n²) scan.

For a candidate x_min = u_i (the i-th distinct value) the tail holds the values u_k, k >= i,
m_i of them. With C_k the number of observations below u_k, the empirical CDF of the tail
jumps at u_k from A_k = (C_k − C_i)/m_i to B_k = (C_{k+1} − C_i)/m_i. With T_i the fitted
CDF (T⁻ its left limit, which differs from T for discrete data) the distance is

    D_i = max_k max(T⁻_i(u_k) − A_k,  B'_k − T_i(u_k))          (Clauset et al. 2009, eq. 3.9)

where B'_k depends on the ``convention`` (each named by what it compares):

* ``"sorted_points"``: B'_k = B_k − 1/m_i and T⁻ replaced by T. With x_(1) <= … <= x_(m) the
  sorted tail, this is max_j |T(x_(j)) − (j−1)/m| over every tail point, ties included: what
  Clauset et al.'s ``plfit.m`` computes for continuous data
  (``cx = (0:n-1)'/n; cf = 1-(xmin./z).^a; max(abs(cf - cx))``).
* ``"supremum"``: B'_k = B_k: the supremum of |T − F_n| over all x, both sides of every
  jump; for discrete data it equals the maximum over every integer from x_min up, which is
  what ``plfit.m`` computes for discrete data.
* ``"left_limits"``: B'_k = A_k: only the left limits at distinct values (the ``powerlaw``
  package 2.0).

Evaluating every term of every candidate costs O(n²). Instead, every term is a lower bound
on its candidate's D, and a candidate whose lower bound exceeds the exact D of another
cannot win:

1. each candidate's terms at 33 evenly spread points of its own tail give a lower bound;
2. the 8 most promising candidates (smallest lower bounds) are evaluated exactly; the
   smallest exact D is the threshold, and each one's local maxima (the largest term in each
   of 64 blocks of its tail) become witness points for all others: the empirical CDF is
   shared, so neighbouring candidates peak at the same data points;
3. the survivors are evaluated at the witness points, then at 8 times more spread points;
   candidates above the threshold are dropped, and 2–3 repeat until every survivor has been
   evaluated at every tail point.

Survivors end with their exact D from the same per-point formula as the full scan, so the
result is identical to it (ties go to the smallest x_min, as ``plfit.m``'s
``find(dat <= D, 1, 'first')``).
"""

from __future__ import annotations

import numpy as np

from . import mle

CONVENTIONS = ("sorted_points", "supremum", "left_limits")
#: Spread points of the first level, growth factor per level, candidates evaluated exactly
#: per round, and blocks per exact profile that give witness points.
FIRST_POINTS, GROWTH, PROBES, BLOCKS = 32, 8, 8, 64
#: Elements (candidates × points) per vectorised chunk: small enough to stay in cache.
CHUNK = 32_768


def tail_statistics(values: np.ndarray, discrete: bool):
    """Distinct sorted values u, counts below each (C, length U + 1), and for every candidate
    i the tail size m_i and the tail's sum of ln x."""
    u, counts = np.unique(values, return_counts=True)
    below = np.concatenate([[0], np.cumsum(counts)])
    n = below[-1]
    m = n - below[:-1]
    log_sum = np.cumsum((counts * np.log(u))[::-1])[::-1]
    return u, below, m.astype(float), log_sum


class _Tails:
    """The data of one search; ``terms(i, k)`` evaluates the terms of D for candidates i
    (a column) at tail points k (rows broadcast).

    Continuous without x_max, in counts: with S_k the number of values >= u_k and
    w = m_i·(u_k/u_i)^(1−α_i), m_i·(T − A) = S_k − w and m_i·(B' − T) = w − S'_k, where S'_k
    is the number above u_k (plus 1 for sorted points; S_k itself for left limits)."""

    def __init__(self, u, below, m, alpha, discrete, xmax, convention):
        if convention not in CONVENTIONS:
            raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
        self.u, self.log_u, self.m, self.alpha = u, np.log(u), m, alpha
        self.below = below.astype(float)
        self.discrete, self.xmax, self.convention = discrete, xmax, convention
        n = self.below[-1]
        self.at_or_above = n - self.below[:-1]                              # S_k
        shift = {"sorted_points": 1.0, "supremum": 0.0}.get(convention)
        self.above = self.at_or_above if shift is None else n - self.below[1:] + shift   # S'_k
        self.fast = not discrete and xmax is None
        with np.errstate(divide="ignore", invalid="ignore"):
            self.log_weight = np.log(m) + (alpha - 1.0) * self.log_u          # ln(m_i·u_i^(α−1))

    def terms(self, i, k):
        i = np.asarray(i)
        if self.fast:
            with np.errstate(over="ignore", invalid="ignore"):
                w = np.exp(self.log_weight[i] - (self.alpha[i] - 1.0) * self.log_u[k])
            return np.maximum(self.at_or_above[k] - w, w - self.above[k]) / self.m[i]
        right, left = self.cdf(i, k)
        if self.convention == "sorted_points":      # the CDF at each point itself: |T(x_(j)) - (j-1)/m|
            left = right
        a = 1.0 - self.at_or_above[k] / self.m[i]
        b = 1.0 - self.above[k] / self.m[i]
        return np.maximum(left - a, b - right)

    def cdf(self, i, k):
        """Fitted tail CDF of candidates i at u_k: (right value, left limit)."""
        a, ui = self.alpha[i], self.u[i]
        if self.discrete:
            return (mle.cdf(self.u[k], a, ui, True, self.xmax), mle.cdf(self.u[k], a, ui, True, self.xmax, strict=True))
        right = mle.cdf(self.u[k], a, ui, False, self.xmax)
        return right, right

    def row_max(self, cand, k):
        """max over each row of k (one row per candidate; points below x_min count as x_min)."""
        k = np.maximum(k, cand[:, None])
        if self.fast:               # divide by m_i once per row, not per term
            with np.errstate(over="ignore", invalid="ignore"):
                w = np.exp(self.log_weight[cand][:, None] - (self.alpha[cand] - 1.0)[:, None] * self.log_u[k])
            return np.maximum(self.at_or_above[k] - w, w - self.above[k]).max(axis=1) / self.m[cand]
        return self.terms(cand[:, None], k).max(axis=1)


def exact_profile(tails: _Tails, i: int) -> np.ndarray:
    """Every term of D_i (the definition)."""
    return tails.terms(i, np.arange(i, len(tails.u)))


def exact_distance(tails: _Tails, i: int) -> float:
    """D_i over every tail point (used for a given x_min and for probes)."""
    return float(np.max(exact_profile(tails, i)))


def _lower_bounds(tails: _Tails, cand: np.ndarray, points) -> np.ndarray:
    """Largest term of each candidate over ``points(candidates)`` (a 2-D array of tail
    indices, one row per candidate), in cache-sized chunks."""
    out = np.empty(len(cand))
    if len(cand) == 0:
        return out
    rows = max(1, CHUNK // points(cand[:1]).shape[1])
    for s in range(0, len(cand), rows):
        c = cand[s:s + rows]
        out[s:s + rows] = tails.row_max(c, points(c))
    return out


def _spread(count: int, U: int):
    """``count + 1`` evenly spread tail points per candidate, x_min and the largest value included."""
    j = np.arange(count + 1)

    def points(cand):     # integer arithmetic: with count >= the tail's length every point is hit
        return cand[:, None] + ((U - 1 - cand)[:, None] * j[None, :]) // count
    return points


def _block_maxima(profile: np.ndarray, start: int) -> np.ndarray:
    """Index of the largest term in each of BLOCKS equal blocks of one exact profile."""
    edges = np.unique(np.linspace(0, len(profile), BLOCKS + 1).astype(np.int64))
    return start + np.array([a + int(np.argmax(profile[a:b])) for a, b in zip(edges[:-1], edges[1:])])


def search(values: np.ndarray, *, discrete: bool, xmax=None, min_tail: int = 2,
           convention: str = "sorted_points"):
    """Best x_min over all distinct values (the largest excluded), exactly.

    Returns (u, alpha per candidate, D per candidate — NaN where never computed exactly —,
    index of the best candidate, tail sizes).
    """
    u, below, m, log_sum = tail_statistics(values, discrete)
    U = len(u)
    cand = np.flatnonzero((m >= min_tail) & (np.arange(U) < U - 1))
    if cand.size == 0:
        raise ValueError("not enough distinct values above any x_min")
    alpha = np.full(U, np.nan)
    alpha[cand] = mle.fit_alpha(u[cand], m[cand], log_sum[cand], discrete, xmax)
    cand = cand[np.isfinite(alpha[cand]) & (alpha[cand] > 1.0)]
    if cand.size == 0:
        raise ValueError("no x_min gives a finite exponent above 1")
    tails = _Tails(u, below, m, alpha, discrete, xmax, convention)
    distances = np.full(U, np.nan)

    count = FIRST_POINTS
    lower = _lower_bounds(tails, cand, _spread(count, U))
    exact = np.zeros(len(cand), bool)
    threshold = np.inf
    while True:
        # exact distances of the most promising candidates, and their local maxima as witnesses
        todo = np.flatnonzero(~exact)
        probes = todo[np.argsort(lower[todo], kind="stable")[:PROBES]]
        witnesses = []
        for p in probes:
            profile = exact_profile(tails, cand[p])
            lower[p] = distances[cand[p]] = profile.max()
            witnesses.append(_block_maxima(profile, cand[p]))
        exact[probes] = True
        threshold = min(threshold, lower[probes].min())
        w = np.unique(np.concatenate(witnesses))
        count = min(count * GROWTH, U)
        for points in (lambda c: np.broadcast_to(w, (len(c), len(w))), _spread(count, U)):
            alive = lower <= threshold
            cand, lower, exact = cand[alive], lower[alive], exact[alive]
            todo = np.flatnonzero(~exact)
            lower[todo] = np.maximum(lower[todo], _lower_bounds(tails, cand[todo], points))
        alive = lower <= threshold
        cand, lower, exact = cand[alive], lower[alive], exact[alive]
        full = ~exact & (U - 1 - cand <= count)          # every tail point has been evaluated
        distances[cand[full]] = lower[full]
        exact |= full
        if exact.all():
            break
    best = int(cand[np.argmin(lower)])
    return u, alpha, distances, best, m
