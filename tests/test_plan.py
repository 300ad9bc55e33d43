"""Planning answers against closed forms and simulations."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import optimize

import scalinglab as sl

X = np.geomspace(100, 1e4, 10)
HOFFMANN = {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}
BESIROGLU = {"E": 1.8172, "A": 482.01, "B": 2085.43, "alpha": 0.3478, "beta": 0.3658}


def fitted(law, theta, x=X, sigma=0.003, seed=0, n_boot=300, **kw):
    """A bootstrapped fit of data drawn from known parameters (small multiplicative noise)."""
    rng = np.random.default_rng(seed)
    y = sl.get_law(law).predict(x, theta) * np.exp(rng.normal(0, sigma, len(x)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return sl.fit(sl.Curve(x, y), law=law, **kw).bootstrap(n_boot, seed=seed)


@pytest.fixture(scope="module")
def floor_fit():
    return fitted("power_floor", {"a": 2.0, "b": 0.5, "c": 0.01})


def joint_grid():
    n, d = np.meshgrid(np.geomspace(1e7, 1e10, 7), np.geomspace(1e9, 1e12, 7))
    return np.c_[n.ravel(), d.ravel()]


# -- data_for and gain ----------------------------------------------------------------------
def test_data_for_inverts_the_law(floor_fit):
    est = sl.plan.data_for(floor_fit, 0.03)
    a, b, c = (floor_fit.params[k] for k in "abc")
    assert est.n == pytest.approx((a / (0.03 - c)) ** (1 / b), rel=1e-9)
    assert est.n == pytest.approx(1e4, rel=0.05)                 # truth: (2 / 0.02)^2
    assert est.interval[0] < est.n < est.interval[1] and est.reachable_share == 1.0
    assert "Reaching error 0.03 needs about" in str(est)


def test_data_for_below_the_floor(floor_fit):
    est = sl.plan.data_for(floor_fit, 0.005)
    assert not est.reachable and est.floor == pytest.approx(0.01, rel=0.1)
    assert est.floor_interval[0] < est.floor < est.floor_interval[1]
    assert "more data alone will not get there" in str(est)


def test_plan_never_bootstraps_on_its_own():
    """A fit without draws is refused with how to get them (issue 17: data_for, gain, regime,
    ... each ran a hidden 1,000-draw bootstrap under a seed the caller never chose)."""
    res = sl.fit(sl.Curve(X, 2 * X ** -0.5), law="power")
    for ask in (lambda r: sl.plan.data_for(r, 0.01), lambda r: sl.plan.gain(r, factor=10), sl.plan.regime,
                lambda r: sl.plan.economics(r, 1.0, 100.0), lambda r: sl.plan.next_tranche(r, 0.01)):
        with pytest.raises(sl.ScalingLabError, match=r"no bootstrap draws: call res = res.bootstrap\(n=1000\)"):
            ask(res)
    est = sl.plan.data_for(sl.fitting.bootstrap(res, n=200, seed=0), 0.01)
    assert est.n == pytest.approx(4e4, rel=1e-6)


def test_gain_is_one_minus_factor_to_the_exponent():
    res = fitted("power", {"a": 2.0, "b": 0.3}, sigma=0.001)
    g = sl.plan.gain(res, factor=10)
    assert g.relative == pytest.approx(1 - 10 ** -res.params["b"], rel=1e-9)
    assert g.relative_interval[0] <= g.relative <= g.relative_interval[1]
    assert g.size_new == pytest.approx(10 * X.max())
    assert sl.plan.gain(res, size=1e5).size_new == 1e5
    with pytest.raises(sl.ScalingLabError, match="exactly one of"):
        sl.plan.gain(res)


# -- regime -------------------------------------------------------------------------------
def test_regime_power_law_zone():
    r = sl.plan.regime(fitted("power", {"a": 2.0, "b": 0.4}))
    assert r.zone == "power-law" and r.slope == pytest.approx(-0.4, abs=0.02)
    assert r.slope_interval[0] <= r.slope <= r.slope_interval[1]


def test_regime_flat_zone():
    r = sl.plan.regime(fitted("power_floor", {"a": 2.0, "b": 1.0, "c": 0.05}, sigma=0.01))
    assert r.zone == "flat" and "Flat zone" in str(r)


def test_regime_small_data_zone():
    """M4 with a large alpha: the curve hugs y0 at small sizes and steepens with data."""
    x = np.geomspace(10, 1e3, 10)
    r = sl.plan.regime(fitted("m4", {"beta": 30.0, "c": -1.0, "alpha": 3.0, "y_inf": 0.02, "y0": 1.0}, x=x,
                              fixed={"y0": 1.0}), at=30.0)
    assert r.zone == "small-data"


# -- economics --------------------------------------------------------------------------------
def test_economics_matches_the_closed_form_optimum():
    """y = a n^-b: net value peaks where v a b n^(-b-1) = c, i.e. n* = (v a b / c)^(1/(b+1));
    marginal cost of a unit of metric at n0 is c / (a b n0^(-b-1))."""
    res = fitted("power", {"a": 2.0, "b": 0.5}, sigma=0.001)
    a, b = res.params["a"], res.params["b"]
    cost, value = 0.01, 1e6
    e = sl.plan.economics(res, cost_per_sample=cost, value_per_unit=value)
    assert e.best_size == pytest.approx((value * a * b / cost) ** (1 / (b + 1)), rel=5e-3)
    n0 = X.max()
    assert e.marginal_cost == pytest.approx(cost / (a * b * n0 ** (-b - 1)), rel=1e-4)
    assert e.best_size < e.break_even and e.net_value > 0
    assert e.best_size_interval[0] <= e.best_size <= e.best_size_interval[1]


def test_economics_says_when_data_does_not_pay(floor_fit):
    e = sl.plan.economics(floor_fit, cost_per_sample=10.0, value_per_unit=1.0)
    assert e.best_size == X.max() and "does not pay" in str(e)
    with pytest.raises(sl.ScalingLabError, match="cost_per_sample must be a positive number"):
        sl.plan.economics(floor_fit, cost_per_sample=0, value_per_unit=1.0)


# -- next tranche: the collect-fit-decide loop -------------------------------------------------
def simulate_loop(target, truth, start=(100, 200, 400, 800), seeds=3, max_rounds=10, seed=0):
    law = sl.get_law("power_floor")
    rng = np.random.default_rng(seed)
    sizes = list(start)

    def measure(n):
        return law.predict(np.full(seeds, n), truth) * np.exp(rng.normal(0, 0.03, seeds))

    xs = [np.full(seeds, s, float) for s in sizes]
    ys = [measure(s) for s in sizes]
    for rounds in range(max_rounds):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", sl.ScalingLabWarning)
            x, y = np.concatenate(xs), np.concatenate(ys)
            res = sl.fit(sl.Curve(x, y, seed=np.tile(np.arange(seeds), len(xs))), law="power_floor")
            decision = sl.plan.next_tranche(res.bootstrap(300, by="point", seed=rounds), target, tight=0.5)
        if decision.stop:
            return decision, rounds
        xs.append(np.full(seeds, decision.size))
        ys.append(measure(decision.size))
    return decision, max_rounds


def test_loop_stops_near_the_right_size():
    truth = {"a": 2.0, "b": 0.5, "c": 0.01}
    decision, rounds = simulate_loop(0.03, truth)          # true answer: 10,000 samples
    assert decision.stop and rounds < 10
    assert decision.estimate is not None and 6e3 < decision.estimate.n < 1.6e4


def test_loop_stops_when_the_target_is_below_the_floor():
    decision, rounds = simulate_loop(0.008, {"a": 2.0, "b": 0.5, "c": 0.01})
    assert decision.stop and ("out of reach" in decision.reason or "flat" in decision.reason)


# -- compute budgets ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hoffmann_fit():
    return fitted("chinchilla", HOFFMANN, x=joint_grid(), sigma=1e-4, n_boot=200)


def test_compute_optimal_closed_form_exponents(hoffmann_fit):
    opt = sl.plan.compute_optimal(hoffmann_fit, 5.76e23)
    assert opt.params_exponent == pytest.approx(0.28 / 0.62, abs=2e-3)      # 0.4516, not 0.548
    assert opt.tokens_exponent == pytest.approx(0.34 / 0.62, abs=2e-3)
    assert opt.n_params * opt.n_tokens * 6 == pytest.approx(5.76e23, rel=1e-9)
    assert opt.n_params_interval[0] <= opt.n_params <= opt.n_params_interval[1]


def test_besiroglu_exponent():
    res = fitted("chinchilla", BESIROGLU, x=joint_grid(), sigma=1e-4, n_boot=50)
    assert sl.plan.compute_optimal(res, 1e22).params_exponent == pytest.approx(0.513, abs=2e-3)


def test_compute_optimal_is_the_minimum_of_the_law(hoffmann_fit):
    """Independent check: minimise L(N, C/6N) with scipy's bounded scalar minimiser."""
    c = 1e22
    law, theta = hoffmann_fit.law, hoffmann_fit.theta
    out = optimize.minimize_scalar(lambda t: law.predict(np.array([[np.exp(t), c / 6 / np.exp(t)]]), theta)[0],
                                   bounds=(np.log(1e6), np.log(1e14)), method="bounded",
                                   options={"xatol": 1e-10})
    assert sl.plan.compute_optimal(hoffmann_fit, c).n_params == pytest.approx(np.exp(out.x), rel=1e-4)


