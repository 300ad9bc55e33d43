"""samplesize: power analysis against statsmodels and the published reference points,
interval sizing against closed forms and independent computations, PAC/VC bounds against
their formulas, intrinsic dimension against scikit-dimension and manifolds of known dimension."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

import scalinglab as sl

ss = sl.samplesize
smp = pytest.importorskip("statsmodels.stats.power", reason="statsmodels is a test dependency")


# -- power analysis ------------------------------------------------------------------------
@pytest.mark.parametrize("effect, power, expected", [
    (0.2, 0.8, 393.406), (0.5, 0.8, 63.7656), (0.8, 0.8, 25.5246),
    (0.2, 0.9, 526.333), (0.5, 0.9, 85.0313), (0.8, 0.9, 33.8255),
])
def test_two_sample_n_reference_points(effect, power, expected):
    res = ss.ttest(effect=effect, power=power, alpha=0.05)
    assert float(f"{res.n:.6g}") == expected                   # the published 6 significant digits
    ref = smp.TTestIndPower().solve_power(effect_size=effect, power=power, alpha=0.05)
    assert res.n == pytest.approx(ref, rel=1e-6)
    assert res.n_required == math.ceil(expected) and res.n_total == 2 * math.ceil(expected)


@pytest.mark.parametrize("effect, expected", [(0.2, 198.151), (0.5, 33.3671), (0.8, 14.3028)])
def test_one_sample_n_reference_points(effect, expected):
    res = ss.ttest(effect=effect, power=0.8, kind="one-sample")
    assert float(f"{res.n:.6g}") == expected
    assert res.n == pytest.approx(smp.TTestPower().solve_power(effect_size=effect, power=0.8, alpha=0.05), rel=1e-6)
    assert ss.ttest(effect=effect, power=0.8, kind="paired").n == pytest.approx(res.n, rel=1e-12)


def test_power_of_two_samples_of_64():
    assert ss.ttest(effect=0.5, n=64, power=None).power == pytest.approx(0.801460, abs=5e-7)


@pytest.mark.parametrize("kind, ratio, alternative", [
    ("two-sample", 2.0, "two-sided"), ("two-sample", 0.5, "larger"), ("one-sample", 1.0, "larger"),
    ("one-sample", 1.0, "two-sided"),
])
def test_agrees_with_statsmodels_for_every_unknown(kind, ratio, alternative):
    ref = smp.TTestIndPower() if kind == "two-sample" else smp.TTestPower()
    extra = {"ratio": ratio} if kind == "two-sample" else {}
    n = ss.ttest(effect=0.35, power=0.85, kind=kind, ratio=ratio, alternative=alternative).n
    assert n == pytest.approx(ref.solve_power(effect_size=0.35, power=0.85, alpha=0.05, alternative=alternative,
                                              **extra), rel=1e-6)
    p = ss.ttest(effect=0.35, n=40, power=None, kind=kind, ratio=ratio, alternative=alternative).power
    assert p == pytest.approx(ref.power(0.35, 40, 0.05, alternative=alternative, **extra), rel=1e-6)
    # statsmodels' own root finder stops at about 3e-6 relative for effect sizes, so check our
    # solution with its power function instead
    e = ss.ttest(n=40, power=0.7, kind=kind, ratio=ratio, alternative=alternative).effect
    assert ref.power(e, 40, 0.05, alternative=alternative, **extra) == pytest.approx(0.7, rel=1e-9)
    a = ss.ttest(effect=0.35, n=40, power=0.5, alpha=None, kind=kind, ratio=ratio, alternative=alternative).alpha
    assert ss.ttest(effect=0.35, n=40, alpha=a, power=None, kind=kind, ratio=ratio,
                    alternative=alternative).power == pytest.approx(0.5, rel=1e-9)


def test_noncentral_t_lower_tail_is_guarded():
    """scipy's nct.cdf can be NaN far in the lower tail (df = 1998, nc = 11.18)."""
    res = ss.ttest(effect=0.5, n=1000, power=None)
    assert np.isfinite(res.power) and res.power == pytest.approx(1.0)


def test_solve_round_trip():
    n = ss.ttest(effect=0.3, power=0.9).n
    assert ss.ttest(effect=0.3, n=n, power=None).power == pytest.approx(0.9, rel=1e-10)


