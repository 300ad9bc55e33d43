"""Power analysis: solve for whichever of n, effect, alpha or power is left out.

Each design writes only its forward ``power(effect, n, alpha)``; one generic solver finds the
missing quantity by bracketing root search (the structure of statsmodels' ``solve_power``).
Formulas as in statsmodels 0.15 (``stats/power.py``, ``stats/gof.py``), so the two agree to
1e-6:

* t-tests: power = P(T' > t_crit) [+ P(T' < −t_crit) two-sided], T' noncentral t with
  df = n − 1 (one-sample, paired) or n1 + n2 − 2 (two-sample, n2 = ratio·n1) and
  noncentrality d·√n_eff, n_eff = n or 1/(1/n1 + 1/n2) (Cohen 1988, ch. 2). Beyond
  df = 1e8 the t distributions are replaced by their normal limit (the difference is
  O(1/df), below 1e-8 there), where scipy's noncentral t is unreliable.
* proportions: normal approximation on Cohen's h = 2·asin√p1 − 2·asin√p2
  (Cohen 1988, ch. 6), power = Φ(h√n_eff − z_crit) [+ Φ(−h√n_eff − z_crit)].
* one-way ANOVA with k equal groups (Cohen's f, n = total): power = P(F' > F_crit),
  F' noncentral F with (k − 1, n − k) degrees of freedom and noncentrality f²·n
  (Cohen 1988, ch. 8; statsmodels ``FTestAnovaPower``, G*Power's "ANOVA: fixed effects, omnibus").
* chi-square goodness of fit over b bins (Cohen's w): power = P(X' > χ²_crit), X' noncentral
  χ² with b − 1 − ddof degrees of freedom and noncentrality w²·n (Cohen 1988, ch. 7;
  statsmodels ``GofChisquarePower``).

Solving: power is monotone in each unknown, so every request either has one solution, found
by a bracket that grows until it holds the root, or is impossible for a stated reason (a
two-sided test never has power below alpha; an effect of zero has power alpha at every n;
the smallest possible n already exceeds the requested power). Given quantities may be arrays:
they broadcast, and each element is solved (results are arrays of the broadcast shape).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import optimize, special, stats

from ..errors import ScalingLabError
from ._checks import real, whole

__all__ = ["PowerResult", "ttest", "proportions", "anova", "chisquare", "cohens_h"]

ALTERNATIVES = ("two-sided", "larger", "smaller")
T_KINDS = ("two-sample", "one-sample", "paired")
QUANTITIES = ("n", "effect", "alpha", "power")
#: Degrees of freedom beyond which the t-test uses its normal limit.
NORMAL_LIMIT_DF = 1e8
#: Range searched when solving for alpha (beyond it the tail probabilities lose accuracy).
ALPHA_RANGE = (1e-10, 1 - 1e-10)
#: Largest n or |effect| a bracket may grow to before the request is declared out of reach.
REACH = 1e300


def _nct_approx_cdf(x: float, df: float, nc: float) -> float:
    """P(T' <= x) by the normal approximation of Abramowitz & Stegun 26.7.10, used only where
    scipy's noncentral t returns NaN (huge noncentrality, far tails), where the probability is
    0 or 1 to double precision and the approximation gets that right."""
    return float(stats.norm.cdf((x * (1.0 - 1.0 / (4.0 * df)) - nc) / math.sqrt(1.0 + x * x / (2.0 * df))))


def _nct_tail(x: float, df: float, nc: float, *, upper: bool) -> float:
    """P(T' > x) (``upper``) or P(T' <= x), each computed directly so a small tail keeps its
    digits; guarded: scipy can return NaN far in a tail (e.g. df = 1998, nc = 11.18, or
    nc = 3e9), then the other tail's complement, then the normal approximation."""
    if np.isinf(x):
        return float((x > 0) != upper)
    direct, other = (stats.nct.sf, stats.nct.cdf) if upper else (stats.nct.cdf, stats.nct.sf)
    value = direct(x, df, nc)
    if np.isnan(value):
        value = 1.0 - other(x, df, nc)
    if np.isnan(value):
        below = _nct_approx_cdf(x, df, nc)
        value = 1.0 - below if upper else below
    return float(min(max(value, 0.0), 1.0))


def _two_tails(shift: float, alpha: float, alternative: str, df: float | None) -> float:
    """Power of a t (df given) or z test whose statistic is shifted by ``shift``."""
    tail = alpha / 2 if alternative == "two-sided" else alpha
    power = 0.0
    if df is None or df > NORMAL_LIMIT_DF:
        crit = stats.norm.isf(tail)
        if alternative in ("two-sided", "larger"):
            power += stats.norm.sf(crit - shift)
        if alternative in ("two-sided", "smaller"):
            power += stats.norm.cdf(-crit - shift)
        return float(power)
    crit = _t_upper_quantile(tail, df)
    if alternative in ("two-sided", "larger"):
        power += _nct_tail(crit, df, shift, upper=True)
    if alternative in ("two-sided", "smaller"):
        power += _nct_tail(-crit, df, shift, upper=False)
    return power


def _t_upper_quantile(tail: float, df: float) -> float:
    """t with P(T > t) = tail. Where scipy's t.isf fails far out (NaN or -inf at tail ~ 1e-300)
    it comes from the incomplete beta function, P(|T| > t) = I_{df/(df + t²)}(df/2, 1/2), and
    is inf where even that underflows; tails above 1/2 by symmetry."""
    if tail > 0.5:
        return -_t_upper_quantile(1.0 - tail, df)
    crit = stats.t.isf(tail, df)
    if not (np.isfinite(crit) and crit >= 0):
        x = special.betaincinv(df / 2, 0.5, 2 * tail)
        crit = math.sqrt(df / x - df) if x > 0 else math.inf
    return float(crit)


@dataclass(frozen=True)
class _Design:
    """What the solver needs to know about a design: its forward power, the smallest n, and
    whether effects are signed (t-tests, proportions) or magnitudes (f, w)."""

    name: str
    forward: Callable[[float, float, float], float]
    min_n: float
    alternative: str
    signed: bool = True

    def limit_in_n(self, effect: float, alpha: float) -> float:
        """Power as n grows without bound."""
        direction = {"two-sided": abs(effect), "larger": effect, "smaller": -effect}[self.alternative]
        return 1.0 if direction > 0 else (alpha if direction == 0 else 0.0)


@dataclass(frozen=True)
class PowerResult:
    """A solved power analysis. ``n`` is exact (a real number; per group for two samples, in
    all for ANOVA and chi-square); ``n_required`` rounds it up. Scalars when every input was a
    scalar, arrays of the broadcast shape otherwise (``to_dict`` gives plain lists)."""

    design: str
    n: float | np.ndarray
    effect: float | np.ndarray
    alpha: float | np.ndarray
    power: float | np.ndarray
    alternative: str
    ratio: float
    solved_for: str

    @property
    def n_required(self):
        out = np.ceil(np.asarray(self.n) - 1e-9).astype(np.int64)
        return int(out) if out.ndim == 0 else out

    @property
    def n_total(self):
        """Both groups together for two-sample designs (n1 + ratio·n1, each rounded up)."""
        if self.ratio and self.design.endswith("two-sample"):
            out = self.n_required + np.ceil(self.ratio * np.asarray(self.n) - 1e-9).astype(np.int64)
            return int(out) if np.ndim(out) == 0 else out
        return self.n_required

    def to_dict(self) -> dict:
        def plain(v):
            return v.tolist() if isinstance(v, np.ndarray) else v
        return {k: plain(getattr(self, k)) for k in ("design", "n", "effect", "alpha", "power", "alternative",
                                                     "ratio", "solved_for")}

    def __str__(self) -> str:
        per = {"two-sample": " per group", "anova": " in all", "chisquare": " in all"}
        per = next((v for k, v in per.items() if k in self.design), "")
        assumes = ("Assumes independent observations and, for t-tests and ANOVA, normal data with equal "
                   "variances (Cohen 1988).")
        if np.ndim(self.n) > 0:
            unknown = np.asarray(getattr(self, self.solved_for))
            text = np.array2string(unknown, precision=4, separator=", ")
            return f"{self.design} ({self.alternative}): {self.solved_for} = {text}{per if self.solved_for == 'n' else ''}. " + assumes
        lead = {
            "n": f"{self.n_required}{per} (exactly {self.n:.4f})",
            "effect": f"effect size {self.effect:.4g}",
            "alpha": f"alpha = {self.alpha:.4g}",
            "power": f"power = {self.power:.4f}",
        }[self.solved_for]
        return (f"{self.design} ({self.alternative}): {lead} — with n = {self.n:.4g}{per}, effect size "
                f"{self.effect:.4g}, alpha {self.alpha:.4g}, power {self.power:.4f}. " + assumes)


def _number(name: str, value) -> np.ndarray:
    """A given quantity as a float array; refuses booleans, text and non-finite values."""
    if isinstance(value, (bool, np.bool_)) or isinstance(value, str):
        raise ScalingLabError(f"{name} must be a number or an array of numbers, got {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ScalingLabError(f"{name} must be a number or an array of numbers, got {value!r}") from None
    if arr.dtype == object or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ScalingLabError(f"{name} must be finite numbers, got {value!r}")
    return arr


def _bracket(f, a: float, b: float, factor: float, limit: float):
    """Grow [a, b] (b -> b·factor, a -> the old b) until f changes sign on it; None if |b|
    passes ``limit`` first."""
    fa = f(a)
    while np.sign(f(b)) == np.sign(fa) and f(b) != 0:
        a, fa, b = b, f(b), b * factor
        if abs(b) > limit:
            return None
    return a, b


def _root(f, a: float, b: float) -> float:
    if f(a) == 0:
        return a
    if f(b) == 0:
        return b
    # relative tolerance only: alpha or an effect can be 1e-10 and must still be found to 1e-15
    return optimize.brentq(f, min(a, b), max(a, b), xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=1000)


def _solve_one(design: _Design, unknown: str, n, effect, alpha, power) -> float:
    """The one missing quantity of a scalar request, or a ScalingLabError saying why none exists."""
    def forward(e, size, a):
        try:
            value = design.forward(e, size, a)
        except (OverflowError, ArithmeticError):
            value = math.nan
        if not np.isfinite(value):
            raise ScalingLabError(f"the power of this {design.name} cannot be computed accurately at n = {size:g}, "
                                  f"effect = {e:g}, alpha = {a:g} (beyond double precision)")
        return value
    if unknown == "power":
        return forward(effect, n, alpha)
    if unknown == "alpha":
        def gap(a):
            return forward(effect, n, a) - power
        lo, hi = ALPHA_RANGE
        if gap(lo) > 0:
            raise ScalingLabError(f"no alpha gives power {power:g}: even alpha = {lo:g} gives more (smaller alphas "
                                  "are not searched: the tail probabilities lose accuracy there)")
        if gap(hi) < 0:
            raise ScalingLabError(f"no alpha gives power {power:g}: even alpha close to 1 gives less "
                                  f"({gap(hi) + power:.4g})")
        return _root(gap, lo, hi)
    if unknown == "effect":
        def gap(e):
            return forward(e, n, alpha) - power
        if gap(0.0) == 0:
            return 0.0
        if design.alternative == "two-sided" or not design.signed:
            if power < alpha:
                raise ScalingLabError(f"impossible: this {'two-sided ' if design.signed else ''}test has power at "
                                      f"least alpha = {alpha:g} for every effect size, so power {power:g} is "
                                      "never reached")
            direction = 1.0
        else:   # one-sided: power runs monotonically from 0 to 1 over all real effects
            direction = (1.0 if design.alternative == "larger" else -1.0) * (1.0 if power > alpha else -1.0)
        found = _bracket(gap, 0.0, direction, 2.0, 1e8)
        if found is None:
            raise ScalingLabError(f"no effect size up to 1e8 in size gives power {power:g} with n = {n:g}")
        return _root(gap, *found)

    def gap(size):
        return forward(effect, size, alpha) - power
    lo = design.min_n
    p_lo = gap(lo) + power
    if p_lo == power:
        return lo
    limit = design.limit_in_n(effect, alpha)
    if not min(p_lo, limit) < power < max(p_lo, limit):
        if effect == 0:
            raise ScalingLabError(f"impossible: with effect size 0 the power is alpha = {alpha:g} at every n")
        if limit > p_lo and power < p_lo:
            raise ScalingLabError(f"no n gives power {power:g}: the smallest n ({lo:g}) already gives {p_lo:.4g} "
                                  "and larger n give more")
        raise ScalingLabError(f"impossible: the power runs from {p_lo:.4g} (n = {lo:g}) towards {limit:g} as n "
                              f"grows and never reaches {power:g}"
                              + (" (the effect points away from the one-sided alternative)" if limit == 0 else ""))
    found = _bracket(gap, lo, max(2.0 * lo, 4.0), 4.0, REACH)
    if found is None:
        raise ScalingLabError(f"no n below {REACH:g} gives power {power:g}")
    return _root(gap, *found)


def _solve(design: Callable[..., _Design], label: str, *, n, effect, alpha, power, alternative, ratio) -> PowerResult:
    given = {"n": n, "effect": effect, "alpha": alpha, "power": power}
    missing = [k for k, v in given.items() if v is None]
    if len(missing) != 1:
        raise ScalingLabError(f"give all but exactly one of n, effect, alpha, power (missing: {missing or 'none'})")
    if alternative not in ALTERNATIVES:
        raise ScalingLabError(f"alternative must be one of {ALTERNATIVES}, got {alternative!r}")
    unknown = missing[0]
    d = design()
    arrays = {k: _number(k, v) for k, v in given.items() if v is not None}
    for name in ("alpha", "power"):
        if name in arrays and not np.all((arrays[name] > 0) & (arrays[name] < 1)):
            raise ScalingLabError(f"{name} must be between 0 and 1 (exclusive), got {given[name]!r}")
    if "n" in arrays and not np.all(arrays["n"] >= d.min_n):
        raise ScalingLabError(f"n must be at least {d.min_n:g} for this design, got {given['n']!r}")
    if "effect" in arrays and not d.signed and np.any(arrays["effect"] < 0):
        raise ScalingLabError(f"effect must be >= 0 for this design (Cohen's f or w are magnitudes), "
                              f"got {given['effect']!r}")
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        raise ScalingLabError("the given arrays do not broadcast together: "
                              + ", ".join(f"{k} {a.shape}" for k, a in arrays.items())) from None
    full = {k: np.broadcast_to(a, shape) for k, a in arrays.items()}
    out = np.empty(shape)
    for index in np.ndindex(shape):
        values = {k: float(a[index]) for k, a in full.items()}
        values.setdefault(unknown, None)
        if "effect" in values and values["effect"] is not None and alternative == "two-sided" and d.signed:
            values["effect"] = abs(values["effect"])
        try:
            out[index] = _solve_one(d, unknown, **values)
        except ScalingLabError as exc:
            where = f" (element {index} of the broadcast inputs)" if shape else ""
            raise ScalingLabError(f"{exc}{where}") from None
    result = {k: (np.array(a, dtype=float) if shape else float(a[()])) for k, a in full.items()}
    if "effect" in result and alternative == "two-sided" and d.signed:
        result["effect"] = np.abs(result["effect"]) if shape else abs(result["effect"])
    result[unknown] = out if shape else float(out[()])
    return PowerResult(design=label, alternative=alternative, ratio=ratio, solved_for=unknown, **result)


def _kind_and_ratio(kind, kinds, ratio):
    if kind not in kinds:
        raise ScalingLabError(f"kind must be one of {kinds}, got {kind!r}")
    if kind == "two-sample":
        r = _number("ratio", ratio)
        if r.ndim or not r > 0:
            raise ScalingLabError(f"ratio must be one number > 0, got {ratio!r}")
        return float(r)
    return 0.0


def ttest(*, effect=None, n=None, alpha=0.05, power=None, kind: str = "two-sample", ratio: float = 1.0,
          alternative: str = "two-sided") -> PowerResult:
    """Power analysis of a t-test; leave exactly one of n, effect, alpha, power as None
    (``alpha=None`` to solve for it). Given quantities may be arrays (they broadcast).

    ``effect`` is Cohen's d (mean difference / standard deviation); ``n`` is the size of the
    sample (one-sample, paired: number of pairs) or of group 1 (two-sample, group 2 has
    ``ratio``·n).

    >>> round(ttest(effect=0.5, power=0.8).n, 4)
    63.7656
    """
    r = _kind_and_ratio(kind, T_KINDS, ratio)

    def forward(e, size, a):
        if r:
            df, n_eff = size + r * size - 2, 1.0 / (1.0 / size + 1.0 / (r * size))
        else:
            df, n_eff = size - 1, size
        return _two_tails(e * math.sqrt(n_eff), a, alternative, df)

    # from one degree of freedom up (below it the noncentral t is numerically unreliable)
    min_n = 2.0 if kind != "two-sample" else 3.0 / (1.0 + r)
    return _solve(lambda: _Design(f"t-test, {kind}", forward, min_n, alternative), f"t-test, {kind}", n=n,
                  effect=effect, alpha=alpha, power=power, alternative=alternative, ratio=r)


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's effect size for two proportions: 2·asin√p1 − 2·asin√p2."""
    p1 = real("p1", p1, low=0, high=1, open_low=False, open_high=False)
    p2 = real("p2", p2, low=0, high=1, open_low=False, open_high=False)
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def proportions(*, p1: float | None = None, p2: float | None = None, effect=None, n=None, alpha=0.05,
                power=None, kind: str = "two-sample", ratio: float = 1.0,
                alternative: str = "two-sided") -> PowerResult:
    """Power analysis for one proportion against p2 (``kind="one-sample"``) or two proportions
    (``kind="two-sample"``, group 2 of ``ratio``·n), on Cohen's h (give p1 and p2, or
    ``effect`` = h directly; leave exactly one of n, effect, alpha, power unknown).

    >>> round(proportions(p1=0.5, p2=0.4, power=0.8).n, 2)
    387.17
    """
    if (p1 is None) != (p2 is None):
        raise ScalingLabError("give both p1 and p2 (or effect = Cohen's h)")
    if p1 is not None:
        if effect is not None:
            raise ScalingLabError("give p1 and p2, or effect, not both")
        effect = cohens_h(p1, p2)
    r = _kind_and_ratio(kind, ("one-sample", "two-sample"), ratio)

    def forward(e, size, a):
        n_eff = size if r == 0 else 1.0 / (1.0 / size + 1.0 / (r * size))
        return _two_tails(e * math.sqrt(n_eff), a, alternative, None)

    return _solve(lambda: _Design(f"proportions, {kind}", forward, 1e-12, alternative), f"proportions, {kind}",
                  n=n, effect=effect, alpha=alpha, power=power, alternative=alternative, ratio=r)


def anova(*, effect=None, n=None, alpha=0.05, power=None, k_groups: int = 2) -> PowerResult:
    """Power analysis of the one-way ANOVA F-test with ``k_groups`` equal groups; ``effect`` is
    Cohen's f (0.1 small, 0.25 medium, 0.4 large), ``n`` the total sample size. Agrees with
    statsmodels' ``FTestAnovaPower`` (whose ``nobs`` is the total, too).

    >>> round(anova(effect=0.25, power=0.8, k_groups=4).n, 3)
    178.397
    """
    k = whole("k_groups", k_groups, 2)

    def forward(f, size, a):
        df_num, df_den = k - 1, size - k
        crit = stats.f.isf(a, df_num, df_den)
        nc = f * f * size
        if nc < 1e-100:     # scipy's noncentral F misbehaves at noncentrality ~1e-300 (power 0 for alpha)
            return float(stats.f.sf(crit, df_num, df_den))
        return float(1.0 - special.ncfdtr(df_num, df_den, nc, crit))

    return _solve(lambda: _Design(f"one-way ANOVA, {k} groups", forward, k + 1.0, "two-sided", signed=False),
                  f"one-way ANOVA, {k} groups", n=n, effect=effect, alpha=alpha, power=power,
                  alternative="two-sided", ratio=0.0)


def chisquare(*, effect=None, n=None, alpha=0.05, power=None, n_bins: int = 2, ddof: int = 0) -> PowerResult:
    """Power analysis of the chi-square goodness-of-fit test over ``n_bins`` categories
    (``ddof`` parameters estimated); ``effect`` is Cohen's w (0.1 small, 0.3 medium, 0.5
    large). Agrees with statsmodels' ``GofChisquarePower``.

    >>> round(chisquare(effect=0.3, power=0.8, n_bins=4).n, 2)
    121.14
    """
    b = whole("n_bins", n_bins, 2)
    dd = whole("ddof", ddof, 0)
    df = b - 1 - dd
    if df < 1:
        raise ScalingLabError(f"n_bins - 1 - ddof must be at least 1, got {b} - 1 - {dd}")

    def forward(w, size, a):
        nc = w * w * size
        return float(stats.ncx2.sf(stats.chi2.isf(a, df), df, nc)) if nc >= 1e-100 else float(a)

    return _solve(lambda: _Design(f"chi-square goodness of fit, {b} bins", forward, 1e-12, "two-sided",
                                  signed=False),
                  f"chi-square goodness of fit, {b} bins", n=n, effect=effect, alpha=alpha, power=power,
                  alternative="two-sided", ratio=0.0)
