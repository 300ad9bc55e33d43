"""Backtests: the protocol, scores, categories of ill-behaved curves, and a run on a shipped
sample of 30 LCDB curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scalinglab as sl
from scalinglab.backtest import SizeStats, classify, split

SAMPLE = Path(__file__).parent / "data" / "lcdb_sample.csv"


def stats_from(means, sd=0.01, count=20):
    sizes = 16 * np.sqrt(2) ** np.arange(len(means))
    return SizeStats(sizes, np.asarray(means, float), np.full(len(means), sd), np.full(len(means), count))


@pytest.mark.parametrize("means, category", [
    ([0.5, 0.4, 0.32, 0.26, 0.22, 0.19], "regular"),
    ([0.30, 0.301, 0.299, 0.30, 0.302, 0.30], "flat"),
    ([0.5, 0.35, 0.25, 0.22, 0.28, 0.33], "dipping"),
    ([0.3, 0.38, 0.45, 0.36, 0.28, 0.25], "peaking"),
    ([0.5, 0.4, 0.45, 0.35, 0.3, 0.28], "non-monotone"),
])
def test_categories_with_evidence_across_seeds(means, category):
    cat, evidence = classify(stats_from(means))
    assert cat == category, evidence


def test_noise_is_not_a_category():
    """The same wiggle is non-monotone with 20 tight seeds but regular with noisy ones."""
    wiggly = [0.5, 0.4, 0.41, 0.33, 0.3, 0.27]
    assert classify(stats_from(wiggly, sd=0.002))[0] == "non-monotone"
    assert classify(stats_from(wiggly, sd=0.1, count=3))[0] == "regular"


def test_protocol_split():
    assert split(stats_from(np.linspace(0.5, 0.2, 12))) == 6
    assert split(stats_from(np.linspace(0.5, 0.2, 6))) == 4          # at least 4 training sizes
    with pytest.raises(sl.ScalingLabError, match="leaves nothing to predict"):
        split(stats_from([0.5, 0.4, 0.3, 0.2]))


def test_perfect_power_law_is_extrapolated_exactly():
    sizes = 16 * np.sqrt(2) ** np.arange(12)
    s = SizeStats(sizes, 3 * sizes ** -0.4, np.zeros(12), np.ones(12))
    report = sl.backtest.run({"pl": s}, methods=("last", "power", "auto"), n_boot=30)
    scores = report.rows.set_index("method")["score"]
    assert scores["power"] < 1e-6 and scores["auto"] < 1e-3 and scores["last"] > 0.5
    assert report.summary.loc["power", "win_rate"] > 0.4
    assert set(report.seconds) >= {"fits", "intervals"}


def test_auto_choice_follows_fit_auto_rule():
    """Lowest inner score wins; within 0.1 % the law with fewer parameters; -1 if none scored."""
    laws = ("power", "power_floor", "m4")
    scores = np.array([[0.30, 0.10, 0.20],
                       [0.10005, 0.10, 0.05001],
                       [0.10005, 0.10, 0.2],
                       [np.inf, np.inf, np.inf]])
    np.testing.assert_array_equal(sl.backtest.choose(scores, laws), [1, 2, 0, -1])


def test_auto_choice_keeps_m3_on_weak_evidence():
    """With at most 3 held-out sizes, m3 stays unless another law scores 20x lower."""
    laws = ("power", "m3", "m4")
    scores = np.array([[0.30, 0.10, 0.02],       # m4 5x better: not enough
                       [0.30, 0.10, 0.004],      # 25x better: switch
                       [0.30, 0.10, 0.02],       # 4 held-out sizes: plain lowest score
                       [0.30, np.inf, 0.02]])    # m3 not scored: plain lowest score
    np.testing.assert_array_equal(sl.backtest.choose(scores, laws, np.array([3, 2, 4, 1])), [1, 2, 2, 2])
    np.testing.assert_array_equal(sl.backtest.choose(scores, laws), [2, 2, 2, 2])


def test_conformal_quantile_covers_by_construction():
    """Split conformal: the ceil((n+1)L)-th smallest standardised error (Lei et al. 2018);
    on fresh draws from the same distribution it covers about L."""
    rng = np.random.default_rng(0)
    z = np.abs(rng.standard_t(3, size=4000))
    q = sl.backtest.calibration.conformal_quantile(z, 0.8)
    assert q == np.sort(z)[int(np.ceil(4001 * 0.8)) - 1]
    fresh = np.abs(rng.standard_t(3, size=100_000))
    assert abs(np.mean(fresh <= q) - 0.8) < 0.01
    assert abs(q - __import__("scipy").stats.t.ppf(0.9, 3)) < 0.05


def test_calibration_round_trip_and_fallback(tmp_path):
    table = sl.backtest.Calibration({"m3": {0.8: 2.5, 0.95: 8.0}}, "test")
    table.to_json(tmp_path / "c.json")
    back = sl.backtest.Calibration.from_json(tmp_path / "c.json")
    assert back.q("m3", 0.8) == 2.5 and back.source == "test"
    assert abs(back.q("power", 0.8) - 1.2816) < 1e-3                        # not calibrated: normal
    lo, hi = back.interval("m3", np.array([0.1]), np.array([0.2]), 0.8)
    np.testing.assert_allclose([lo[0], hi[0]], [0.1 * np.exp(-0.5), 0.1 * np.exp(0.5)])


def test_shipped_calibration_covers_every_method():
    table = sl.backtest.shipped()
    assert "LCDB" in table.source
    # since version 2 the default's unit is a scale model, fitted on every domain of the suite
    assert table.version == sl.backtest.calibration.VERSION >= 3 and set(table.scales) == {"auto"}
    assert all(f"{dom} " in table.source for dom in ("lcdb", "lm_tokens", "mlp_samples", "chinchilla", "simulated"))
    for method in sl.backtest.METHODS:
        q80, q95 = table.q(method, 0.8), table.q(method, 0.95)
        assert 1.0 < q80 < q95                     # wider than normal at 95 %: heavy tails


@pytest.fixture(scope="module")
def sample():
    df = pd.read_csv(SAMPLE)
    return {f"{o}/{l}": SizeStats.from_frame(part) for (o, l), part in df.groupby(["openmlid", "learner"])}


def test_lcdb_sample_runs_without_nan(sample):
    report = sl.backtest.run(dict(list(sample.items())[:12]), methods=("last", "power_floor", "m3", "auto"),
                             n_boot=30)
    assert "LCDB" in report.calibration
    table = report.summary
    assert list(table.index) == ["last", "power_floor", "m3", "auto"]
    ok = report.rows[~report.rows["failed"]]
    assert np.isfinite(ok["score"]).all() and len(ok) >= 0.9 * len(report.rows)
    assert 0 <= table.loc["m3", "cover80"] <= 1 and abs(table["win_rate"].sum() - 1) < 1e-9
    assert set(report.rows["category"]) <= {"regular", "flat", "non-monotone", "peaking", "dipping"}
    # auto falls back to the ensemble on flat, peaking and dipping curves
    auto = report.rows[report.rows["method"] == "auto"]
    ill = auto["category"].isin(["flat", "peaking", "dipping"])
    assert ill.any() and (auto.loc[ill, "law"] == "ensemble").all()
    assert set(auto.loc[~ill, "law"]) <= set(sl.backtest.LAWS) | {"ensemble"}


@pytest.mark.slow
def test_lcdb_sample_parallel_equals_serial(sample):
    curves = dict(list(sample.items())[:8])
    serial = sl.backtest.run(curves, n_boot=20, n_jobs=1).rows
    parallel = sl.backtest.run(curves, n_boot=20, n_jobs=2).rows
    pd.testing.assert_frame_equal(serial, parallel, check_exact=False, rtol=1e-6)


@pytest.mark.slow
def test_calibrated_intervals_cover_on_the_shipped_sample(sample):
    """The sample's datasets are in the evaluation half (not used to calibrate); 80 % intervals
    should cover roughly 80 % of its held-out sizes (loose bounds: 30 curves)."""
    report = sl.backtest.run(sample, n_boot=30)
    cover = report.summary["cover80"]
    assert ((cover > 0.6) & (cover < 0.97)).all(), cover


def test_from_curve_aggregates_seeds():
    x = np.repeat([10.0, 20.0, 40.0], 3)
    s = SizeStats.from_curve(sl.Curve(x, [0.5, 0.6, 0.55, 0.4, 0.42, 0.41, 0.3, 0.31, 0.32], seed=np.tile([0, 1, 2], 3)))
    np.testing.assert_allclose(s.mean, [0.55, 0.41, 0.31])
    np.testing.assert_allclose(s.sd, [0.05, 0.01, 0.01])
    assert (s.count == 3).all()


def test_extrapolate_intervals_nest_and_members_are_reported():
    x = 16 * np.sqrt(2) ** np.arange(8)
    y = 0.4 * x ** -0.3 + 0.05
    table = sl.extrapolate(sl.Curve(x, y), [500, 2000, 8000])
    assert list(table.columns[:6]) == ["size", "prediction", "lo80", "hi80", "lo95", "hi95"]
    assert set(sl.backtest.LAWS) | {"last"} <= set(table.columns)
    assert (table["lo95"] <= table["lo80"]).all() and (table["lo80"] <= table["prediction"]).all()
    assert (table["prediction"] <= table["hi80"]).all() and (table["hi80"] <= table["hi95"]).all()
    # the default forecast is the weighted mean of the laws' log predictions (was: the median
    # of the members, last value included)
    assert table.attrs["method"] == "average" and abs(sum(table.attrs["weights"].values()) - 1) < 1e-12
    w = np.array([table.attrs["weights"][law] for law in sl.backtest.LAWS])
    members = np.log(table[list(sl.backtest.LAWS)].to_numpy())
    used = w > 0
    np.testing.assert_allclose(np.log(table["prediction"]), members[:, used] @ w[used], rtol=1e-12)
    truth = 0.4 * np.array([500, 2000, 8000.0]) ** -0.3 + 0.05
    assert ((table["lo80"] <= truth) & (truth <= table["hi80"])).all()


def test_extrapolate_rejects_short_curves_and_bad_sizes():
    with pytest.raises(sl.ScalingLabError, match="at least 4"):
        sl.extrapolate(sl.Curve([1, 2, 3.0], [0.5, 0.4, 0.3]), [10])
    with pytest.raises(sl.ScalingLabError, match="positive"):
        sl.extrapolate(sl.Curve([1, 2, 3, 4.0], [0.5, 0.4, 0.3, 0.25]), [-1])


def test_report_views(sample):
    report = sl.backtest.run(dict(list(sample.items())[:6]), n_boot=20)
    h2h = report.head_to_head("ensemble")
    assert set(h2h.index) == set(sl.backtest.METHODS) - {"ensemble"} and ((h2h >= 0) & (h2h <= 1)).all()
    assert set(report.by_category().columns) == set(sl.backtest.METHODS)
    with pytest.raises(sl.ScalingLabError, match="not in this backtest"):
        report.head_to_head("oracle")
    with pytest.raises(sl.ScalingLabError, match="unknown method"):
        sl.backtest.run(sample, methods=("oracle",))


def test_ensemble_answer_is_extrapolate_at_ten_times():
    x = 16 * np.sqrt(2) ** np.arange(8)
    curve = sl.Curve(x, 0.4 * x ** -0.3 + 0.05)
    from scalinglab.backtest.extrapolation import ensemble_answer
    answer = ensemble_answer(curve, factor=10, level=0.8, n_boot=50)
    table = sl.extrapolate(curve, [10 * x[-1]], levels=(0.8,), n_boot=50)
    assert answer.size == 10 * x[-1] and answer.prediction == table["prediction"].iloc[0]
    assert (answer.lo, answer.hi) == (table["lo80"].iloc[0], table["hi80"].iloc[0])
    assert "Cross-check (10× the data" in str(answer) and "80% interval" in str(answer)


# -- issue 15: no scale assumed, metric direction, bounded metrics -------------------------------
@pytest.mark.parametrize("scale", [1e-6, 1e-4, 1e2])
def test_extrapolate_assumes_no_scale(scale):
    """An MSE around 1e-4..1e-6 used to be clipped to 1e-3: a flat forecast of 0.001 with an
    interval that excluded the truth. Now the forecast of c·y is c times the forecast of y."""
    x = 16 * np.sqrt(2) ** np.arange(8)
    y = 0.4 * x ** -0.3 + 0.05
    at = [500, 2000, 8000]
    base, scaled = sl.extrapolate(sl.Curve(x, y), at, n_boot=50), sl.extrapolate(sl.Curve(x, scale * y), at, n_boot=50)
    for col in ("prediction", "lo80", "hi80", "lo95", "hi95"):
        np.testing.assert_allclose(scaled[col], scale * base[col], rtol=1e-4)
    truth = scale * (0.4 * np.array(at, float) ** -0.3 + 0.05)
    assert ((scaled["lo95"] <= truth) & (truth <= scaled["hi95"])).all()


def test_backtest_scores_do_not_depend_on_the_scale():
    x = 16 * np.sqrt(2) ** np.arange(9)
    curves = {"a": sl.Curve(x, 0.4 * x ** -0.3 + 0.05), "b": sl.Curve(x, 2 * x ** -0.5)}
    tiny = {k: sl.Curve(c.x, 1e-6 * c.y) for k, c in curves.items()}
    a, b = sl.backtest.run(curves, n_boot=20), sl.backtest.run(tiny, n_boot=20)
    np.testing.assert_allclose(a.rows["score"], b.rows["score"], rtol=1e-3, atol=1e-6)
    np.testing.assert_allclose(a.rows["cover95"], b.rows["cover95"])


def test_zeros_follow_the_documented_rule():
    x = 16 * np.sqrt(2) ** np.arange(8)
    y = 0.4 * x ** -0.8
    y[-1] = 0.0
    with pytest.warns(sl.ScalingLabWarning, match="half the smallest positive mean"):
        table = sl.extrapolate(sl.Curve(x, y), [2000], n_boot=50)
    assert table["prediction"].iloc[0] < y[-2]                   # not the old floor of 1e-3 ...
    tiny = sl.Curve(x, 1e-6 * y)
    with pytest.warns(sl.ScalingLabWarning, match="half the smallest positive mean"):
        assert sl.extrapolate(tiny, [2000], n_boot=50)["prediction"].iloc[0] < 1e-6 * y[-2]   # ... nor 1e-3


def test_an_error_rate_stays_inside_zero_one():
    x = 16 * np.sqrt(2) ** np.arange(8)
    err = np.minimum(0.9 * (x / x[0]) ** -0.15, 1.0) * np.exp(np.random.default_rng(0).normal(0, 0.05, 8))
    table = sl.extrapolate(sl.Curve(x, np.minimum(err, 1.0), metric="error"), [2000, 1e5], n_boot=50)
    ends = table[["lo80", "hi80", "lo95", "hi95"]].to_numpy()
    assert np.all((ends > 0) & (ends < 1))
    unbounded = sl.extrapolate(sl.Curve(x, np.minimum(err, 1.0), metric="error", bounds=None), [2000, 1e5], n_boot=50)
    assert unbounded["hi95"].max() > 1                           # what the transform prevents
    # the bound also drops a law that breaks it: here M4's fit has y0 > 1, an error rate above 1
    # with no data, so it has no weight when the metric is an error rate; the others are the same
    from scalinglab.fitting.many import StackedCurves, fit_many
    m4 = fit_many(StackedCurves.pad([(x, np.minimum(err, 1.0))]), "m4").theta[0, 4]
    assert m4 > 1 and table.attrs["weights"]["m4"] == 0 < unbounded.attrs["weights"]["m4"]
    w, wu = (np.array([t.attrs["weights"][law] for law in ("power", "power_floor", "m3")]) for t in (table, unbounded))
    np.testing.assert_allclose(w / w.sum(), wu / wu.sum(), rtol=1e-9)


def test_an_accuracy_is_forecast_as_accuracy():
    x = 16 * np.sqrt(2) ** np.arange(8)
    acc = 1 - (0.5 * x ** -0.3 + 0.02)
    curve = sl.Curve(x, acc, metric="accuracy", higher_is_better=True)
    table = sl.extrapolate(curve, [2000, 8000], n_boot=50)
    assert table.attrs["metric"] == "accuracy (higher is better; in [0, 1])"
    assert np.all(table["prediction"] > acc[-1]) and np.all(np.diff(table["prediction"]) > 0)
    assert np.all((table["lo95"] <= table["prediction"]) & (table["prediction"] <= table["hi95"]))
    assert np.all((table["lo95"] >= 0) & (table["hi95"] <= 1))
    same = sl.extrapolate(sl.Curve(x, acc, metric="accuracy"), [2000, 8000], n_boot=50, higher_is_better=True)
    pd.testing.assert_frame_equal(table, same)
    with pytest.raises(sl.ScalingLabError, match="contradicts"):
        sl.extrapolate(curve, [2000], higher_is_better=False)
    report = sl.backtest.run({"acc": sl.Curve(x, acc, metric="accuracy")}, n_boot=20, higher_is_better=True)
    ensemble = report.rows[report.rows["method"] == "ensemble"]
    assert (ensemble["score"] < 0.05).all()                      # scored on log(1 - accuracy)


@pytest.mark.parametrize("kwargs, message", [
    ({"n_boot": 5}, "n_boot must be a whole number >= 20"),
    ({"levels": (0.8, 1.5)}, "levels must be numbers between 0 and 1"),
    ({"levels": (0.801, 0.799)}, "the same column names"),
])
def test_extrapolate_refuses_options_it_cannot_honour(kwargs, message):
    x = 16 * np.sqrt(2) ** np.arange(8)
    with pytest.raises(sl.ScalingLabError, match=message):
        sl.extrapolate(sl.Curve(x, 0.4 * x ** -0.3), [2000], **kwargs)
    with pytest.raises(sl.ScalingLabError, match="below the smallest size measured"):
        sl.extrapolate(sl.Curve(x, 0.4 * x ** -0.3), [1.0])


def test_averaging_weights_are_the_tempered_likelihood_of_the_inner_backtest():
    """w ∝ (s² + σ²)^(-n / (2T)) over the usable laws; unscored usable laws weigh as the worst
    scored one; unusable laws nothing; no usable law: NaN."""
    from scalinglab.backtest import averaging
    scores = np.array([[0.1, 0.2, np.inf, 0.05], [np.inf, np.inf, np.inf, np.inf], [0.1, 0.3, 0.2, 0.1]])
    ok = np.array([[True, True, True, False], [True, True, False, False], [False] * 4])
    w = averaging.weights(scores, np.array([2, 1, 3]), np.array([0.0, 0.0, 0.0]), ok, temperature=2.0)
    raw = np.array([0.1, 0.2, 0.2]) ** (-2 / 2.0)        # s^-(n/T): unscored law 3 as the worst (0.2)
    np.testing.assert_allclose(w[0], np.r_[raw / raw.sum(), 0.0])
    np.testing.assert_allclose(w[1], [0.5, 0.5, 0, 0])    # nothing scored: equal weights
    assert np.isnan(w[2]).all()
    noisy = averaging.weights(scores[:1], np.array([2]), np.array([0.3]), ok[:1], temperature=2.0)
    raw = (np.array([0.1, 0.2, 0.2]) ** 2 + 0.09) ** (-2 / 4.0)   # noise evens the weights out
    np.testing.assert_allclose(noisy[0], np.r_[raw / raw.sum(), 0.0])


def test_averaging_shape_constraints():
    """A floor above the smallest mean, a prediction at or above the cap, an M4 y0 above the cap:
    the law is not usable on that curve."""
    from scalinglab.backtest import averaging
    theta = np.array([[1.0, 0.5, 0.10], [1.0, 0.5, 0.30]])            # power_floor: floor c
    pred = np.array([[0.2], [0.4]])
    ok = averaging.usable("power_floor", theta, pred, np.array([0.25, 0.25]), np.array([np.inf, np.inf]))
    np.testing.assert_array_equal(ok, [True, False])
    ok = averaging.usable("power_floor", theta[:1], np.array([[1.2]]), np.array([0.25]), np.array([1.0]))
    assert not ok[0]
    m4 = np.array([[1.0, -0.5, 0.5, 0.05, 1.3], [1.0, -0.5, 0.5, 0.05, 0.9]])
    ok = averaging.usable("m4", m4, np.array([[0.2], [0.2]]), np.array([0.3, 0.3]), np.array([1.0, 1.0]))
    np.testing.assert_array_equal(ok, [False, True])


def test_extrapolate_falls_back_visibly_on_a_flat_curve():
    x = 16 * np.sqrt(2) ** np.arange(8)
    y = 0.3 * np.tile([0.99, 1.0, 1.01], 8)
    table = sl.extrapolate(sl.Curve(np.repeat(x, 3), y, seed=np.tile([0, 1, 2], 8)), [1000])
    assert table.attrs["method"] == "ensemble (a flat curve)" and table.attrs["weights"] == {}
    assert np.isfinite(table["prediction"]).all()


def test_scale_model_fit_recovers_a_known_scale():
    """log |e| = a + b log s + c log d + log |z|, z ~ N(0, 1): least squares gives b, c and
    a + E log |z|, E log |z| = -(γ + log 2) / 2 = -0.6352 (the mean of log of a half-normal:
    log χ²₁ has mean ψ(1/2) + log 2 = -γ - log 2, Abramowitz & Stegun 6.3.3)."""
    rng = np.random.default_rng(0)
    inner, dist = np.exp(rng.uniform(-5, -1, 20000)), np.exp(rng.uniform(-2, 1.5, 20000))
    err = np.exp(-1.0) * inner ** 0.7 * dist ** 0.9 * rng.normal(size=20000)
    model = sl.backtest.ScaleModel.fit(err, inner, dist)
    np.testing.assert_allclose([model.inner_power, model.distance_power], [0.7, 0.9], atol=0.03)
    assert abs(model.intercept - (-1.0 - (np.euler_gamma + np.log(2)) / 2)) < 0.05
    # every group weighs the same: repeating one domain's rows changes nothing
    g = np.repeat([0, 1], 10000)
    twice = np.concatenate([np.arange(10000), np.arange(20000)])
    np.testing.assert_allclose(list(sl.backtest.ScaleModel.fit(err[twice], inner[twice], dist[twice],
                                                            g[twice]).to_dict().values()),
                               list(sl.backtest.ScaleModel.fit(err, inner, dist, g).to_dict().values()), rtol=1e-9)
    # the width follows the per-curve scale: doubling the inner error multiplies it by 2^b,
    # doubling the distance by 2^c; the floors hold below their values
    np.testing.assert_allclose(model(0.2, 1.0) / model(0.1, 1.0), 2 ** model.inner_power)
    np.testing.assert_allclose(model(0.1, 2.0) / model(0.1, 1.0), 2 ** model.distance_power)
    assert model(0.0, 1.0) == model(1e-3, 1.0) and model(0.1, -1.0) == model(0.1, 1e-2)
    # the noise floor: never below k σ, and no effect above it
    floored = model.with_noise_floor(2.0)
    assert floored(0.1, 1e-3, 0.05) == 0.1 > model(0.1, 1e-3) and floored(0.1, 1.0, 1e-4) == model(0.1, 1.0)
    with pytest.raises(sl.ScalingLabError, match="at least 3"):
        sl.backtest.ScaleModel.fit([0.1, np.nan], [0.1, 0.1], [1.0, 1.0])


def test_calibration_with_a_scale_model_round_trips(tmp_path):
    scale = sl.backtest.ScaleModel(-1.0, 0.75, 0.9)
    table = sl.backtest.Calibration({"auto": {0.8: 3.0, 0.95: 7.0}}, "test", {"auto": scale})
    table.to_json(tmp_path / "c.json")
    back = sl.backtest.Calibration.from_json(tmp_path / "c.json")
    assert back.scale("auto") == scale and back.scale("m3") is None and back.version == sl.backtest.calibration.VERSION


def _noisy_power_law(amplitude):
    x = 100 * 2.0 ** np.arange(8)
    wiggle = amplitude * np.array([1, -1, 1, 1, -1, -1, 1, -1])       # deterministic, the same shape
    return sl.Curve(x, (0.05 + 3 * x ** -0.4) * np.exp(wiggle))


def test_default_interval_width_follows_the_curve_and_the_distance():
    """The default's unit is the shipped scale model's: the curve's own inner-backtest error and
    how far the forecast reaches, not the members' bootstrap spread."""
    scale = sl.backtest.shipped().scale("auto")
    quiet, noisy = (sl.extrapolate(_noisy_power_law(a), [12800 * 4, 12800 * 32], n_boot=30) for a in (0.005, 0.05))
    half = lambda t: np.log(t["hi80"] / t["prediction"]).to_numpy()              # noqa: E731
    assert np.all(half(noisy) > 2 * half(quiet))                 # a 10× noisier curve: a wider interval
    # on an unbounded metric the half-width is q80 · scale: its growth with the distance is the model's
    d = np.log(np.array([4, 32.0]))                              # the largest size measured is 12800
    np.testing.assert_allclose(half(quiet)[1] / half(quiet)[0], (d[1] / d[0]) ** scale.distance_power, rtol=1e-9)
    # at the largest size measured the fitted part vanishes: the unit is the noise floor k σ
    seeds = np.tile([0, 1, 2], 8)
    x = np.repeat(100 * 2.0 ** np.arange(8), 3)
    y = (0.05 + 3 * x ** -0.4) * np.exp(np.random.default_rng(1).normal(0, 0.03, x.size))
    stats = SizeStats.from_curve(sl.Curve(x, y, seed=seeds))
    sigma = sl.backtest.protocol.replicate_noise(stats, len(stats.sizes))
    here = sl.extrapolate(sl.Curve(x, y, seed=seeds), [x[-1]], n_boot=30)
    np.testing.assert_allclose(np.log(here["hi80"] / here["prediction"]),
                               sl.backtest.shipped().q("auto", 0.8) * scale.noise_floor * sigma, rtol=1e-9)
    # deterministic given the data and the seed
    again = sl.extrapolate(_noisy_power_law(0.005), [12800 * 4, 12800 * 32], n_boot=30)
    pd.testing.assert_frame_equal(quiet, again)


