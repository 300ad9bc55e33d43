"""Replicates summed by size (scalinglab/fitting/replicates.py): the same objective, gradient, fit and
bootstrap as one row per point, at a cost that does not grow with the replicates.

Reference: the per-point objective (``Problem.build(..., aggregate=False)``), which is the
definition; the summed form is exact algebra on it (see the module docstring)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import scalinglab as sl
from scalinglab.fitting import problem as problem_module
from scalinglab.fitting.resampling import resample_counts
from scalinglab.fitting.problem import Problem
from scalinglab.laws import get_law


def replicate_curve(per_size=7, seed=0, weights=False):
    rng = np.random.default_rng(seed)
    sizes = np.geomspace(50, 50_000, 9).round()
    x = np.repeat(sizes, per_size)
    y = (3 * x ** -0.35 + 0.04) * np.exp(rng.normal(0, 0.08, x.size))
    y[::11] *= 1.6                                  # outliers, so Huber's two sides both matter
    seeds = np.tile(np.arange(per_size), len(sizes))
    w = rng.uniform(0.5, 2.0, x.size) if weights else None
    return sl.Curve(x, y, w=w, seed=seeds)


@pytest.mark.parametrize("loss,delta", [("squared", 1e-3), ("huber", 1e-3), ("huber", 0.05), ("huber", 10.0)])
@pytest.mark.parametrize("space", ["log", "linear"])
@pytest.mark.parametrize("weights", [False, True])
def test_summed_objective_and_gradient_equal_the_per_point_ones(loss, delta, space, weights):
    curve = replicate_curve(weights=weights)
    law = get_law("power_floor")
    kw = dict(loss=loss, delta=delta, space=space)
    summed = Problem.build(law, curve, aggregate=True, **kw)
    points = Problem.build(law, curve, aggregate=False, **kw)
    assert summed.replicates is not None and points.replicates is None
    assert summed.y.shape[-1] == 9 and points.y.shape[-1] == curve.n
    rng = np.random.default_rng(1)
    theta = np.column_stack([rng.uniform(1, 5, 20), rng.uniform(0.1, 0.6, 20), rng.uniform(0.0, 0.08, 20)])
    U = points.to_u(theta)
    np.testing.assert_allclose(summed.objective(U), points.objective(U), rtol=1e-9, atol=1e-12)
    counts = resample_counts(curve, 20, "point", rng)
    np.testing.assert_allclose(summed.objective(U, counts), points.objective(U, counts), rtol=1e-9, atol=1e-12)
    for u in U[:5]:
        f1, g1 = summed.gradient(u)
        f2, g2 = points.gradient(u)
        assert f1 == pytest.approx(f2, rel=1e-9)
        np.testing.assert_allclose(g1, g2, rtol=1e-7, atol=1e-9 * np.abs(g2).max())
        np.testing.assert_allclose(summed.point_residuals(u), points.point_residuals(u), rtol=1e-12, atol=1e-12)


def every_problem(monkeypatch, aggregate: bool):
    """Make every fitting problem summed by size, or one row per point (the definition)."""
    build = Problem.build.__func__

    def forced(cls, *args, **kwargs):
        kwargs["aggregate"] = aggregate
        return build(cls, *args, **kwargs)

    monkeypatch.setattr(problem_module.Problem, "build", classmethod(forced))


def test_few_replicates_stay_per_point_where_that_is_faster():
    curve = replicate_curve(per_size=7)
    assert Problem.build(get_law("m3"), curve, loss="huber", delta=1e-3, space="log").replicates is None


@pytest.mark.parametrize("law", ["power_floor", "m3", "exp_floor"])
def test_fits_and_bootstraps_equal_the_per_point_ones(monkeypatch, law):
    curve = replicate_curve()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        every_problem(monkeypatch, aggregate=True)
        summed = sl.fit(curve, law=law)
        a = summed.bootstrap(100, by="point", seed=3)
        every_problem(monkeypatch, aggregate=False)
        points = sl.fit(curve, law=law)
        b = points.bootstrap(100, by="point", seed=3)
        assert summed.objective == pytest.approx(points.objective, rel=1e-6, abs=1e-9)
        np.testing.assert_allclose(summed.theta, points.theta, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(summed.residuals, points.residuals, rtol=1e-4, atol=1e-6)
        assert summed.converged == points.converged
    assert a.draws.shape == b.draws.shape
    # the refits stop at the same tolerance from starts equal to 1e-4, not at the same digits
    np.testing.assert_allclose(np.median(a.draws, axis=0), np.median(b.draws, axis=0), rtol=1e-2, atol=1e-4)


def test_many_replicates_fit_as_fast_as_their_sizes():
    """200,000 rows at ten sizes: the problem has ten data rows, so a fit is as cheap as on
    ten points (before: one law took 30 s and auto did not finish in 10 minutes)."""
    rng = np.random.default_rng(0)
    x = np.repeat(np.geomspace(100, 100_000, 10).round(), 20_000)
    y = (2 * x ** -0.3 + 0.05) * np.exp(rng.normal(0, 0.05, x.size))
    curve = sl.Curve(x, y)
    problem = Problem.build(get_law("power_floor"), curve, loss="huber", delta=1e-3, space="log")
    assert problem.y.shape[-1] == 10                # summed by default: 20,000 points per size
    res = sl.fit(curve, law="power_floor")
    assert res.params["b"] == pytest.approx(0.3, abs=0.01) and res.params["c"] == pytest.approx(0.05, abs=0.005)
    assert res.residuals.shape == (curve.n,)
