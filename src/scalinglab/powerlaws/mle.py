r"""Maximum-likelihood exponents of power-law tails, for many candidate x_min at once.

Continuous, no upper cut-off (Clauset, Shalizi & Newman 2009, eq. 3.1):
:math:`\hat\alpha = 1 + m / \sum_{x_k \ge x_{min}} \ln(x_k/x_{min})`, standard error
:math:`(\hat\alpha - 1)/\sqrt m`. Discrete: maximise
:math:`\ell(\alpha) = -\alpha\sum\ln x_k - m\ln\zeta(\alpha, x_{min})` (Hurwitz zeta; eq. 3.5),
numerically: the closed-form approximation :math:`1 + m/\sum\ln(x/(x_{min}-1/2))` is badly
biased at x_min = 1. With an upper cut-off x_max the normalisation is truncated and the
continuous case is also solved numerically.
"""

from __future__ import annotations

import numpy as np
from scipy import special

ALPHA_RANGE = (1.0 + 1e-6, 20.0)
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


def log_likelihood(alpha, xmin, m, sum_log, discrete: bool, xmax=None):
    """Log-likelihood of m tail points with sum of ln x = ``sum_log`` (arrays broadcast)."""
    alpha = np.asarray(alpha, float)
    with np.errstate(all="ignore"):
        if discrete:
            norm = special.zeta(alpha, xmin)
            if xmax is not None:
                norm = norm - special.zeta(alpha, xmax + 1.0)
            return -alpha * sum_log - m * np.log(norm)
        ll = m * np.log((alpha - 1.0) / xmin) - alpha * (sum_log - m * np.log(xmin))
        if xmax is not None:
            ll = ll - m * np.log1p(-(xmax / xmin) ** (1.0 - alpha))
        return ll


def fit_alpha(xmin, m, sum_log, discrete: bool, xmax=None, iterations: int = 72) -> np.ndarray:
    """MLE of alpha for each candidate (vectorised): closed form when continuous without x_max,
    otherwise golden-section search on ALPHA_RANGE (the likelihood is concave in alpha); 72
    steps shrink the bracket to 19·0.618^72 ≈ 2e-14. NaN where the maximum is at an end of
    the range."""
    xmin, m, sum_log = (np.asarray(v, float) for v in (xmin, m, sum_log))
    if not discrete and xmax is None:
        with np.errstate(divide="ignore", invalid="ignore"):
            return 1.0 + m / (sum_log - m * np.log(xmin))
    lo = np.full(np.broadcast(xmin, m).shape, ALPHA_RANGE[0])
    hi = np.full_like(lo, ALPHA_RANGE[1])
    a = hi - _GOLDEN * (hi - lo)
    b = lo + _GOLDEN * (hi - lo)
    fa = log_likelihood(a, xmin, m, sum_log, discrete, xmax)
    fb = log_likelihood(b, xmin, m, sum_log, discrete, xmax)
    for _ in range(iterations):
        left = np.where(np.isnan(fa), -np.inf, fa) > np.where(np.isnan(fb), -np.inf, fb)   # maximum in [lo, b]
        hi = np.where(left, b, hi)
        lo = np.where(left, lo, a)
        new_a = np.where(left, hi - _GOLDEN * (hi - lo), b)
        new_b = np.where(left, a, lo + _GOLDEN * (hi - lo))
        f_new = log_likelihood(np.where(left, new_a, new_b), xmin, m, sum_log, discrete, xmax)
        fa, fb = np.where(left, f_new, fb), np.where(left, fa, f_new)
        a, b = new_a, new_b
    best = 0.5 * (lo + hi)
    # an optimum at either end of the range means the likelihood keeps rising beyond it (e.g.
    # a tail cut by x_max that is flatter than any alpha > 1): no exponent in the range fits
    return np.where((best < ALPHA_RANGE[0] + 1e-7) | (best > ALPHA_RANGE[1] - 1e-7), np.nan, best)


def standard_error(alpha, xmin, m, sum_log, discrete: bool, xmax=None) -> float:
    """Asymptotic standard error: (alpha - 1)/sqrt(m) in the continuous case without x_max,
    otherwise 1/sqrt(-l''(alpha)) by a central second difference."""
    if not discrete and xmax is None:
        return float((alpha - 1.0) / np.sqrt(m))
    h = 1e-4 * max(alpha, 1.0)
    f = [float(log_likelihood(alpha + k * h, xmin, m, sum_log, discrete, xmax)) for k in (-1, 0, 1)]
    curvature = -(f[0] - 2 * f[1] + f[2]) / h ** 2
    return float(1.0 / np.sqrt(curvature)) if curvature > 0 else float("nan")


def cdf(x, alpha, xmin, discrete: bool, xmax=None, strict: bool = False):
    """P(X <= x) of the fitted tail (P(X < x) with ``strict`` for discrete data), broadcast."""
    x, alpha, xmin = (np.asarray(v, float) for v in (x, alpha, xmin))
    with np.errstate(all="ignore"):
        if discrete:
            norm = special.zeta(alpha, xmin)
            upper = norm - (special.zeta(alpha, xmax + 1.0) if xmax is not None else 0.0)
            return 1.0 - (special.zeta(alpha, x if strict else x + 1.0) -
                          (norm - upper)) / upper
        tail = (x / xmin) ** (1.0 - alpha)
        if xmax is None:
            return 1.0 - tail
        return (1.0 - tail) / (1.0 - (xmax / xmin) ** (1.0 - alpha))