def test_compute_optimal_numeric_for_kaplan():
    theta = {"N_c": 8.8e13, "D_c": 5.4e13, "alpha_N": 0.076, "alpha_D": 0.095}
    res = fitted("kaplan", theta, x=joint_grid(), sigma=1e-4, n_boot=50)
    c = 1e21
    opt = sl.plan.compute_optimal(res, c)
    out = optimize.minimize_scalar(
        lambda t: res.law.predict(np.array([[np.exp(t), c / 6 / np.exp(t)]]), res.theta)[0],
        bounds=(np.log(1e5), np.log(1e15)), method="bounded", options={"xatol": 1e-10})
    assert opt.n_params == pytest.approx(np.exp(out.x), rel=1e-3)
    assert "numeric" in opt.method


def test_compute_optimal_needs_a_joint_law(floor_fit):
    with pytest.raises(sl.ScalingLabError, match="joint law"):
        sl.plan.compute_optimal(floor_fit, 1e20)


def test_isoflop_recovers_the_allocation_exponent():
    """Approach 2 on data from Hoffmann et al.'s law: 6 budgets × 9 model sizes around the
    optimum; the fitted exponent of N_opt matches beta / (alpha + beta) = 0.4516."""
    law = sl.get_law("chinchilla")
    rows = []
    for c in np.geomspace(1e18, 1e21, 6):
        n_star = (0.34 * 406.4 / (0.28 * 410.7)) ** (1 / 0.62) * (c / 6) ** (0.28 / 0.62)
        for n in n_star * np.geomspace(1 / 4, 4, 9):
            rows.append((n, c / (6 * n)))
    x = np.array(rows)
    rng = np.random.default_rng(0)
    y = law.predict(x, HOFFMANN) * np.exp(rng.normal(0, 1e-3, len(x)))
    iso = sl.plan.isoflop(sl.Curve(x, y))
    assert len(iso.table) == 6
    assert iso.params_exponent == pytest.approx(0.4516, abs=0.01)
    assert iso.tokens_exponent == pytest.approx(1 - iso.params_exponent)
    lo, hi = iso.params_exponent_interval
    assert lo <= iso.params_exponent <= hi and hi - lo < 0.05