@pytest.mark.parametrize("kind, ratio", [("two-sample", 1.0), ("two-sample", 3.0), ("one-sample", 0.0)])
def test_proportions_agree_with_statsmodels(kind, ratio):
    h = ss.cohens_h(0.55, 0.45)
    from statsmodels.stats.proportion import proportion_effectsize
    assert h == pytest.approx(proportion_effectsize(0.55, 0.45), rel=1e-12)
    ours = ss.proportions(p1=0.55, p2=0.45, power=0.8, kind=kind, ratio=ratio if ratio else 1.0).n
    ref = smp.NormalIndPower().solve_power(effect_size=h, power=0.8, alpha=0.05, ratio=ratio)
    assert ours == pytest.approx(ref, rel=1e-6)


def test_power_analysis_rejects_bad_requests():
    with pytest.raises(sl.ScalingLabError, match="all but exactly one"):
        ss.ttest(effect=0.5, n=20, power=0.8)
    with pytest.raises(sl.ScalingLabError, match="impossible"):
        ss.ttest(n=20, power=0.01)                        # power below alpha: no effect size does it
    with pytest.raises(sl.ScalingLabError, match="alpha must be between 0 and 1"):
        ss.ttest(effect=0.5, power=0.8, alpha=5)
    with pytest.raises(sl.ScalingLabError, match="kind must be"):
        ss.ttest(effect=0.5, power=0.8, kind="three-sample")
    assert "64 per group" in str(ss.ttest(effect=0.5, power=0.8))


def test_one_sided_power_below_alpha_is_solvable():
    """Issue 21: a one-sided power below alpha means an effect against the alternative;
    statsmodels recovers it (d = 0.2, h = 0.01), and so must we."""
    p = smp.TTestPower().power(0.2, 30, 0.05, alternative="smaller")
    assert p < 0.05
    assert ss.ttest(n=30, power=p, kind="one-sample", alternative="smaller").effect == pytest.approx(0.2, rel=1e-9)
    ph = smp.NormalIndPower().power(0.01, 1000, 0.05, alternative="smaller")
    assert ss.proportions(n=1000, power=ph, alternative="smaller").effect == pytest.approx(0.01, rel=1e-9)
    e = ss.ttest(n=20, power=0.01, alternative="larger").effect
    assert e < 0 and smp.TTestIndPower().power(e, 20, 0.05, alternative="larger") == pytest.approx(0.01, rel=1e-9)


def test_sample_sizes_beyond_1e10():
    """d = 1e-5 needs about 1.57e11 per group (the old solver stopped at 1e10)."""
    res = ss.ttest(effect=1e-5, power=0.8)
    ref = smp.TTestIndPower().solve_power(effect_size=1e-5, power=0.8, alpha=0.05)
    assert res.n == pytest.approx(ref, rel=1e-6) and res.n == pytest.approx(1.5698e11, rel=1e-4)
    assert ss.proportions(effect=1e-8, power=0.9).n == pytest.approx(
        smp.NormalIndPower().solve_power(effect_size=1e-8, power=0.9, alpha=0.05, ratio=1), rel=1e-6)


def test_impossible_requests_say_why():
    with pytest.raises(sl.ScalingLabError, match="effect size 0 the power is alpha"):
        ss.ttest(effect=0.0, power=0.8)
    with pytest.raises(sl.ScalingLabError, match="smallest n .* already gives"):
        ss.ttest(effect=0.5, power=0.01)
    with pytest.raises(sl.ScalingLabError, match="at least alpha"):
        ss.anova(n=40, power=0.01)
    with pytest.raises(sl.ScalingLabError, match="never reaches"):
        ss.ttest(effect=-0.5, power=0.8, alternative="larger")


def test_arrays_broadcast_like_statsmodels():
    d = np.array([0.2, 0.5, 0.8])
    res = ss.ttest(effect=d, power=np.array([[0.8], [0.9]]))
    assert res.n.shape == (2, 3) and res.n_required.shape == (2, 3)
    for i, pw in enumerate((0.8, 0.9)):
        for j, e in enumerate(d):
            assert res.n[i, j] == pytest.approx(smp.TTestIndPower().solve_power(effect_size=e, power=pw, alpha=0.05),
                                                rel=1e-6)
    powers = ss.ttest(effect=0.5, n=[10, 20, 40], power=None).power
    assert powers == pytest.approx(smp.TTestIndPower().power(0.5, np.array([10, 20, 40]), 0.05), rel=1e-9)
    import json
    json.dumps(res.to_dict())
    assert "393.4057" in str(res)
    with pytest.raises(sl.ScalingLabError, match="element"):
        ss.ttest(effect=[0.5, 0.0], power=0.8)
    with pytest.raises(sl.ScalingLabError, match="do not broadcast"):
        ss.ttest(effect=[0.2, 0.5], power=[0.8, 0.9, 0.95])
    with pytest.raises(sl.ScalingLabError, match="finite"):
        ss.ttest(effect=[0.5, np.nan], power=0.8)


