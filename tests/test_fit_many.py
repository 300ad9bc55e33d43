"""fit_many: one law fitted to many curves at once must agree with fit() curve by curve."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scalinglab as sl
from scalinglab.fitting.engine import fit_quiet
from scalinglab.fitting.many import StackedCurves, fit_many

SAMPLE = Path(__file__).parent / "data" / "lcdb_sample.csv"


@pytest.fixture(scope="module")
def training_parts():
    df = pd.read_csv(SAMPLE)
    parts = []
    for _, part in df.groupby(["openmlid", "learner"]):
        k = max(4, int(np.ceil(len(part) / 2)))
        parts.append((part["size"].to_numpy()[:k], np.maximum(part["mean"].to_numpy()[:k], 1e-3)))
    return parts


@pytest.mark.parametrize("law, tolerance, share", [("power", 1e-8, 1.0), ("power_floor", 1e-4, 0.95),
                                                    ("m3", 1e-2, 0.9), ("exp_floor", 1e-2, 0.9)])
def test_objectives_match_single_fits(training_parts, law, tolerance, share):
    many = fit_many(StackedCurves.pad(training_parts), law)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        single = np.array([fit_quiet(sl.Curve(x, y), law).objective for x, y in training_parts])
    relative = (many.objective - single) / np.maximum(single, 1e-12)
    close = relative <= tolerance + 1e-9 / np.maximum(single, 1e-12)
    assert many.ok.all()
    assert np.mean(close) >= share, relative


def test_exact_power_law_recovered_with_ragged_curves():
    rng = np.random.default_rng(0)
    truth = np.c_[rng.uniform(0.5, 3, 6), rng.uniform(0.1, 1.0, 6), rng.uniform(0.01, 0.1, 6)]
    pairs = []
    for i, n in enumerate([4, 5, 7, 9, 12, 15]):
        x = 16 * np.sqrt(2) ** np.arange(n)
        pairs.append((x, sl.get_law("power_floor").predict(x, truth[i])))
    many = fit_many(StackedCurves.pad(pairs), "power_floor", loss="squared")
    np.testing.assert_allclose(many.theta, truth, rtol=1e-5)
    np.testing.assert_allclose(many.residual_sd(), 0, atol=1e-7)


def test_a_curve_fits_the_same_alone_or_in_a_batch(training_parts):
    batch = fit_many(StackedCurves.pad(training_parts), "m3")
    alone = fit_many(StackedCurves.pad(training_parts[3:4]), "m3")
    np.testing.assert_array_equal(batch.theta[3], alone.theta[0])
    draws_batch = batch.bootstrap(10, seed=1, keys=np.arange(len(training_parts)))[3]
    draws_alone = alone.bootstrap(10, seed=1, keys=[3])[0]
    np.testing.assert_array_equal(draws_batch, draws_alone)


def test_unfittable_curves_are_nan_not_errors():
    x = np.array([16.0, 23, 32, 45, 64, 91])
    pairs = [(x[:3], [0.5, 0.4, 0.35]), (x, [0.5, 0.42, 0.36, 0.31, 0.28, 0.26])]
    many = fit_many(StackedCurves.pad(pairs), "m4")           # 5 parameters: 3 points are not enough
    assert not many.ok[0] and np.isinf(many.objective[0]) and np.isnan(many.theta[0]).all()
    assert many.ok[1]


def test_bad_input_is_named():
    with pytest.raises(sl.ScalingLabError, match="curve 1"):
        StackedCurves.pad([([1.0, 2.0], [0.5, 0.4]), ([1.0, 2.0], [0.5])])
    with pytest.raises(sl.ScalingLabError, match="no curves"):
        StackedCurves.pad([])
    with pytest.raises(sl.ScalingLabError, match="one-input"):
        fit_many(StackedCurves.pad([([1.0, 2.0, 3.0], [0.5, 0.4, 0.3])]), "chinchilla")


def test_bnsl_fits_stacked_curves():
    """Regression: BNSL's break terms broadcast stacked x (S, n) against (S, k, 1) into (S, S, n)
    (a wrong Jacobian, memory growing as S^2); each curve must get the fit it gets alone."""
    law = sl.get_law("bnsl")
    truth = np.array([[0.05, 2.0, 0.1, 0.6, 300.0, 0.5], [0.02, 1.0, 0.2, 0.4, 1e3, 1.0],
                      [0.1, 3.0, 0.05, 0.8, 100.0, 0.3]])
    x = np.geomspace(10, 1e4, 12)
    pairs = [(x, law.predict(x, t)) for t in truth]
    many = fit_many(StackedCurves.pad(pairs), "bnsl")
    assert many.ok.all()
    np.testing.assert_allclose(many.predict(np.tile(x, (3, 1))), [y for _, y in pairs], rtol=1e-3)
    alone = fit_many(StackedCurves.pad(pairs[1:2]), "bnsl")
    np.testing.assert_allclose(many.theta[1], alone.theta[0], rtol=1e-8)
    J = law._jacobian((np.tile(x, (3, 1)),), truth)
    assert J.shape == (3, len(x), law.n_params)
    np.testing.assert_allclose(J[1], law.gradient(x, truth[1]), rtol=1e-12)