def test_backtest_auto_unit_is_the_scale_model_of_its_inner_error():
    """sl.backtest's auto and sl.extrapolate give one curve's training part the same forecast and
    interval (the benchmark's LODO numbers are about what the package ships)."""
    curve = _noisy_power_law(0.03)
    report = sl.backtest.run({"c": curve}, methods=("auto",), n_boot=30)
    k = sl.backtest.split(SizeStats.from_curve(curve))
    x, y = curve.x[:k], curve.y[:k]
    table = sl.extrapolate(sl.Curve(x, y), curve.x[k:], n_boot=30)
    suite = sl.backtest.prepare({"c": curve})
    found, _ = sl.backtest.forecasts(suite, n_boot=30)
    np.testing.assert_allclose(found["auto"].pred[0], table["prediction"], rtol=1e-9)
    lo, hi = sl.backtest.shipped().interval("auto", found["auto"].pred[0], found["auto"].unit[0], 0.8)
    np.testing.assert_allclose(np.c_[lo, hi], table[["lo80", "hi80"]], rtol=1e-9)
    assert report.rows["failed"].sum() == 0


from hypothesis import given, settings, strategies as st          # noqa: E402

from helpers_hypothesis import examples                          # noqa: E402


@pytest.mark.slow                 # about 0.5 s per example
@settings(max_examples=examples(100), deadline=None)
@given(floor=st.floats(0.0, 0.3), amp=st.floats(0.2, 5.0), alpha=st.floats(0.05, 1.0), noise=st.floats(0.0, 0.2),
       n=st.integers(5, 9), reach=st.floats(1.1, 1000.0), seed=st.integers(0, 2 ** 16))
def test_default_intervals_are_finite_nested_and_inside_an_error_rate(floor, amp, alpha, noise, n, reach, seed):
    """Any error-rate curve: the default forecast never fails, and its intervals nest around it
    inside [0, 1], however far the forecast reaches (an end may round to the bound itself: a
    curve flat at 0.999 gets hi = 1.0)."""
    x = 50 * 2.0 ** np.arange(n)
    y = np.clip((floor + amp * (x / x[0]) ** -alpha) * np.exp(np.random.default_rng(seed).normal(0, noise, n)),
                1e-3, 0.999)
    table = sl.extrapolate(sl.Curve(x, y, metric="error"), [x[-1] * np.sqrt(reach), x[-1] * reach], n_boot=20)
    ends = table[["lo95", "lo80", "prediction", "hi80", "hi95"]].to_numpy()
    assert np.all(np.isfinite(ends)) and np.all((ends >= 0) & (ends <= 1))
    assert np.all(np.diff(ends, axis=1) >= 0)
