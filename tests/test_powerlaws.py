"""Power-law distributions: recovery on synthetic samples, exactness of the x_min search,
agreement with the reference package ``powerlaw`` (test-only dependency)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import scalinglab as sl
from scalinglab.powerlaws import mle, xmin as xmin_search

pw = sl.powerlaws


def pareto(n, alpha=2.5, xmin=1.0, seed=0):
    return xmin * (1 - np.random.default_rng(seed).uniform(size=n)) ** (-1 / (alpha - 1))


def zipf_sample(n, alpha=2.5, seed=0):
    return np.random.default_rng(seed).zipf(alpha, size=n).astype(float)


def brute_force_ks(values, discrete, convention="clauset"):
    """Every candidate, every tail point: the O(n^2) definition."""
    u, below, m, log_sum = xmin_search.tail_statistics(values, discrete)
    out = np.full(len(u), np.nan)
    for i in range(len(u) - 1):
        a = mle.fit_alpha(u[i], m[i], log_sum[i], discrete)
        k = np.arange(i, len(u))
        A = (below[k] - below[i]) / m[i]
        B = (below[k + 1] - below[i]) / m[i] if convention == "clauset" else A
        right = mle.cdf(u[k], a, u[i], discrete)
        left = mle.cdf(u[k], a, u[i], discrete, strict=True) if discrete else right
        out[i] = max((left - A).max(), (B - right).max())
    return u, out


@pytest.mark.parametrize("alpha", [1.8, 2.5, 3.2])
def test_continuous_mle_recovers_alpha(alpha):
    f = pw.fit(pareto(20000, alpha, xmin=2.0), xmin=2.0)
    assert f.alpha == pytest.approx(alpha, abs=3 * f.sigma)
    assert f.sigma == pytest.approx((f.alpha - 1) / np.sqrt(20000))
    assert f.alpha == pytest.approx(1 + 20000 / np.sum(np.log(f.tail / 2.0)))


def test_discrete_mle_is_exact_not_the_biased_approximation():
    """Zipf(2.5) from x_min = 1: the closed-form approximation gives about 2.01, the exact
    Hurwitz-zeta MLE about 2.49 (issue reference: 2.013 vs 2.486)."""
    x = zipf_sample(20000, 2.5)
    exact = pw.fit(x, discrete=True, xmin=1.0)
    approx = 1 + len(x) / np.sum(np.log(x / 0.5))
    assert exact.alpha == pytest.approx(2.5, abs=0.03)
    assert approx == pytest.approx(2.0, abs=0.05)
    # the MLE satisfies the likelihood equation: d/dalpha [-alpha sum ln x - n ln zeta(alpha, 1)] = 0
    h = 1e-6
    grad = (mle.log_likelihood(exact.alpha + h, 1.0, len(x), np.log(x).sum(), True)
            - mle.log_likelihood(exact.alpha - h, 1.0, len(x), np.log(x).sum(), True)) / (2 * h)
    assert abs(grad) < 1e-2 * len(x) * h * 1e4


@pytest.mark.parametrize("discrete, convention", [(False, "clauset"), (False, "powerlaw"), (True, "clauset")])
def test_xmin_search_equals_the_full_scan(discrete, convention):
    rng = np.random.default_rng(3)
    body = np.exp(rng.normal(0, 1, 1500))
    x = np.concatenate([body, pareto(1000, 2.2, xmin=3.0, seed=4)])
    if discrete:
        x = np.ceil(x)
    u, ks = brute_force_ks(np.sort(x), discrete, convention)
    f = pw.fit(x, discrete=discrete, convention=convention)
    assert f.xmin == u[np.nanargmin(ks)]
    assert f.ks == pytest.approx(np.nanmin(ks), rel=1e-12)


def test_xmin_found_above_a_lognormal_body():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(0.1, 5.0, 3000), pareto(4000, 2.3, xmin=5.0, seed=1)])
    f = pw.fit(x)
    assert f.xmin == pytest.approx(5.0, rel=0.1) and f.alpha == pytest.approx(2.3, abs=0.08)


def test_xmax_truncation():
    x = pareto(20000, 2.0, xmin=1.0)
    f = pw.fit(x, xmin=1.0, xmax=100.0)
    assert f.alpha == pytest.approx(2.0, abs=0.05) and f.n < 20000


def test_bad_input():
    with pytest.raises(sl.ScalingLabError, match="not a positive finite number"):
        pw.fit([1.0, -2.0, 3.0, 4.0])
    with pytest.raises(sl.ScalingLabError, match="whole numbers"):
        pw.fit([1.5, 2.0, 3.0], discrete=True)
    with pytest.raises(sl.ScalingLabError, match="convention"):
        pw.fit(pareto(100), convention="other")


def test_goodness_of_fit_bootstrap():
    """Under the power law the p-value is roughly uniform (this sample: p ~ 0.86 with 100
    draws); exponential data are rejected."""
    good = pw.fit(pareto(800, 2.5, seed=100))
    assert good.gof(100, seed=0) > 0.3
    expo = np.random.default_rng(6).exponential(1.0, 800) + 1.0
    assert pw.fit(expo, xmin=1.0).gof(60, seed=0) < 0.1


def test_likelihood_ratio_picks_the_right_family():
    pl = pw.fit(pareto(3000, 2.5, seed=7))
    assert pl.compare("exponential").favours == "power law"
    rng = np.random.default_rng(8)
    ln = pw.fit(np.exp(rng.normal(1.0, 0.6, 4000)), xmin=3.0)
    assert ln.compare("lognormal").R < 0
    with pytest.raises(sl.ScalingLabError, match="alternative must be one of"):
        pl.compare("gamma")
    with pytest.raises(sl.ScalingLabError, match="continuous data only"):
        pw.fit(zipf_sample(500), discrete=True).compare("lognormal")


# -- agreement with the reference package -------------------------------------------------------
@pytest.fixture(scope="module")
def reference():
    powerlaw = pytest.importorskip("powerlaw", reason="powerlaw is a test dependency")
    x = pareto(3000, 2.5, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return x, powerlaw.Fit(x, verbose=False)


def test_same_xmin_and_alpha_as_powerlaw(reference):
    x, ref = reference
    ours = pw.fit(x, convention="powerlaw")
    assert ours.xmin == ref.xmin
    assert ours.alpha == pytest.approx(ref.alpha, rel=1e-9)
    assert ours.sigma == pytest.approx(ref.sigma, rel=1e-9)
    assert ours.ks == pytest.approx(ref.D, rel=1e-9)
    clauset = pw.fit(x)                       # both sides of each step: may pick a nearby x_min
    assert clauset.alpha == pytest.approx(ref.alpha, abs=2 * ref.sigma)


def test_discrete_agrees_with_powerlaw():
    powerlaw = pytest.importorskip("powerlaw")
    x = zipf_sample(3000, 2.3, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = powerlaw.Fit(x, discrete=True, estimate_discrete=False, verbose=False)
    ours = pw.fit(x, discrete=True, convention="powerlaw")
    assert ours.xmin == ref.xmin and ours.alpha == pytest.approx(ref.alpha, abs=1e-4)


@pytest.mark.parametrize("alternative", ["exponential", "truncated_power_law", "lognormal"])
def test_likelihood_ratios_agree_with_powerlaw(reference, alternative):
    x, ref = reference
    ours = pw.fit(x, convention="powerlaw").compare(alternative)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        R, p = ref.distribution_compare("power_law", alternative)
        nR, _ = ref.distribution_compare("power_law", alternative, normalized_ratio=True)
    # the lognormal nearly coincides with the power law here: both R are ~0, compare absolutely
    assert ours.R == pytest.approx(R, rel=1e-3, abs=0.05)
    assert ours.normalized_R == pytest.approx(nR, rel=1e-3, abs=0.05)
    assert ours.p == pytest.approx(p, abs=0.02)


def test_stretched_exponential_fit_is_at_least_as_likely_as_powerlaws(reference):
    """powerlaw's stretched-exponential optimiser can stop early; ours must reach at least its
    likelihood, i.e. a ratio no larger than powerlaw's."""
    x, ref = reference
    ours = pw.fit(x, convention="powerlaw").compare("stretched_exponential")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        R, _ = ref.distribution_compare("power_law", "stretched_exponential")
    assert ours.R <= R + 1e-6


