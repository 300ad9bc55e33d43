"""Every registered law: analytic gradient vs finite differences, batch evaluation,
inverse (solve) round trips, recovery of known parameters, and agreement of our
optimum with a plain scipy fit of the same objective."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import optimize, special

import scalinglab as sl

X1 = np.geomspace(20, 2e5, 16)
N2, D2 = np.meshgrid(np.geomspace(1e7, 1e10, 5), np.geomspace(1e9, 1e12, 5))
X2 = np.c_[N2.ravel(), D2.ravel()]
X3 = np.c_[X2, X2[:, 1] / np.array([1, 2, 4, 8, 16] * 5)]   # unique tokens: 1 to 16 epochs
NQ, QQ = np.meshgrid(np.geomspace(50, 5e4, 8), [1.0, 0.9, 0.8, 0.6])
XQ = np.c_[NQ.ravel(), QQ.ravel()]                            # (size, quality = 1 - noise rate)

# law name -> (true parameters, sizes, parameters checked in the recovery test, rtol)
CASES = {
    "power": ({"a": 3.0, "b": 0.35}, X1, ("a", "b"), 0.02),
    "power_floor": ({"a": 3.0, "b": 0.45, "c": 0.05}, X1, ("a", "b", "c"), 0.05),
    "m3": ({"beta": 2.0, "gamma": 2e-4, "c": 0.5}, X1, ("beta", "gamma", "c"), 0.05),
    "m4": ({"beta": 2.0, "c": -0.5, "alpha": 0.8, "y_inf": 0.05, "y0": 1.0}, X1, ("c", "y_inf"), 0.05),
    "exp_floor": ({"a": 0.8, "b": 1e-4, "c": 0.1}, X1, ("a", "b", "c"), 0.02),
    "bnsl": ({"a": 0.02, "b": 2.0, "c0": 0.1, "c1": 0.5, "d1": 2e3, "f1": 0.5}, X1, ("a", "c0", "c1"), 0.1),
    "kaplan": ({"N_c": 8.8e13, "D_c": 5.4e13, "alpha_N": 0.076, "alpha_D": 0.095}, X2,
               ("alpha_N", "alpha_D"), 0.05),
    "chinchilla": ({"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}, X2,
                   ("E", "alpha", "beta"), 0.05),
    "data_constrained": ({"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28, "R_D_star": 15.4},
                         X3, ("E", "alpha", "beta", "R_D_star"), 0.1),
    "quality": ({"a": 2.0, "b": 0.5, "c": 0.02, "g": 1.5, "h": -0.2, "d": 0.1}, XQ, ("b", "c", "g", "d"), 0.05),
}


def test_every_registered_law_is_covered():
    assert set(CASES) <= set(sl.available_laws())
    assert set(sl.available_laws()) - set(CASES) == set()


def assert_gradient(law, x, t):
    """Analytic gradient vs central finite differences, parameter by parameter."""
    t = law.theta_array(t)
    J = law.gradient(x, t)
    for j in range(law.n_params):
        h = 1e-6 * max(abs(t[j]), 1e-3)
        up, down = t.copy(), t.copy()
        up[j] += h
        down[j] -= h
        fd = (law.predict(x, up) - law.predict(x, down)) / (2 * h)
        np.testing.assert_allclose(J[:, j], fd, rtol=1e-5, atol=1e-8 * np.abs(law.predict(x, t)).max(),
                                   err_msg=f"{law.name}: d/d{law.param_names[j]}")


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_finite_differences(name):
    theta, x, *_ = CASES[name]
    assert_gradient(sl.get_law(name), x, theta)


@pytest.mark.parametrize("name", sorted(CASES))
def test_batch_evaluation_equals_one_by_one(name):
    theta, x, *_ = CASES[name]
    law = sl.get_law(name)
    t = law.theta_array(theta)
    batch = np.stack([t, t * 1.01, t * 0.99])
    np.testing.assert_allclose(law.predict(x, batch), np.stack([law.predict(x, b) for b in batch]), rtol=1e-12)
    assert law.gradient(x, batch).shape == (3, len(x), law.n_params)


@pytest.mark.parametrize("name", sorted(CASES))
def test_solve_inverts_predict(name):
    theta, x, *_ = CASES[name]
    law = sl.get_law(name)
    if law.n_inputs == 1:
        targets = law.predict(np.array([50.0, 3e3, 1e5]), theta)
        sizes = law.solve(targets, theta)
        np.testing.assert_allclose(sizes, [50.0, 3e3, 1e5], rtol=1e-6)
        assert np.isinf(law.solve(law.floor(theta) * 0.5, theta)) or law.floor(theta) == 0
    else:
        given = x[3, [j for j in range(law.n_inputs) if j != law.solve_column]]
        target = law.predict(x[3:4], theta)[0]
        size = law.solve(target, theta, given=given)
        np.testing.assert_allclose(size, x[3, law.solve_column], rtol=1e-6)


def test_solve_reports_unreachable_targets_as_inf():
    res = {"a": 1.0, "b": 0.5, "c": 0.1}
    assert np.isinf(sl.get_law("power_floor").solve(0.05, res))
    ch = CASES["chinchilla"][0]
    assert np.isinf(sl.get_law("chinchilla").solve(1.5, ch, given=1e9))


@pytest.mark.parametrize("name", sorted(CASES))
def test_recovers_known_parameters(name):
    """Data from known parameters with 0.1 % multiplicative noise -> the checked
    parameters within the stated rtol and the curve itself within 0.5 %."""
    theta, x, checked, rtol = CASES[name]
    law = sl.get_law(name)
    rng = np.random.default_rng(0)
    y = law.predict(x, theta) * np.exp(rng.normal(0, 1e-3, len(x)))
    res = sl.fit(sl.Curve(x, y), law=name, **({"fixed": {"y0": 1.0}} if name == "m4" else {}))
    for p in checked:
        assert res.params[p] == pytest.approx(theta[p], rel=rtol), (p, res.params)
    np.testing.assert_allclose(res.predict(x), law.predict(x, theta), rtol=5e-3)


@pytest.mark.parametrize("name", sorted(CASES))
def test_optimum_matches_plain_scipy_fit(name):
    """Our objective at the optimum is no worse than scipy's L-BFGS-B (numerical
    gradient, same Huber-on-log objective) started at the true parameters."""
    theta, x, *_ = CASES[name]
    law = sl.get_law(name)
    rng = np.random.default_rng(1)
    y = law.predict(x, theta) * np.exp(rng.normal(0, 0.01, len(x)))
    fixed = {"y0": 1.0} if name == "m4" else {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sl.fit(sl.Curve(x, y), law=name, fixed=fixed)
    messages = [str(w.message) for w in caught]      # at most the convergence caveat, and only if not converged
    assert messages == ([] if res.converged else ["the optimiser did not report convergence; the estimates may be off"])
    free = [p for p in law.param_names if p not in fixed]
    log_p = [p in law.log_scale for p in free]
    t0 = law.theta_array(theta)

    def objective(v):
        t = t0.copy()
        for k, p in enumerate(free):
            t[law.param_names.index(p)] = np.exp(v[k]) if log_p[k] else v[k]
        with np.errstate(all="ignore"):
            r = np.log(law.predict(x, t)) - np.log(y)
        return float(np.sum(special.huber(1e-3, r))) if np.all(np.isfinite(r)) else 1e10

    v0 = [np.log(theta[p]) if lp else theta[p] for p, lp in zip(free, log_p)]
    lo, hi = law.bound_arrays()
    bounds = [(None, None) if lp else (lo[law.param_names.index(p)], None) for p, lp in zip(free, log_p)]
    bounds = [(None if b[0] is None or not np.isfinite(b[0]) else b[0], None) for b in bounds]
    if name == "m4":
        bounds[free.index("c")] = (None, 0.0)
    ref = optimize.minimize(objective, v0, method="L-BFGS-B", bounds=bounds)
    assert res.objective == pytest.approx(objective(np.array(
        [np.log(res.params[p]) if lp else res.params[p] for p, lp in zip(free, log_p)])), rel=1e-9)
    assert res.objective <= ref.fun * (1 + 1e-6) + 1e-12


def test_bnsl_any_number_of_breaks():
    law = sl.get_law("bnsl", n_breaks=2)
    assert law.n_params == 9 and law.param_names[-3:] == ("c2", "d2", "f2")
    assert_gradient(law, X1, [0.01, 2.0, 0.1, 0.4, 1e2, 0.5, 0.6, 1e4, 0.3])
    with pytest.raises(sl.ScalingLabError):
        sl.get_law("bnsl", n_breaks=-1)


def test_data_constrained_excess_params_column():
    law = sl.get_law("data_constrained", excess_params=True)
    assert law.n_inputs == 4 and "R_N_star" in law.param_names
    assert_gradient(law, np.c_[X3, X3[:, 0] / 2], [1.69, 406.4, 410.7, 0.34, 0.28, 15.4, 5.3])


def test_repeated_data_is_worth_less_and_one_epoch_equals_chinchilla():
    """Muennighoff et al. 2023: at one epoch D' = D (the Chinchilla law); repeated tokens
    add less, and effective data saturates at U_D (1 + R*_D)."""
    p = CASES["data_constrained"][0]
    dc, ch = sl.get_law("data_constrained"), sl.get_law("chinchilla")
    one_epoch = np.array([[1e9, 1e11, 1e11]])
    assert dc.predict(one_epoch, p)[0] == pytest.approx(
        ch.predict(one_epoch[:, :2], {k: p[k] for k in ch.param_names})[0], rel=1e-12)
    four_epochs = np.array([[1e9, 1e11, 2.5e10]])
    assert dc.predict(four_epochs, p)[0] > dc.predict(one_epoch, p)[0]
    saturated = dc.predict(np.array([[1e9, 1e20, 1e10]]), p)[0]
    limit = ch.predict(np.array([[1e9, 1e10 * (1 + 15.4)]]), {k: p[k] for k in ch.param_names})[0]
    assert saturated == pytest.approx(limit, rel=1e-9)


def test_registry_accepts_a_user_law_in_a_few_lines():
    @sl.register_law
    class Logarithmic(sl.Law):
        name = "test_logarithmic"
        param_names = ("a", "b")
        bounds = {"a": (-np.inf, np.inf), "b": (0.0, np.inf)}
        start_values = {"a": (0.5, 1.0, 2.0), "b": (0.01, 0.1)}

        def _predict(self, cols, T):
            (x,) = cols
            return T[:, :1] - T[:, 1:2] * np.log(x)

        def _jacobian(self, cols, T):
            (x,) = cols
            return np.stack([np.ones((len(T), len(x))), -np.broadcast_to(np.log(x), (len(T), len(x)))], -1)

    x = np.geomspace(10, 1e4, 8)
    res = sl.fit(sl.Curve(x, 1.5 - 0.1 * np.log(x)), law="test_logarithmic", space="linear", loss="squared")
    assert res.params["a"] == pytest.approx(1.5) and res.params["b"] == pytest.approx(0.1)
    assert "test_logarithmic" in sl.available_laws()
    assert sl.get_law("test_logarithmic").solve(1.5 - 0.1 * np.log(100.0), res.theta) == pytest.approx(100.0)


def test_unknown_law_lists_the_available_ones():
    with pytest.raises(sl.ScalingLabError, match="available: .*power_floor"):
        sl.get_law("powr")


def test_m4_root_solve_matches_brentq_in_few_newton_steps(monkeypatch):
    """M4's prediction solves log(y - y_inf) - alpha log(y0 - y) = log(beta x^c) for y; checked
    against scipy's brentq on the defining equation, over alpha below, at and above 1 (q concave,
    linear, convex) and alpha = 0. The solve starts at the end of an analytic bracket from which
    Newton is monotone: a root at the end of the bracket once fell back to bisection (40-55 steps)."""
    from scalinglab.laws import revisiting
    rng = np.random.default_rng(4)
    law = sl.get_law("m4")
    T = np.c_[np.exp(rng.normal(0, 1.5, 60)), -rng.exponential(0.5, 60), np.r_[0.0, 1.0, rng.exponential(1.5, 58)],
              rng.uniform(0, 0.1, 60), rng.uniform(0.5, 2, 60)]
    x = np.geomspace(10, 1e5, 9)
    steps = []
    real_log1p = np.log1p
    monkeypatch.setattr(revisiting.np, "log1p", lambda v: (steps.append(1), real_log1p(v))[1])
    pred = law._predict((x,), T)
    monkeypatch.undo()
    assert len(steps) <= 12                     # one log1p per Newton step, all elements together
    for b in range(len(T)):
        beta, c, alpha, y_inf, y0 = T[b]
        for i, xi in enumerate(x):
            def g(y):
                return np.log(y - y_inf) - alpha * np.log(y0 - y) - np.log(beta) - c * np.log(xi)
            lo, hi = y_inf + 1e-300 + 1e-15 * y0, y0 * (1 - 1e-15)
            if g(hi) <= 0:                      # no root below y0 in double precision: y = y0
                assert pred[b, i] == pytest.approx(y0, rel=1e-12)
                continue
            ref = optimize.brentq(g, lo, hi, xtol=1e-300, rtol=1e-15)
            assert pred[b, i] == pytest.approx(ref, rel=1e-10, abs=1e-14)


def test_m4_jacobian_finite_where_y_reaches_y0():
    """A size whose M4 prediction is y0 to double precision (the logit's root beyond T_MAX)
    still has a finite Jacobian (exp(-T_MAX) is a normal float)."""
    law = sl.get_law("m4")
    T = np.array([[50.0, -0.5, 1e-4, 0.1, 0.3], [50.0, -0.5, 0.0, 0.1, 0.3]])
    pred, J = law._predict_jacobian((np.array([1.0, 10.0, 1e6]),), T)
    assert np.all(np.isfinite(pred)) and np.all(np.isfinite(J))
    assert pred[0, 0] == pytest.approx(0.3, rel=1e-12)
