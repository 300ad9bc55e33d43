"""``fit(values)``: the power-law tail of a sample, with comparisons and a bootstrap p-value."""

from __future__ import annotations

import warnings
from dataclasses import InitVar, asdict, dataclass

import numpy as np

from ..errors import ScalingLabError, ScalingLabWarning
from . import compare as cmp
from . import mle, sampling, xmin as xmin_search

CONVENTIONS = xmin_search.CONVENTIONS
#: Tails smaller than this get a warning: the exponent's standard error is large and the
#: goodness-of-fit test has little power to rule a power law out (Clauset et al. 2009, §4.1-4.2,
#: where the test needs roughly 50 or more tail points to reject non-power-law data).
MIN_RELIABLE_TAIL = 50


def default_convention(discrete: bool) -> str:
    """What Clauset et al.'s ``plfit.m`` computes: every sorted point (continuous), every
    integer from x_min up, i.e. the supremum (discrete)."""
    return "supremum" if discrete else "sorted_points"


def _clean(values, discrete: bool, xmax) -> np.ndarray:
    try:
        x = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ScalingLabError("values must be numbers (a sequence or array of positive reals)") from None
    if x.size == 0:
        raise ScalingLabError("no values given")
    bad = np.flatnonzero(~np.isfinite(x) | (x <= 0))
    if bad.size:
        raise ScalingLabError(f"value {x[bad[0]]!r} at position {int(bad[0])} is not a positive finite number "
                              f"({bad.size} such values); a power law lives on x > 0")
    if discrete and np.any(x != np.round(x)):
        at = int(np.flatnonzero(x != np.round(x))[0])
        raise ScalingLabError(f"discrete=True needs whole numbers; value {x[at]!r} at position {at} is not")
    if xmax is not None:
        if not (np.isfinite(xmax) and xmax > 0):
            raise ScalingLabError(f"xmax must be a positive finite number, got {xmax!r}")
        x = x[x <= xmax]
    if np.unique(x).size < 3:
        raise ScalingLabError(f"need at least 3 distinct values to fit a power-law tail, got {np.unique(x).size}"
                              + (" at or below xmax" if xmax is not None else ""))
    return np.sort(x)


