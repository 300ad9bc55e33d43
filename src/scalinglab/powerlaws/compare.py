r"""Likelihood-ratio tests of the power-law tail against other heavy-tailed candidates
(Clauset, Shalizi & Newman 2009, §5; Vuong 1989).

Each alternative is fitted by maximum likelihood to the same tail (x >= x_min, normalised on
[x_min, ∞)). With :math:`\ell_i` the per-point log-likelihood difference (power law minus
alternative), :math:`R = \sum \ell_i`, the normalised ratio is :math:`R/(\sigma\sqrt n)` and the
two-sided p-value :math:`\mathrm{erfc}(|R|/(\sigma\sqrt{2n}))`; R > 0 favours the power law. For
the nested truncated power law the p-value is :math:`\chi^2_1` of 2|R| (as in ``powerlaw``).
Continuous data only.

Every fit works on y = x/x_min, uses sufficient statistics where the family has them, and
never trusts a single optimiser start on a non-convex surface:

* exponential: closed form, λ = 1/mean(x − x_min);
* log-normal and truncated power law: in s = ln y both are two-parameter exponential
  families on s >= 0 with density ∝ exp(−θ1·s − θ2·φ(s)), φ = s² (a normal truncated at 0:
  σ = 1/√(2θ2), μ = ln x_min − θ1/(2θ2)) or φ = e^s − 1 (x^(−α)e^(−λx): α = 1 + θ1,
  λ = θ2/x_min). The log-likelihood is concave in θ, and θ2 = 0 is the power law itself, so
  neither can fit worse than it. Projected Newton (Hessian = covariance of (s, φ), normaliser
  and moments by Gauss–Legendre quadrature) from two starts, the power law and an interior
  point; the better end is kept. A single start on the flat region where a cut-off does not
  bite is what made an earlier version miss a real cut-off;
* stretched exponential p(x) ∝ x^(β−1)e^(−(λx)^β): for fixed β the best (λ x_min)^β is
  n/Σ(y^β − 1) in closed form, so the profile likelihood is one-dimensional: a 49-point grid
  over β ∈ [1e-6, 1e2] (β → 0 is the power law's limit), refined by bounded Brent around the
  best grid point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from ..errors import ScalingLabError
from .alternatives import ALTERNATIVES


def power_law_loglik(x, alpha, xmin):
    return np.log((alpha - 1.0) / xmin) - alpha * np.log(x / xmin)


# -- two-parameter exponential families on s >= 0 (log-normal, truncated power law) ---------------------
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(24)
_PANELS = 16


@dataclass(frozen=True)
class _Family:
    """Densities ∝ exp(−θ1·s − θ2·φ(s)) on s >= 0, θ2 >= 0, with φ convex and φ(0) = 0:
    the negative log-likelihood is convex in θ, its gradient is Σ(s, φ) − n·E[(s, φ)] and its
    Hessian n·Cov(s, φ); θ2 = 0 is the pure power law (exponential in s with rate θ1)."""

    phi: callable
    dphi: callable          # φ', to find where the integrand has fallen by e^-45

    def moments(self, theta):
        """ln Z, E[(s, φ)] and Cov(s, φ), by composite Gauss–Legendre over [0, S] with the
        integrand below e^-45 of its peak beyond S."""
        t1, t2 = theta

        def g(s):
            return -t1 * s - t2 * self.phi(s)

        if t2 == 0.0:       # closed form: s is exponential with rate t1
            return -np.log(t1), None, None
        peak = 0.0
        if t1 < 0:          # g rises first: find its maximum (g' = -t1 - t2 φ' = 0) by bisection
            lo, hi = 0.0, 1.0
            while -t1 - t2 * self.dphi(hi) > 0:
                hi *= 2.0
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if -t1 - t2 * self.dphi(mid) > 0 else (lo, mid)
            peak = lo
        top = g(peak)
        end = peak + 1.0
        while g(end) > top - 45.0:
            end = peak + 2.0 * (end - peak)
        lo, hi = peak, end
        for _ in range(50):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if g(mid) > top - 45.0 else (lo, mid)
        edges = np.linspace(0.0, hi, _PANELS + 1)
        half = 0.5 * (edges[1] - edges[0])
        s = ((edges[:-1] + half)[:, None] + half * _NODES[None, :]).ravel()
        log_f = g(s)
        shift = log_f.max()
        f = np.tile(_WEIGHTS, _PANELS) * half * np.exp(log_f - shift)
        total = f.sum()
        stats_ = np.vstack([s, self.phi(s)])
        mean = stats_ @ f / total
        centred = stats_ - mean[:, None]
        cov = (centred * f) @ centred.T / total
        return float(np.log(total) + shift), mean, cov

    def negative(self, theta, n, sums):
        if theta[1] < 0 or (theta[1] == 0 and theta[0] <= 0):
            return np.inf
        return float(theta @ sums + n * self.moments(theta)[0])

    def fit(self, s):
        """MLE of θ by projected Newton with backtracking, from the power law (θ2 = 0) and
        from a point inside; the better end point is kept."""
        n = len(s)
        sums = np.array([s.sum(), self.phi(s).sum()])
        mean_s = sums[0] / n
        power_law = np.array([1.0 / mean_s, 0.0])
        best = power_law, self.negative(power_law, n, sums)
        inside = np.array([0.5 / mean_s, 0.5 / max(sums[1] / n, 1e-300)])
        for theta in (power_law, inside):
            theta, value = self._newton(theta, n, sums)
            if value < best[1]:
                best = theta, value
        return best[0]

    def _newton(self, theta, n, sums):
        value = self.negative(theta, n, sums)
        for _ in range(200):
            probe = theta if theta[1] > 0 else np.array([theta[0], 1e-300])
            _, mean, cov = self.moments(np.array([probe[0], max(probe[1], 1e-12 * abs(probe[0]) + 1e-300)]))
            grad = sums - n * mean
            if theta[1] == 0 and grad[1] > 0:      # the bound is active: only θ1 moves (closed form)
                break
            try:
                step = -np.linalg.solve(n * cov, grad)
            except np.linalg.LinAlgError:
                break
            if theta[1] + step[1] < 0:
                step *= theta[1] / -step[1] if step[1] else 1.0
            t = 1.0
            while t > 1e-12:
                trial = theta + t * step
                trial[1] = max(trial[1], 0.0)
                new = self.negative(trial, n, sums)
                if new <= value:
                    break
                t *= 0.5
            else:
                break
            done = abs(value - new) <= 1e-13 * max(1.0, abs(value))
            theta, value = trial, new
            if done:
                break
        return theta, value


# -- log-normal -------------------------------------------------------------------------------------
#: In t = ln(x/x_min) a log-normal truncated at x_min is a normal truncated at 0:
#: density ∝ exp(−r·t − b·t²) with b = 1/(2σ²), μ = ln x_min − r/(2b).
_LOGNORMAL = _Family(phi=lambda t: t * t, dphi=lambda t: 2.0 * t)


def _fit_lognormal(x, xmin):
    t = np.log(x / xmin)
    r, b = _LOGNORMAL.fit(t)
    log_z = _LOGNORMAL.moments(np.array([r, b]))[0]
    ll = -r * t - b * t * t - log_z - np.log(x)
    if b == 0:
        return np.array([-np.inf, np.inf]), ll
    return np.array([np.log(xmin) - r / (2.0 * b), np.log(np.sqrt(0.5 / b))]), ll


# -- stretched exponential ---------------------------------------------------------------------
def _fit_stretched(x, xmin):
    log_y = np.log(x / xmin)
    n, sum_log_y = len(x), log_y.sum()

    def profile(log_beta):
        beta = np.exp(log_beta)
        s = np.sum(np.expm1(beta * log_y))
        if not s > 0:
            return -np.inf
        return n * np.log(beta) - n * np.log(s / n) - n + (beta - 1) * sum_log_y

    grid = np.linspace(np.log(1e-6), np.log(1e2), 49)
    with np.errstate(over="ignore", invalid="ignore"):
        values = np.array([profile(g) for g in grid])
    values = np.where(np.isfinite(values), values, -np.inf)
    j = int(np.argmax(values))
    lo, hi = grid[max(j - 1, 0)], grid[min(j + 1, len(grid) - 1)]
    with np.errstate(over="ignore", invalid="ignore"):
        out = optimize.minimize_scalar(lambda g: -profile(g), bounds=(lo, hi), method="bounded",
                                       options={"xatol": 1e-10})
    log_beta = out.x if -out.fun >= values[j] else grid[j]
    beta = np.exp(log_beta)
    c = n / np.sum(np.expm1(beta * log_y))                 # (λ x_min)^β
    log_lam = np.log(c) / beta - np.log(xmin)               # λ itself can overflow as β → 0
    ll = np.log(beta) + np.log(c) - np.log(xmin) + (beta - 1) * log_y - c * np.expm1(beta * log_y)
    return np.array([log_lam, log_beta]), ll


# -- truncated power law -----------------------------------------------------------------------
#: In s = ln(x/x_min), x^(−α)·e^(−λx) dx becomes exp(−(α−1)·s − z·(e^s − 1)) ds with z = λ·x_min.
_TRUNCATED = _Family(phi=np.expm1, dphi=np.exp)


def _fit_truncated(x, xmin):
    s = np.log(x / xmin)
    a1, z = _TRUNCATED.fit(s)
    log_z = _TRUNCATED.moments(np.array([a1, z]))[0]
    ll = -(a1 + 1.0) * s - z * np.expm1(s) - log_z - np.log(xmin)
    return np.array([a1 + 1.0, z / xmin]), ll


def fit_alternative(name: str, x: np.ndarray, xmin: float, alpha: float):
    """MLE parameters of an alternative on the tail and its per-point log-likelihoods:
    lognormal (μ, ln σ), exponential (ln λ), stretched_exponential (ln λ, ln β),
    truncated_power_law (α, λ)."""
    if name == "exponential":
        lam = 1.0 / max(np.mean(x - xmin), 1e-300)
        return np.array([np.log(lam)]), np.log(lam) - lam * (x - xmin)
    if name == "lognormal":
        return _fit_lognormal(x, xmin)
    if name == "stretched_exponential":
        return _fit_stretched(x, xmin)
    if name == "truncated_power_law":
        return _fit_truncated(x, xmin)
    raise ScalingLabError(f"unknown alternative {name!r}; choose from {ALTERNATIVES}")


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
    """(R, normalised R, p) of Vuong's test on per-point log-likelihoods. When the two fits
    coincide point by point (the alternative reached its power-law limit) there is no
    evidence either way: normalised R = 0 and p = 1."""
    diff = ll_power - ll_alt
    n = len(diff)
    R = float(np.sum(diff))
    sigma = float(np.std(diff))
    if sigma <= 1e-9 * (1.0 + float(np.mean(np.abs(ll_power)))):
        return R, 0.0, 1.0
    normalized = R / (sigma * np.sqrt(n))
    if nested:
        p = float(stats.chi2.sf(abs(2 * R), 1))
    else:
        p = float(special.erfc(abs(R) / (sigma * np.sqrt(2 * n))))
    return R, normalized, p
