"""x_min by minimising the Kolmogorov–Smirnov distance, exactly, without the O(n²) scan.

For a candidate x_min = u_i (the i-th distinct value), the tail holds the values u_k, k >= i.
With C_k the number of observations below u_k, the empirical CDF of the tail jumps at u_k
from A_k = (C_k − C_i)/m_i to B_k = (C_{k+1} − C_i)/m_i, and the KS distance is

    D_i = max_k max(T_i(u_k⁻) − A_k, B_k − T_i(u_k))           (Clauset et al. 2009, eq. 3.9)

(T_i: fitted CDF, left limit for discrete data). Evaluating it for every candidate costs
O(n²). Branch and bound instead: on a coarse subset of tail points, exact values give a
lower bound on D_i and, because A, B and T all increase with k, the values at consecutive
subset points bound everything in between, giving an upper bound. Candidates whose lower
bound exceeds the smallest upper bound cannot win and are dropped; the subset is refined
(×8) for the survivors until it holds every point, where both bounds equal D_i. The result is
identical to the full scan.

``convention="powerlaw"`` compares only at the left limits A_k (what the ``powerlaw``
package 2.0 does), for like-for-like comparisons with it.
"""

from __future__ import annotations

import numpy as np

from . import mle

#: Elements (candidates × subset points) per vectorised chunk.
CHUNK = 4_000_000
#: Subset points of the first, coarsest level, and exact evaluations per level.
FIRST_POINTS, PROBES = 32, 20


def tail_statistics(values: np.ndarray, discrete: bool):
    """Distinct sorted values u, counts below each (C, length U + 1), and for every candidate
    i the tail size m_i and the tail's sum of ln x."""
    u, counts = np.unique(values, return_counts=True)
    below = np.concatenate([[0], np.cumsum(counts)])
    n = below[-1]
    m = n - below[:-1]
    log_sum = np.cumsum((counts * np.log(u))[::-1])[::-1]
    return u, below, m.astype(float), log_sum


def _tail_cdf(log_u_k, log_u_i, u_k, u_i, alpha, discrete, xmax):
    """Fitted tail CDF at u_k for candidates at u_i: right values and left limits."""
    if discrete:
        return (mle.cdf(u_k, alpha, u_i, True, xmax), mle.cdf(u_k, alpha, u_i, True, xmax, strict=True))
    with np.errstate(over="ignore", invalid="ignore"):
        tail = np.exp((1.0 - alpha) * (log_u_k - log_u_i))
    right = 1.0 - tail if xmax is None else (1.0 - tail) / (1.0 - (xmax / u_i) ** (1.0 - alpha))
    return right, right


def _bounds(cand, grid_idx, u, log_u, below, m, alpha, discrete, xmax, convention):
    """Lower and upper bounds of D for the candidates ``cand`` from the tail points at the
    sorted indices ``grid_idx`` (which must include the last value) plus x_min itself."""
    mi, ci, ai = m[cand][:, None], below[cand][:, None], alpha[:, None]
    ui, lui = u[cand][:, None], log_u[cand][:, None]
    # x_min itself: A = 0, B = count(u_i)/m_i
    t_r0, t_l0 = _tail_cdf(lui, lui, ui, ui, ai, discrete, xmax)
    b0 = (below[cand + 1][:, None] - ci) / mi if convention == "clauset" else np.zeros_like(mi)
    a0 = np.zeros_like(mi)
    # the subset points above x_min (others masked)
    g = grid_idx[None, :]
    above = g > cand[:, None]
    A = (below[grid_idx][None, :] - ci) / mi
    B = (below[grid_idx + 1][None, :] - ci) / mi if convention == "clauset" else A
    T_right, T_left = _tail_cdf(log_u[grid_idx][None, :], lui, u[grid_idx][None, :], ui, ai, discrete, xmax)
    low = np.where(above, np.maximum(T_left - A, B - T_right), -np.inf)
    lower = np.maximum(np.max(low, axis=1), np.maximum(t_l0 - a0, b0 - t_r0)[:, 0])
    # consecutive points p < q (x_min first): A, B, T increase, so in between
    #   T - A <= T_right(q) - A(p)   and   B - T <= B(q) - T_left(p)
    first = np.argmax(above, axis=1)                     # first subset point above x_min
    rows = np.arange(len(cand))
    seg = np.maximum(T_right[:, 1:] - A[:, :-1], B[:, 1:] - T_left[:, :-1])
    seg = np.where(above[:, :-1] & above[:, 1:], seg, -np.inf)
    start = np.maximum(T_right[rows, first] - a0[:, 0], B[rows, first] - t_l0[:, 0])
    start = np.where(above[rows, first], start, -np.inf)
    upper = np.maximum(lower, np.maximum(np.max(seg, axis=1), start))
    return lower, upper


def _exact(i, u, log_u, below, m, alpha, discrete, xmax, convention) -> float:
    """The exact KS distance of one candidate (every tail point)."""
    idx = np.arange(i, len(u))
    lower, _ = _bounds(np.array([i]), idx, u, log_u, below, m, alpha[[i]], discrete, xmax, convention)
    return float(lower[0])


def search(values: np.ndarray, *, discrete: bool, xmax=None, min_tail: int = 2,
           convention: str = "clauset"):
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
    usable = np.isfinite(alpha[cand]) & (alpha[cand] > 1.0)
    cand = cand[usable]
    distances = np.full(U, np.nan)
    log_u = np.log(u)
    step = max(1, U // FIRST_POINTS)
    best_exact = np.inf
    while True:
        grid_idx = np.unique(np.append(np.arange(0, U, step), U - 1))
        lower = np.empty(len(cand))
        upper = np.empty(len(cand))
        chunk = max(1, CHUNK // (len(grid_idx) + 1))
        for s in range(0, len(cand), chunk):
            c = cand[s:s + chunk]
            lower[s:s + chunk], upper[s:s + chunk] = _bounds(c, grid_idx, u, log_u, below, m, alpha[c],
                                                             discrete, xmax, convention)
        if step == 1:
            distances[cand] = lower          # every tail point evaluated: the exact distance
            break
        # exact distances of the most promising candidates give a far tighter threshold than
        # the smallest upper bound, so most candidates are dropped while the subset is coarse
        for probe in cand[np.argsort(lower + upper)[:PROBES]]:
            distances[probe] = _exact(probe, u, log_u, below, m, alpha, discrete, xmax, convention)
            best_exact = min(best_exact, distances[probe])
        cand = cand[lower <= min(upper.min(), best_exact)]
        step = max(1, step // 4)
    finite = np.where(np.isfinite(distances), distances, np.inf)
    best = int(np.argmin(finite))
    return u, alpha, distances, int(best), m
