r"""Likelihood-ratio tests of the power-law tail against other heavy-tailed candidates
(Clauset, Shalizi & Newman 2009, §5; Vuong 1989).

Each alternative is fitted by maximum likelihood to the same tail (x >= x_min, truncated
normalisation). With :math:`\ell_i` the per-point log-likelihood difference (power law minus
alternative), :math:`R = \sum \ell_i`, the normalised ratio is :math:`R/(\sigma\sqrt n)` and the
two-sided p-value :math:`\mathrm{erfc}(|R|/(\sigma\sqrt{2n}))`; R > 0 favours the power law. For
the nested truncated power law the p-value is :math:`\chi^2_1` of 2|R| (as in ``powerlaw``).
Continuous data only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, optimize, special, stats

from ..errors import ScalingLabError

ALTERNATIVES = ("lognormal", "exponential", "stretched_exponential", "truncated_power_law")


def power_law_loglik(x, alpha, xmin):
    return np.log((alpha - 1.0) / xmin) - alpha * np.log(x / xmin)


def _fit(neg_loglik, start):
    out = optimize.minimize(neg_loglik, start, method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000, "maxfev": 40000})
    return out.x


def lognormal_loglik(x, xmin, params):
    mu, log_sigma = params
    sigma = np.exp(log_sigma)
    z = (np.log(x) - mu) / sigma
    return (-np.log(x) - np.log(sigma) - 0.5 * np.log(2 * np.pi) - 0.5 * z * z
            - stats.norm.logsf((np.log(xmin) - mu) / sigma))


def exponential_loglik(x, xmin, params):
    lam = np.exp(params[0])
    return np.log(lam) - lam * (x - xmin)


def stretched_loglik(x, xmin, params):
    lam, beta = np.exp(params)
    return np.log(beta) + beta * np.log(lam) + (beta - 1) * np.log(x) - (lam * x) ** beta + (lam * xmin) ** beta


def _truncated_norm(alpha, lam, xmin):
    """log of the integral of x^-alpha e^(-lam x) over [xmin, inf), by quadrature on t = x/xmin."""
    z = lam * xmin
    value, _ = integrate.quad(lambda t: np.exp(-alpha * np.log(t) - z * (t - 1.0)), 1.0, np.inf, limit=200)
    return (1.0 - alpha) * np.log(xmin) - z + np.log(value)


def truncated_loglik(x, xmin, params):
    alpha, log_lam = params
    lam = np.exp(log_lam)
    return -alpha * np.log(x) - lam * x - _truncated_norm(alpha, lam, xmin)


def fit_alternative(name: str, x: np.ndarray, xmin: float, alpha: float):
    """MLE parameters of an alternative on the tail and its per-point log-likelihoods."""
    logx = np.log(x)
    if name == "lognormal":
        fn = lognormal_loglik
        start = np.array([logx.mean(), np.log(max(logx.std(), 1e-3))])
    elif name == "exponential":
        lam = 1.0 / max(np.mean(x - xmin), 1e-300)
        return np.array([np.log(lam)]), exponential_loglik(x, xmin, [np.log(lam)])
    elif name == "stretched_exponential":
        fn = stretched_loglik
        start = np.array([-np.log(np.mean(x)), np.log(0.5)])
    elif name == "truncated_power_law":
        fn = truncated_loglik
        start = np.array([alpha, np.log(1.0 / (10 * np.max(x)))])
    else:
        raise ScalingLabError(f"unknown alternative {name!r}; choose from {ALTERNATIVES}")

    def negative(p):
        with np.errstate(all="ignore"):
            ll = fn(x, xmin, p)
        total = np.sum(ll)
        return -total if np.isfinite(total) else 1e300

    params = _fit(negative, start)
    return params, fn(x, xmin, params)


@dataclass(frozen=True)
class Comparison:
    """Result of a likelihood-ratio test: R > 0 favours the power law."""

    alternative: str
    R: float
    normalized_R: float
    p: float
    params: tuple

    @property
    def favours(self) -> str:
        if self.p >= 0.1:
            return "neither (not significant)"
        return "power law" if self.R > 0 else self.alternative

    def __str__(self) -> str:
        return (f"power law vs {self.alternative}: R = {self.R:.4g} (normalised {self.normalized_R:.3g}), "
                f"p = {self.p:.3g}: favours {self.favours}.")


def vuong(ll_power: np.ndarray, ll_alt: np.ndarray, nested: bool = False) -> tuple[float, float, float]:
    """(R, normalised R, p) of Vuong's test on per-point log-likelihoods."""
    diff = ll_power - ll_alt
    n = len(diff)
    R = float(np.sum(diff))
    sigma = float(np.std(diff))
    normalized = R / (sigma * np.sqrt(n)) if sigma > 0 else 0.0
    if nested:
        p = float(stats.chi2.sf(abs(2 * R), 1))
    else:
        p = float(special.erfc(abs(R) / (sigma * np.sqrt(2 * n)))) if sigma > 0 else 1.0
    return R, normalized, p