@dataclass(frozen=True, eq=False)
class PowerLawFit:
    """A fitted power-law tail p(x) ∝ x^-alpha for x >= xmin (<= xmax).

    Every field is a plain number, string or tuple, so ``dataclasses.asdict(fit)`` is
    JSON-ready; the sorted data are kept apart (``data``, ``tail``)."""

    alpha: float
    sigma: float                # standard error of alpha
    xmin: float
    xmax: float | None
    ks: float                   # KS distance of the tail, by ``convention``
    n: int                      # all values (within xmax)
    n_tail: int
    discrete: bool
    convention: str
    xmin_searched: bool         # False when x_min was given
    min_tail: int = 2
    warnings: tuple[str, ...] = ()
    values: InitVar[np.ndarray | None] = None

    def __post_init__(self, values):
        object.__setattr__(self, "_data", np.sort(np.asarray(values if values is not None else [], float)))

    @property
    def data(self) -> np.ndarray:
        """The sorted values (within xmax) the fit was made on."""
        return self._data

    @property
    def tail(self) -> np.ndarray:
        return self._data[self._data >= self.xmin]

    def to_dict(self) -> dict:
        """The fit as plain data (JSON-ready)."""
        return asdict(self)

    def compare(self, alternative: str) -> cmp.Comparison:
        """Likelihood-ratio test against "lognormal", "exponential", "stretched_exponential" or
        "truncated_power_law" on the same tail (continuous data without x_max)."""
        if self.discrete:
            raise ScalingLabError("likelihood-ratio comparisons are implemented for continuous data only")
        if self.xmax is not None:
            raise ScalingLabError("likelihood-ratio comparisons are implemented without xmax only")
        if alternative not in cmp.ALTERNATIVES:
            raise ScalingLabError(f"alternative must be one of {cmp.ALTERNATIVES}, got {alternative!r}")
        x = self.tail
        ll_pl = cmp.power_law_loglik(x, self.alpha, self.xmin)
        params, ll_alt = cmp.fit_alternative(alternative, x, self.xmin, self.alpha)
        R, normalized, p = cmp.vuong(ll_pl, ll_alt, nested=alternative == "truncated_power_law")
        return cmp.Comparison(alternative, R, normalized, p, tuple(float(v) for v in params))

    def synthetic(self, rng: np.random.Generator) -> np.ndarray:
        """One semi-parametric bootstrap sample (Clauset et al. 2009, §4.1): each of the n
        points comes from the fitted tail with probability n_tail/n, otherwise uniformly from
        the values below x_min; tail draws are exact (``sampling``)."""
        in_tail = rng.binomial(self.n, self.n_tail / self.n)
        draw = sampling.discrete if self.discrete else sampling.continuous
        tail = draw(rng, in_tail, self.alpha, self.xmin, self.xmax)
        body = self._data[self._data < self.xmin]
        return np.concatenate([tail, rng.choice(body, size=self.n - in_tail) if body.size else []])

    def gof(self, n_boot: int = 1000, *, seed=None, progress=None) -> float:
        """Semi-parametric bootstrap p-value (Clauset et al. 2009, §4.1 and appendix; their
        ``plpva.m``): each synthetic sample (:meth:`synthetic`) is refitted the way this fit
        was made (its own x_min search, or the same fixed x_min; same KS convention); p is the
        share of samples whose KS distance is at least the observed one. p < 0.1 rules the
        power law out. ``progress`` wraps the loop (e.g. rich.progress.track)."""
        if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
            raise ScalingLabError(f"n_boot must be a whole number >= 1, got {n_boot!r}")
        rng = np.random.default_rng(seed)
        loop = range(int(n_boot)) if progress is None else progress(range(int(n_boot)))
        hits = failed = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ScalingLabWarning)    # small synthetic tails
            for _ in loop:
                sample = self.synthetic(rng)
                try:
                    refit = fit(sample, discrete=self.discrete, xmax=self.xmax, convention=self.convention,
                                xmin=None if self.xmin_searched else self.xmin, min_tail=self.min_tail)
                except ScalingLabError:
                    failed += 1
                    continue
                hits += refit.ks >= self.ks
        if failed == n_boot:
            raise ScalingLabError("no synthetic sample could be refitted (too few distinct values)")
        if failed:
            warnings.warn(f"{failed} of {n_boot} synthetic samples had too few distinct values to refit and "
                          f"were left out of the p-value", ScalingLabWarning, stacklevel=2)
        return hits / (n_boot - failed)

    def ccdf(self) -> tuple[np.ndarray, np.ndarray]:
        """Empirical P(X >= x) at the distinct values."""
        u, counts = np.unique(self._data, return_counts=True)
        return u, 1.0 - np.concatenate([[0], np.cumsum(counts)[:-1]]) / self.n

    def model_ccdf(self, x) -> np.ndarray:
        """P(X >= x) of all the data under the fit, for x >= xmin: the tail's share of the
        values (n_tail / n) times the fitted tail's P(X >= x) (P(X > x - 1) for discrete data),
        the curve the report draws over :meth:`ccdf`."""
        tail = 1.0 - mle.cdf(x, self.alpha, self.xmin, self.discrete, self.xmax, strict=True)
        return self.n_tail / self.n * tail

    def __str__(self) -> str:
        kind = "discrete" if self.discrete else "continuous"
        text = (f"power-law tail ({kind}): alpha = {self.alpha:.4f} ± {self.sigma:.4f} for x >= {self.xmin:.4g} "
                f"({self.n_tail} of {self.n} values), KS distance {self.ks:.4g}")
        return text + "".join(f"\nwarning: {w}" for w in self.warnings)