# R pwr's published examples: pwr.anova.test(k = 4, f = 0.25, power = 0.8) gives n = 44.59927
# per group; pwr.chisq.test(w = 0.3, df = 3, power = 0.8) gives N = 121.1396.
def test_anova_and_chisquare_published_values():
    assert ss.anova(effect=0.25, power=0.8, k_groups=4).n / 4 == pytest.approx(44.59927, abs=1e-5)
    assert ss.chisquare(effect=0.3, power=0.8, n_bins=4).n == pytest.approx(121.1396, abs=1e-4)


@pytest.mark.parametrize("design", ["anova", "chisquare"])
def test_anova_and_chisquare_agree_with_statsmodels_for_every_unknown(design):
    if design == "anova":
        ref, ours, extra = smp.FTestAnovaPower(), ss.anova, {"k_groups": 3}
    else:
        ref, ours, extra = smp.GofChisquarePower(), ss.chisquare, {"n_bins": 5}
    assert ours(effect=0.3, power=0.85, **extra).n == pytest.approx(
        ref.solve_power(effect_size=0.3, power=0.85, alpha=0.05, **extra), rel=1e-6)
    assert ours(effect=0.3, n=60, power=None, **extra).power == pytest.approx(
        ref.power(0.3, 60, 0.05, **extra), rel=1e-6)
    e = ours(n=60, power=0.7, **extra).effect
    assert ref.power(e, 60, 0.05, **extra) == pytest.approx(0.7, rel=1e-9)
    a = ours(effect=0.3, n=60, power=0.5, alpha=None, **extra).alpha
    assert ref.power(0.3, 60, a, **extra) == pytest.approx(0.5, rel=1e-9)
    with pytest.raises(sl.ScalingLabError, match="effect must be >= 0"):
        ours(effect=-0.3, power=0.8, **extra)


# -- interval sizing ------------------------------------------------------------------------
def test_prediction_interval_n_closed_form_and_impossible():
    z = stats.norm.ppf(0.975)
    res = ss.prediction_interval_n(4.5, 1.0)
    assert 2 * z * math.sqrt(1 + 1 / res.n) == pytest.approx(4.5, rel=1e-12)
    bad = ss.prediction_interval_n(3.9, 1.0)                # 2zσ = 3.92 > 3.9
    assert not bad.possible and bad.n == math.inf and "impossible" in str(bad)


def test_mean_interval_n_z_and_t():
    z = ss.mean_interval_n(0.5, 2.0)
    assert z.n == pytest.approx((2 * stats.norm.ppf(0.975) * 2.0 / 0.5) ** 2, rel=1e-12)
    t = ss.mean_interval_n(0.5, 2.0, method="t")
    assert t.n > z.n
    assert 2 * stats.t.ppf(0.975, t.n - 1) * 2.0 / math.sqrt(t.n) == pytest.approx(0.5, rel=1e-9)


def test_wilson_width_matches_statsmodels():
    from statsmodels.stats.proportion import proportion_confint
    res = ss.proportion_interval_n(0.08, p=0.3)
    n = res.n
    lo, hi = proportion_confint(0.3 * n, n, alpha=0.05, method="wilson")
    assert hi - lo == pytest.approx(0.08, rel=1e-6)
    wald = ss.proportion_interval_n(0.08, p=0.3, method="wald")
    assert wald.n == pytest.approx(stats.norm.ppf(0.975) ** 2 * 0.21 * (2 / 0.08) ** 2, rel=1e-12)


