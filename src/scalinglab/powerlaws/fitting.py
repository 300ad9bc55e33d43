"""``fit(values)``: the power-law tail of a sample, with comparisons and a bootstrap p-value."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ScalingLabError
from . import compare as cmp
from . import mle, xmin as xmin_search

CONVENTIONS = ("clauset", "powerlaw")


def _clean(values, discrete: bool, xmax) -> np.ndarray:
    x = np.asarray(values, float).ravel()
    if x.size == 0:
        raise ScalingLabError("no values given")
    bad = np.flatnonzero(~np.isfinite(x) | (x <= 0))
    if bad.size:
        raise ScalingLabError(f"value {x[bad[0]]!r} at position {int(bad[0])} is not a positive finite number "
                              f"({bad.size} such values); a power law lives on x > 0")
    if discrete and np.any(x != np.round(x)):
        raise ScalingLabError("discrete=True needs whole numbers")
    if xmax is not None:
        x = x[x <= xmax]
    if np.unique(x).size < 3:
        raise ScalingLabError("need at least 3 distinct values to fit a power-law tail")
    return np.sort(x)


@dataclass(frozen=True, eq=False)
class PowerLawFit:
    """A fitted power-law tail p(x) ∝ x^-alpha for x >= xmin (<= xmax)."""

    alpha: float
    sigma: float                # standard error of alpha
    xmin: float
    xmax: float | None
    ks: float                   # KS distance of the tail
    n: int                      # all values (within xmax)
    n_tail: int
    discrete: bool
    convention: str
    data: np.ndarray            # sorted values within xmax

    @property
    def tail(self) -> np.ndarray:
        return self.data[self.data >= self.xmin]

    def compare(self, alternative: str) -> cmp.Comparison:
        """Likelihood-ratio test against "lognormal", "exponential", "stretched_exponential" or
        "truncated_power_law" on the same tail (continuous data)."""
        if self.discrete:
            raise ScalingLabError("likelihood-ratio comparisons are implemented for continuous data only")
        if alternative not in cmp.ALTERNATIVES:
            raise ScalingLabError(f"alternative must be one of {cmp.ALTERNATIVES}, got {alternative!r}")
        x = self.tail
        ll_pl = cmp.power_law_loglik(x, self.alpha, self.xmin)
        params, ll_alt = cmp.fit_alternative(alternative, x, self.xmin, self.alpha)
        R, normalized, p = cmp.vuong(ll_pl, ll_alt, nested=alternative == "truncated_power_law")
        return cmp.Comparison(alternative, R, normalized, p, tuple(float(v) for v in params))

    def gof(self, n_boot: int = 1000, *, seed=None, progress=None) -> float:
        """Semi-parametric bootstrap p-value (Clauset et al. 2009, §4.1): synthetic samples take
        each point from the fitted tail with probability n_tail/n and otherwise from the values
        below x_min; each is refitted with its own x_min search; p is the share whose KS distance
        is at least the observed one. p < 0.1 rules the power law out. ``progress`` wraps the
        loop (e.g. rich.progress.track)."""
        if int(n_boot) != n_boot or n_boot < 1:
            raise ScalingLabError(f"n_boot must be a whole number >= 1, got {n_boot!r}")
        rng = np.random.default_rng(seed)
        body = self.data[self.data < self.xmin]
        loop = range(int(n_boot)) if progress is None else progress(range(int(n_boot)))
        hits = 0
        for _ in loop:
            in_tail = rng.binomial(self.n, self.n_tail / self.n)
            u = rng.uniform(size=in_tail)
            if self.discrete:   # Clauset et al. 2009, appendix D: a close approximation
                tail = np.floor((self.xmin - 0.5) * (1 - u) ** (-1 / (self.alpha - 1)) + 0.5)
            else:
                tail = self.xmin * (1 - u) ** (-1 / (self.alpha - 1))
            if self.xmax is not None:
                tail = np.minimum(tail, self.xmax)
            sample = np.concatenate([tail, rng.choice(body, size=self.n - in_tail) if body.size else []])
            try:
                synthetic = fit(sample, discrete=self.discrete, xmax=self.xmax, convention=self.convention)
            except ScalingLabError:
                continue
            hits += synthetic.ks >= self.ks
        return hits / n_boot

    def ccdf(self) -> tuple[np.ndarray, np.ndarray]:
        """Empirical P(X >= x) at the distinct values."""
        u, counts = np.unique(self.data, return_counts=True)
        return u, 1.0 - np.concatenate([[0], np.cumsum(counts)[:-1]]) / self.n

    def __str__(self) -> str:
        kind = "discrete" if self.discrete else "continuous"
        return (f"power-law tail ({kind}): alpha = {self.alpha:.4f} ± {self.sigma:.4f} for x >= {self.xmin:.4g} "
                f"({self.n_tail} of {self.n} values), KS distance {self.ks:.4g}")


def fit(values, *, discrete: bool = False, xmin: float | None = None, xmax: float | None = None,
        convention: str = "clauset", min_tail: int = 2) -> PowerLawFit:
    """Fit a power-law tail (Clauset, Shalizi & Newman 2009).

    ``xmin=None`` searches every distinct value (but the largest) for the smallest KS
    distance, exactly and fast (``xmin.search``); a given ``xmin`` is used as is. ``xmax``
    truncates the law. ``convention="powerlaw"`` evaluates the KS distance at the left limits
    of the empirical CDF only, as the ``powerlaw`` package 2.0 does.

    >>> import numpy as np
    >>> x = (1 - np.random.default_rng(0).uniform(size=5000)) ** (-1 / 1.5)   # alpha 2.5
    >>> round(fit(x).alpha, 2)
    2.5
    """
    if convention not in CONVENTIONS:
        raise ScalingLabError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
    x = _clean(values, discrete, xmax)
    if xmin is None:
        try:
            u, alphas, distances, best, m = xmin_search.search(x, discrete=discrete, xmax=xmax,
                                                               min_tail=min_tail, convention=convention)
        except ValueError as exc:
            raise ScalingLabError(str(exc)) from None
        chosen, alpha, ks, n_tail = float(u[best]), float(alphas[best]), float(distances[best]), int(m[best])
        sum_log = float(np.sum(np.log(x[x >= chosen])))
    else:
        if not xmin > 0 or xmin > x[-1]:
            raise ScalingLabError(f"xmin must be positive and at most the largest value, got {xmin!r}")
        tail = x[x >= xmin]
        n_tail = len(tail)
        u, below, m, log_sum = xmin_search.tail_statistics(tail, discrete)
        sum_log = float(log_sum[0])
        alpha = float(mle.fit_alpha(xmin, n_tail, sum_log, discrete, xmax))
        if u[0] > xmin:   # x_min below the smallest value: the fitted CDF starts at x_min itself
            u, below, m = np.r_[xmin, u], np.r_[0, below], np.r_[n_tail, m]
        ks = float(xmin_search._exact(0, u, np.log(u), below, m, np.full(len(u), alpha), discrete, xmax,
                                      convention))
        chosen = float(xmin)
    sigma = mle.standard_error(alpha, chosen, n_tail, sum_log, discrete, xmax)
    return PowerLawFit(alpha=alpha, sigma=sigma, xmin=chosen, xmax=xmax, ks=ks, n=len(x), n_tail=n_tail,
                       discrete=discrete, convention=convention, data=x)
