"""Power analysis for t-tests and proportions: solve for whichever of n, effect, alpha or
power is left out.

Each design writes only its forward ``power(n, effect, alpha)``; one generic solver finds the
missing quantity by bracketing root search (the structure of statsmodels' ``solve_power``).
Formulas as in statsmodels 0.15 (``stats/power.py``), so the two agree to 1e-6:

* t-tests: power = P(T' > t_crit) [+ P(T' < −t_crit) two-sided], T' noncentral t with
  df = n − 1 (one-sample, paired) or n1 + n2 − 2 (two-sample, n2 = ratio·n1) and
  noncentrality d·√n_eff, n_eff = n or 1/(1/n1 + 1/n2) (Cohen 1988, ch. 2).
* proportions: normal approximation on Cohen's h = 2·asin√p1 − 2·asin√p2
  (Cohen 1988, ch. 6), power = Φ(h√n_eff − z_crit) [+ Φ(−h√n_eff − z_crit)].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from ..errors import ScalingLabError

__all__ = ["PowerResult", "ttest", "proportions", "cohens_h"]

ALTERNATIVES = ("two-sided", "larger", "smaller")
T_KINDS = ("two-sample", "one-sample", "paired")


def _nct_cdf(x: float, df: float, nc: float) -> float:
    """Noncentral t CDF, guarded: scipy can return NaN far in the lower tail (e.g. df = 1998,
    nc = 11.18); there the probability is below double precision, so use 1 − sf, else 0."""
    value = stats.nct.cdf(x, df, nc)
    if np.isnan(value):
        value = 1.0 - stats.nct.sf(x, df, nc)
    return 0.0 if np.isnan(value) else float(min(max(value, 0.0), 1.0))


def _nct_sf(x: float, df: float, nc: float) -> float:
    value = stats.nct.sf(x, df, nc)
    if np.isnan(value):
        value = 1.0 - stats.nct.cdf(x, df, nc)
    return 0.0 if np.isnan(value) else float(min(max(value, 0.0), 1.0))


def _t_power(effect: float, n: float, alpha: float, kind: str, ratio: float, alternative: str) -> float:
    if kind == "two-sample":
        n2 = ratio * n
        df, n_eff = n + n2 - 2, 1.0 / (1.0 / n + 1.0 / n2)
    else:
        df, n_eff = n - 1, n
    tail = alpha / 2 if alternative == "two-sided" else alpha
    nc = effect * math.sqrt(n_eff)
    power = 0.0
    if alternative in ("two-sided", "larger"):
        power += _nct_sf(stats.t.isf(tail, df), df, nc)
    if alternative in ("two-sided", "smaller"):
        power += _nct_cdf(stats.t.ppf(tail, df), df, nc)
    return power


def _normal_power(effect: float, n: float, alpha: float, ratio: float, alternative: str) -> float:
    n_eff = n if ratio == 0 else 1.0 / (1.0 / n + 1.0 / (ratio * n))
    tail = alpha / 2 if alternative == "two-sided" else alpha
    crit = stats.norm.isf(tail)
    shift = effect * math.sqrt(n_eff)
    power = 0.0
    if alternative in ("two-sided", "larger"):
        power += stats.norm.sf(crit - shift)
    if alternative in ("two-sided", "smaller"):
        power += stats.norm.cdf(-crit - shift)
    return float(power)


@dataclass(frozen=True)
class PowerResult:
    """A solved power analysis. ``n`` is exact (a real number; per group for two samples);
    ``n_required`` rounds it up."""

    design: str
    n: float
    effect: float
    alpha: float
    power: float
    alternative: str
    ratio: float
    solved_for: str

    @property
    def n_required(self) -> int:
        return int(math.ceil(self.n - 1e-9))

    @property
    def n_total(self) -> int:
        """Both groups together for two-sample designs (n1 + ratio·n1, each rounded up)."""
        if self.ratio and self.design.endswith("two-sample"):
            return self.n_required + int(math.ceil(self.ratio * self.n - 1e-9))
        return self.n_required

    def __str__(self) -> str:
        per = " per group" if self.design.endswith("two-sample") else ""
        lead = {
            "n": f"{self.n_required}{per} (exactly {self.n:.4f})",
            "effect": f"effect size {self.effect:.4g}",
            "alpha": f"alpha = {self.alpha:.4g}",
            "power": f"power = {self.power:.4f}",
        }[self.solved_for]
        return (f"{self.design} ({self.alternative}): {lead} — with n = {self.n:.4g}{per}, effect size "
                f"{self.effect:.4g}, alpha {self.alpha:.4g}, power {self.power:.4f}. Assumes independent "
                f"observations and, for t-tests, normal data with equal variances (Cohen 1988).")


def _solve(design: str, forward, *, n, effect, alpha, power, alternative, ratio, min_n: float) -> PowerResult:
    given = {"n": n, "effect": effect, "alpha": alpha, "power": power}
    missing = [k for k, v in given.items() if v is None]
    if len(missing) != 1:
        raise ScalingLabError(f"give all but exactly one of n, effect, alpha, power (missing: {missing or 'none'})")
    if alternative not in ALTERNATIVES:
        raise ScalingLabError(f"alternative must be one of {ALTERNATIVES}, got {alternative!r}")
    for name in ("alpha", "power"):
        value = given[name]
        if value is not None and not 0 < value < 1:
            raise ScalingLabError(f"{name} must be between 0 and 1, got {value!r}")
    if n is not None and n <= min_n:
        raise ScalingLabError(f"n must be > {min_n:g} for this design, got {n!r}")
    if effect is not None and alternative == "two-sided":
        effect = abs(effect)
    unknown = missing[0]

    def gap(value):
        kw = {**given, "effect": effect, unknown: value}
        return forward(kw["effect"], kw["n"], kw["alpha"]) - kw["power"]

    if unknown == "power":
        value = forward(effect, n, alpha)
    else:
        if unknown == "effect" and alternative == "smaller":
            lo, hi = -50.0, -1e-10
        else:
            lo, hi = {"n": (min_n + 1e-6, 1e10), "effect": (1e-10, 50.0), "alpha": (1e-15, 1 - 1e-15)}[unknown]
        f_lo, f_hi = gap(lo), gap(hi)
        if np.sign(f_lo) == np.sign(f_hi):
            raise ScalingLabError(
                f"no {unknown} between {lo:g} and {hi:g} gives power {power}: the request is impossible "
                f"(power at the ends: {f_lo + (power or 0):.4g}, {f_hi + (power or 0):.4g})")
        value = optimize.brentq(gap, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500)
    out = {**given, "effect": effect, unknown: value}
    return PowerResult(design=design, n=out["n"], effect=out["effect"], alpha=out["alpha"], power=out["power"],
                       alternative=alternative, ratio=ratio, solved_for=unknown)


def ttest(*, effect: float | None = None, n: float | None = None, alpha: float | None = 0.05,
          power: float | None = None, kind: str = "two-sample", ratio: float = 1.0,
          alternative: str = "two-sided") -> PowerResult:
    """Power analysis of a t-test; leave exactly one of n, effect, alpha, power as None
    (``alpha=None`` to solve for it).

    ``effect`` is Cohen's d (mean difference / standard deviation); ``n`` is the size of the
    sample (one-sample, paired: number of pairs) or of group 1 (two-sample, group 2 has
    ``ratio``·n).

    >>> round(ttest(effect=0.5, power=0.8).n, 4)
    63.7656
    """
    if kind not in T_KINDS:
        raise ScalingLabError(f"kind must be one of {T_KINDS}, got {kind!r}")
    if kind == "two-sample" and not ratio > 0:
        raise ScalingLabError(f"ratio must be > 0, got {ratio!r}")

    def forward(e, size, a):
        return _t_power(e, size, a, kind, ratio, alternative)

    # search from one degree of freedom up (below it the noncentral t is numerically unreliable)
    min_n = 2.0 - 1e-6 if kind != "two-sample" else 3.0 / (1.0 + ratio) - 1e-6
    return _solve(f"t-test, {kind}", forward, n=n, effect=effect, alpha=alpha, power=power,
                  alternative=alternative, ratio=ratio if kind == "two-sample" else 0.0, min_n=min_n)


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's effect size for two proportions: 2·asin√p1 − 2·asin√p2."""
    for name, p in (("p1", p1), ("p2", p2)):
        if not 0 <= p <= 1:
            raise ScalingLabError(f"{name} must be a proportion in [0, 1], got {p!r}")
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def proportions(*, p1: float | None = None, p2: float | None = None, effect: float | None = None,
                n: float | None = None, alpha: float | None = 0.05, power: float | None = None,
                kind: str = "two-sample", ratio: float = 1.0, alternative: str = "two-sided") -> PowerResult:
    """Power analysis for one proportion against p2 (``kind="one-sample"``) or two proportions
    (``kind="two-sample"``, group 2 of ``ratio``·n), on Cohen's h (give p1 and p2, or
    ``effect`` = h directly; leave exactly one of n, effect, alpha, power unknown).

    >>> round(proportions(p1=0.5, p2=0.4, power=0.8).n, 2)
    387.17
    """
    if kind not in ("one-sample", "two-sample"):
        raise ScalingLabError(f"kind must be 'one-sample' or 'two-sample', got {kind!r}")
    if p1 is not None and p2 is not None:
        if effect is not None:
            raise ScalingLabError("give p1 and p2, or effect, not both")
        effect = cohens_h(p1, p2)
    r = ratio if kind == "two-sample" else 0.0
    if kind == "two-sample" and not ratio > 0:
        raise ScalingLabError(f"ratio must be > 0, got {ratio!r}")

    def forward(e, size, a):
        return _normal_power(e, size, a, r, alternative)

    return _solve(f"proportions, {kind}", forward, n=n, effect=effect, alpha=alpha, power=power,
                  alternative=alternative, ratio=r, min_n=0.0)