def fit(values, *, discrete: bool = False, xmin: float | None = None, xmax: float | None = None,
        convention: str | None = None, min_tail: int = 2) -> PowerLawFit:
    """Fit a power-law tail (Clauset, Shalizi & Newman 2009).

    Continuous MLE α = 1 + n / Σ ln(x/x_min) (their eq. 3.1; numerically with ``xmax``);
    discrete: the exact Hurwitz-zeta MLE (eq. 3.5). ``xmin=None`` searches every distinct
    value but the largest for the smallest KS distance, exactly and fast (``xmin.search``);
    a given ``xmin`` is used as is. ``xmax`` truncates the law. ``convention`` is how the KS
    distance is measured (``xmin`` module): None reproduces the authors' ``plfit.m``
    ("sorted_points" for continuous data, "supremum" for discrete); "left_limits" is the
    ``powerlaw`` package 2.0's. Tails under 50 points warn (:data:`MIN_RELIABLE_TAIL`).

    >>> import numpy as np
    >>> x = (1 - np.random.default_rng(0).uniform(size=5000)) ** (-1 / 1.5)   # alpha 2.5
    >>> round(fit(x).alpha, 2)
    2.5
    """
    if convention is None:
        convention = default_convention(bool(discrete))
    if convention not in CONVENTIONS:
        raise ScalingLabError(f"convention must be one of {CONVENTIONS} or None (the authors' plfit), "
                              f"got {convention!r}")
    if isinstance(min_tail, bool) or not isinstance(min_tail, (int, np.integer)) or min_tail < 2:
        raise ScalingLabError(f"min_tail must be a whole number >= 2, got {min_tail!r}")
    x = _clean(values, discrete, xmax)
    if xmin is None:
        try:
            u, alphas, distances, best, m = xmin_search.search(x, discrete=discrete, xmax=xmax,
                                                               min_tail=min_tail, convention=convention)
        except ValueError as exc:
            raise ScalingLabError(f"{exc} (min_tail = {min_tail}, {np.unique(x).size} distinct values)") from None
        chosen, alpha, ks, n_tail = float(u[best]), float(alphas[best]), float(distances[best]), int(m[best])
        sum_log = float(np.sum(np.log(x[x >= chosen])))
    else:
        try:
            xmin = float(xmin)
        except (TypeError, ValueError):
            raise ScalingLabError(f"xmin must be a number, got {xmin!r}") from None
        if not (np.isfinite(xmin) and 0 < xmin < x[-1]):
            raise ScalingLabError(f"xmin must be positive and below the largest value {x[-1]:g}, got {xmin!r}")
        if discrete and xmin != round(xmin):
            raise ScalingLabError(f"discrete=True needs a whole-number xmin, got {xmin!r}")
        tail = x[x >= xmin]
        n_tail = len(tail)
        u, below, m, log_sum = xmin_search.tail_statistics(tail, discrete)
        sum_log = float(log_sum[0])
        alpha = float(mle.fit_alpha(xmin, n_tail, sum_log, discrete, xmax))
        if not (np.isfinite(alpha) and alpha > 1):
            raise ScalingLabError(f"no power law with exponent in {mle.ALPHA_RANGE[0]:g}..{mle.ALPHA_RANGE[1]:g} fits "
                                  f"the tail above xmin = {xmin:g} (the likelihood keeps rising past the range)")
        if u[0] > xmin:   # x_min below the smallest value: the fitted CDF starts at x_min itself
            u, below, m = np.r_[xmin, u], np.r_[0, below], np.r_[n_tail, m]
        alphas = np.full(len(u), alpha)
        ks = xmin_search.exact_distance(xmin_search._Tails(u, below, m, alphas, discrete, xmax, convention), 0)
        chosen = xmin
    sigma = mle.standard_error(alpha, chosen, n_tail, sum_log, discrete, xmax)
    if not np.isfinite(sigma):
        raise ScalingLabError(f"the exponent's standard error is undefined for the tail above x_min = {chosen:g} "
                              "(the likelihood is not curved at its maximum)")
    notes = []
    if n_tail < MIN_RELIABLE_TAIL:
        notes.append(f"the tail has only {n_tail} values (fewer than {MIN_RELIABLE_TAIL}): alpha = {alpha:.3g} ± "
                     f"{sigma:.2g} is unreliable and a goodness-of-fit test can rarely rule the power law out")
    for note in notes:
        warnings.warn(note, ScalingLabWarning, stacklevel=2)
    return PowerLawFit(alpha=alpha, sigma=sigma, xmin=chosen, xmax=None if xmax is None else float(xmax), ks=ks,
                       n=len(x), n_tail=n_tail, discrete=bool(discrete), convention=convention,
                       xmin_searched=xmin is None, min_tail=int(min_tail), warnings=tuple(notes), values=x)