@pytest.mark.parametrize("margin", [0.05, 0.1, 0.2])
def test_majority_n_is_the_smallest_that_works(margin):
    n = int(ss.majority_n(margin, level=0.9).n)
    p = 0.5 + margin
    works = [stats.binom.sf(m // 2, m, p) >= 0.9 for m in range(1, n + 50)]
    assert works[n - 1] and all(works[n - 1:])
    assert not works[n - 2] or not all(works[n - 2:])


def test_partitions_sum_unequal_noise():
    plan = ss.partitions_n([0.5, 1.0, 2.0], 5.0)
    parts = [ss.prediction_interval_n(5.0, s).n_required for s in (0.5, 1.0, 2.0)]
    assert plan.sizes == tuple(parts) and plan.total == sum(parts)
    assert not np.isfinite(ss.partitions_n([1.0, 3.0], 5.0).total)


def test_choose_k_finds_the_blobs_and_feeds_the_plan():
    from sklearn.datasets import make_blobs
    X, labels = make_blobs(n_samples=400, centers=4, cluster_std=0.6, random_state=0)
    for criterion in ("silhouette", "bic"):
        assert ss.choose_k(X, criterion=criterion).k == 4
    rng = np.random.default_rng(0)
    noise = np.array([0.5, 1.0, 1.5, 2.0])[labels]
    choice, plan = ss.partition_plan(X, 6.0, y=rng.normal(0, noise))
    assert choice.k == 4 and len(plan.sizes) == 4 and plan.total == sum(plan.sizes)
    assert list(choice.clusters.columns) == ["size", "spread"]


# -- PAC / VC -------------------------------------------------------------------------------
def test_blumer_bound_uses_log_base_two():
    b = ss.pac_realizable(vc=10, eps=0.1, delta=0.05)
    assert b.n == pytest.approx(5617.89, abs=0.01) and b.kind == "sufficient"
    natural = max(4 / 0.1 * math.log(2 / 0.05), 8 * 10 / 0.1 * math.log(13 / 0.1))
    assert natural == pytest.approx(3894.03, abs=0.01) and b.n != pytest.approx(natural)
    # N = (8V/eps) log2(13/eps) dominates: d ln N / d ln eps = -1 - 1/ln(13/eps)
    assert b.sensitivity["eps"] == pytest.approx(-1 - 1 / math.log(130), rel=1e-5)
    assert "usually loose" in str(b)


def test_necessary_and_agnostic_and_finite_bounds():
    nec = ss.pac_realizable(vc=10, eps=0.1, delta=0.005, kind="necessary")
    assert nec.kind == "necessary"
    assert nec.n == pytest.approx(max(0.9 / 0.1 * math.log(200), 9 / 3.2))
    with pytest.raises(sl.ScalingLabError, match="eps <= 1/8"):
        ss.pac_realizable(vc=10, eps=0.2, delta=0.005, kind="necessary")
    ag = ss.pac_agnostic(10, 0.1, 0.05)
    assert ag.n == pytest.approx(64 / 0.01 * (20 * math.log(120) + math.log(80)))
    assert ss.pac_finite(1000, 0.1, 0.05).n == pytest.approx(math.log(1000 / 0.05) / 0.1)
    assert ss.pac_finite(1000, 0.1, 0.05, agnostic=True).n == pytest.approx(2 * math.log(2000 / 0.05) / 0.01)


def test_vc_of_networks():
    assert ss.vc_threshold_network(100, 10) == pytest.approx(952.925, abs=1e-3)
    assert "order of growth" in ss.vc_network_order(1000, 5)
    assert "no W·log W" in ss.vc_network_order(1000, 5, activation="sigmoid")


# -- intrinsic dimension ----------------------------------------------------------------------
def test_intrinsic_dimension_matches_scikit_dimension_on_digits():
    skdim = pytest.importorskip("skdim", reason="scikit-dimension is a test dependency")
    from sklearn.datasets import load_digits
    X, _ = load_digits(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_twonn = skdim.id.TwoNN().fit(X).dimension_
        ref_mle = skdim.id.MLE(K=20).fit(X).dimension_
        ref_mean = skdim.id.MLE(K=20).fit(X, comb="mean").dimension_
    assert ss.intrinsic.twonn(X).dimension == pytest.approx(ref_twonn, rel=1e-9)
    assert ss.intrinsic.twonn(X).dimension == pytest.approx(8.908, abs=1e-3)
    assert ss.intrinsic.mle(X, k=20).dimension == pytest.approx(ref_mle, rel=1e-9)
    assert ss.intrinsic.mle(X, k=20).dimension == pytest.approx(6.84, abs=0.01)
    assert ss.intrinsic.mle(X, k=20, combine="arithmetic").dimension == pytest.approx(ref_mean, rel=1e-9)
    assert ss.intrinsic.mle(X, k=20, combine="arithmetic").dimension == pytest.approx(7.72, abs=0.01)


@pytest.mark.parametrize("d", [2, 5])
def test_intrinsic_dimension_of_known_manifolds(d):
    """A d-dimensional cube embedded linearly in 20 dimensions."""
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(3000, d)) @ rng.normal(size=(d, 20))
    assert ss.intrinsic.twonn(X).dimension == pytest.approx(d, rel=0.1)
    assert ss.intrinsic.mle(X, k=20).dimension == pytest.approx(d, rel=0.1)


def test_duplicates_are_removed_with_a_warning():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 3))
    with pytest.warns(sl.ScalingLabWarning, match="10 duplicate rows removed"):
        res = ss.intrinsic.twonn(np.vstack([X, X[:10]]))
    assert res.n_dropped == 10 and res.n_used == 500 and "duplicate" in str(res)
    assert res.dimension == ss.intrinsic.twonn(X).dimension