def test_inference_optimal_moves_to_smaller_models(hoffmann_fit):
    """No inference: the compute-optimal model for that loss. More inference: fewer
    parameters, more training tokens (Sardana et al. 2023)."""
    c = 1e22
    opt = sl.plan.compute_optimal(hoffmann_fit, c)
    none = sl.plan.inference_optimal(hoffmann_fit, opt.loss, 0.0)
    assert none.n_params == pytest.approx(opt.n_params, rel=2e-3)
    assert none.n_tokens == pytest.approx(opt.n_tokens, rel=2e-3)
    heavy = [sl.plan.inference_optimal(hoffmann_fit, opt.loss, d) for d in (1e11, 1e12, 1e13)]
    params = [h.n_params for h in heavy]
    tokens = [h.n_tokens for h in heavy]
    assert params == sorted(params, reverse=True) and params[0] < none.n_params
    assert tokens == sorted(tokens) and tokens[0] > none.n_tokens
    assert all(h.total_flops <= h.train_only_total_flops for h in heavy)


# -- toy theory -------------------------------------------------------------------------------
def test_gaussian_mean_error_has_exponent_one():
    curve = sl.plan.toy.gaussian_mean_curve(np.geomspace(10, 1e4, 10).astype(int), sigma=2.0, repeats=20000)
    res = sl.fit(curve, law="power", loss="squared")
    assert res.params["b"] == pytest.approx(sl.plan.toy.GAUSSIAN_EXPONENT, abs=0.03)
    assert res.params["a"] == pytest.approx(4.0, rel=0.1)


def test_counting_model_has_exponent_one_half():
    curve = sl.plan.toy.counting_curve(np.geomspace(50, 5e4, 10).astype(int), p=0.3, repeats=20000)
    res = sl.fit(curve, law="power", loss="squared")
    assert res.params["b"] == pytest.approx(sl.plan.toy.COUNTING_EXPONENT, abs=0.03)
    assert res.params["a"] == pytest.approx(np.sqrt(2 * 0.3 * 0.7 / np.pi), rel=0.05)