# -- entry points ---------------------------------------------------------------------------------
def test_zipf_from_counts_and_tokens():
    """Frequencies with a power-law distribution P(f) ∝ f^-alpha give s = 1/(alpha - 1)."""
    freq = zipf_sample(20000, 2.0, seed=9)
    z = pw.zipf(freq)
    assert z.s == pytest.approx(1.0, abs=0.08) and z.tail.discrete
    tokens = [f"w{i}" for i, c in enumerate(freq[:300].astype(int)) for _ in range(c)]
    zt = pw.zipf(tokens)
    assert zt.frequencies.sum() == len(tokens)
    with pytest.raises(sl.ScalingLabError, match="at least 3 positive whole numbers"):
        pw.zipf([1.5, 2.0, 3.0])


def test_spectrum_exponent_of_a_synthetic_matrix():
    """Columns scaled so the singular values decay as r^-1: the fitted exponent is about 1."""
    rng = np.random.default_rng(0)
    q1, _ = np.linalg.qr(rng.normal(size=(500, 100)))
    q2, _ = np.linalg.qr(rng.normal(size=(100, 100)))
    X = (q1 * np.arange(1, 101) ** -1.0) @ q2.T * 100
    s = pw.spectrum(X)
    assert s.exponent == pytest.approx(1.0, abs=0.05) and s.rank_range == (2, 50)
    assert "ranks 2–50" in str(s)