def test_every_point_duplicated_gives_a_number_not_nan():
    """Issue 15: the MLE returned NaN when every point had a duplicate."""
    X = np.random.default_rng(1).normal(size=(300, 4))
    with pytest.warns(sl.ScalingLabWarning):
        res = ss.intrinsic.mle(np.vstack([X, X]), k=10)
    assert res.dimension == ss.intrinsic.mle(X, k=10).dimension and np.isfinite(res.dimension)
    with pytest.warns(sl.ScalingLabWarning), pytest.raises(sl.ScalingLabError, match="distinct points"):
        ss.intrinsic.mle(np.repeat(X[:5], 10, axis=0), k=10)


def test_lattice_data_is_refused_by_twonn_with_the_reason():
    grid = np.array(np.meshgrid(np.arange(30.0), np.arange(30.0))).reshape(2, -1).T
    with pytest.raises(sl.ScalingLabError, match="same distance"):
        ss.intrinsic.twonn(grid)
    # k = 4: inside the grid all four neighbours are at distance 1 (an infinite local estimate)
    assert np.isfinite(ss.intrinsic.mle(grid, k=4).dimension)
    with pytest.raises(sl.ScalingLabError, match="infinite local estimate"):
        ss.intrinsic.mle(grid, k=4, combine="arithmetic")
    assert ss.intrinsic.pca(grid).dimension == 2


def test_local_and_pca_estimates_match_scikit_dimension():
    skdim = pytest.importorskip("skdim")
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(600, 3)) @ rng.normal(size=(3, 8)) + 0.01 * rng.normal(size=(600, 8))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_mle = skdim.id.MLE(K=15).fit(X, n_neighbors=15)
        ref_pca = skdim.id.lPCA().fit(X).dimension_
        ref_pr = skdim.id.lPCA(ver="participation_ratio").fit(X).dimension_
        ref_local = skdim.id.lPCA().fit_pw(X, n_neighbors=40).dimension_pw_
    ours = ss.intrinsic.mle(X, k=15)
    assert ours.local == pytest.approx(ref_mle.dimension_pw_, rel=1e-9)
    assert ss.intrinsic.pca(X).dimension == ref_pca == 3
    assert ss.intrinsic.pca(X, rule="participation_ratio").dimension == pytest.approx(ref_pr, rel=1e-9)
    loc = ss.intrinsic.local_pca(X, n_neighbors=40)
    assert loc.local == pytest.approx(ref_local, rel=1e-12) and loc.dimension == pytest.approx(np.mean(ref_local))
    import json
    from dataclasses import asdict
    json.dumps(asdict(loc))


def test_exponent_heuristics():
    assert ss.intrinsic.exponent_from_dimension(8.0) == pytest.approx(0.125)
    assert ss.intrinsic.exponent_from_dimension(8.0, kind="model") == pytest.approx(0.5)
    with pytest.raises(sl.ScalingLabError):
        ss.intrinsic.exponent_from_dimension(0.0)


def test_points_near_the_float_limit_give_the_answer_of_the_same_points_at_unit_scale():
    """Squared distances of values near 1e300 overflow: TwoNN failed inside scikit-learn, PCA
    said 0 and k-means put every point in one cluster (found by scripts/fuzz_cli.py). The
    estimators are scale-free, so the answers equal those at unit scale."""
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(300, 2)) @ rng.normal(size=(2, 4))
    for estimator in (ss.intrinsic.twonn, ss.intrinsic.mle, ss.intrinsic.pca):
        assert estimator(X * 1e300).dimension == pytest.approx(estimator(X).dimension, rel=1e-9)
    blobs = np.concatenate([rng.normal(c, 0.1, size=(40, 2)) for c in ((0, 0), (3, 0), (0, 3))])
    tiny, huge, unit = (ss.choose_k(blobs * s, k_range=range(2, 6)) for s in (1e-300, 1e300, 1.0))
    assert tiny.k == huge.k == unit.k == 3
    np.testing.assert_allclose(huge.clusters["spread"], unit.clusters["spread"] * 1e300, rtol=1e-9)
    with pytest.raises(sl.ScalingLabError, match="no usable K"):
        ss.choose_k(np.ones((10, 2)))