def test_compute_optimal_data_constrained():
    """Muennighoff et al. 2023: with ample unique data the law is Chinchilla's, so the numeric
    optimum equals the closed form; with scarce unique data, compute shifts to parameters."""
    theta = {**HOFFMANN, "R_D_star": 15.4}
    x = joint_grid()
    x = np.c_[x, x[:, 1] / np.tile([1.0, 2.0, 4.0, 8.0, 1.0, 1.0, 1.0], 7)]
    res = fitted("data_constrained", theta, x=x, sigma=1e-4, n_boot=50)
    c = 1e22
    ample = sl.plan.compute_optimal(res, c, unique_tokens=1e15)
    chin = sl.plan.compute_optimal(fitted("chinchilla", {k: res.params[k] for k in HOFFMANN},
                                          x=joint_grid(), sigma=1e-6, n_boot=50), c)
    assert ample.n_params == pytest.approx(chin.n_params, rel=2e-3)
    scarce = sl.plan.compute_optimal(res, c, unique_tokens=ample.n_tokens / 20)
    assert scarce.n_params > ample.n_params and scarce.loss > ample.loss
    with pytest.raises(sl.ScalingLabError, match="unique_tokens"):
        sl.plan.compute_optimal(res, c)


# -- issue 15: answers in the metric's own terms ---------------------------------------------------
@pytest.fixture(scope="module")
def accuracy_fit():
    x = np.geomspace(100, 1e4, 10)
    rng = np.random.default_rng(0)
    acc = 1 - (2 * x ** -0.5 + 0.03) * np.exp(rng.normal(0, 0.003, len(x)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return sl.fit(sl.Curve(x, acc, metric="accuracy", higher_is_better=True), law="power_floor").bootstrap(
            300, seed=0)


def test_accuracy_gain_rises_in_accuracy(accuracy_fit):
    g = sl.plan.gain(accuracy_fit, factor=10)
    assert g.metric == "accuracy" and g.metric_new > g.metric_now
    lo, hi = g.metric_new_interval
    assert lo <= g.metric_new <= hi <= 1
    text = " ".join(str(g).split())
    assert "accuracy rises from" in text and "closing" in text and "gap to 1" in text
    a, b, c = (accuracy_fit.params[k] for k in "abc")
    assert g.metric_new == pytest.approx(1 - (a * (10 * 1e4) ** -b + c), rel=1e-12)


def test_accuracy_target_and_ceiling(accuracy_fit):
    est = sl.plan.data_for(accuracy_fit, 0.96)
    a, b, c = (accuracy_fit.params[k] for k in "abc")
    assert est.n == pytest.approx((a / (0.04 - c)) ** (1 / b), rel=1e-9)
    assert "Reaching accuracy 0.96 needs about" in str(est)
    beyond = sl.plan.data_for(accuracy_fit, 0.99)
    assert not beyond.reachable and beyond.floor == pytest.approx(1 - c)
    assert "at or above the estimated ceiling" in str(beyond)
    with pytest.raises(sl.ScalingLabError, match=r"target 1.5 is outside \[0, 1\]"):
        sl.plan.data_for(accuracy_fit, 1.5)
    r = sl.plan.regime(accuracy_fit)
    assert r.metric == "accuracy" and "vs ceiling" in str(r) and r.metric_at_size > 0.9


def test_bad_plan_arguments_are_refused(floor_fit):
    for make, message in [(lambda: sl.plan.gain(floor_fit, factor=float("nan")), "factor must be a positive"),
                          (lambda: sl.plan.gain(floor_fit, factor="x"), "factor must be a positive"),
                          (lambda: sl.plan.data_for(floor_fit, "abc"), "target must be a number"),
                          (lambda: sl.plan.data_for(floor_fit, -0.1), "beyond the best possible"),
                          (lambda: sl.plan.economics(floor_fit, "1", 1.0, max_factor=0.5), "max_factor"),
                          (lambda: sl.plan.next_tranche(floor_fit, 0.02, tight=-1), "tight must be"),
                          (lambda: sl.plan.gain(floor_fit.replace(draws=floor_fit.draws[:20]), factor=2),
                           "needs at least 50"),
                          (lambda: sl.plan.regime("fit.json"), "expected a FitResult")]:
        with pytest.raises(sl.ScalingLabError, match=message):
            make()


def test_answers_below_one_sample_or_one_parameter_are_refused(floor_fit, hoffmann_fit):
    """fuzz_cli: --factor 1e-300 printed a '6e+121 % higher' error, --flops 1e-300 'train about
    4.91e-138 parameters'."""
    with pytest.raises(sl.ScalingLabError, match="less than one sample"):
        sl.plan.gain(floor_fit, factor=1e-300)
    with pytest.raises(sl.ScalingLabError, match="too small"):
        sl.plan.compute_optimal(hoffmann_fit, 1e-300)
    assert sl.plan.compute_optimal(hoffmann_fit, 1e21).n_params > 1
