"""Chinchilla on Epoch AI's extracted data, against Besiroglu et al. 2024
("Chinchilla scaling: a replication attempt"): same objective (Huber, delta = 1e-3,
summed over log residuals, log-sum-exp parameterisation), 240 points."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import scalinglab as sl


@pytest.fixture(scope="module")
def chinchilla_fit(chinchilla_curve):
    return sl.fit(chinchilla_curve, law="chinchilla")


def test_data_as_in_the_replication(chinchilla_curve):
    assert chinchilla_curve.n == 240


def test_reaches_the_published_optimum(chinchilla_fit):
    r = chinchilla_fit
    assert r.objective <= 0.0010182741          # replication's grid result: 0.0010182741
    assert r.params["A"] == pytest.approx(477.8, rel=2e-3)
    assert r.params["B"] == pytest.approx(2144, rel=2e-3)
    assert r.params["E"] == pytest.approx(1.8172, rel=1e-3)
    assert r.params["alpha"] == pytest.approx(0.3473, abs=5e-4)
    assert r.params["beta"] == pytest.approx(0.3672, abs=5e-4)
    assert r.converged


def test_bootstrap_intervals_match_the_replication(chinchilla_fit):
    """Published (4,000 resamples): alpha 0.317-0.373, beta 0.331-0.415, E 1.769-1.871."""
    boot = chinchilla_fit.bootstrap(1000, seed=0)
    assert boot.n_failed_draws == 0
    for name, (lo, hi) in {"alpha": (0.317, 0.373), "beta": (0.331, 0.415), "E": (1.769, 1.871)}.items():
        got = boot.interval(name, 0.95)
        assert got[0] == pytest.approx(lo, abs=0.01) and got[1] == pytest.approx(hi, abs=0.01), (name, got)


def test_auto_picks_chinchilla_over_kaplan(chinchilla_curve):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        r = sl.fit(chinchilla_curve, law="auto")
    assert r.law.name == "chinchilla"
    assert r.selection.loc["kaplan", "backtest"] > r.selection.loc["chinchilla", "backtest"]


def test_compute_to_tokens_solve(chinchilla_fit):
    """Tokens needed by a 70B model for the loss the law predicts at 1.4T tokens."""
    target = chinchilla_fit.predict(np.array([[70e9, 1.4e12]]))[0]
    tokens = chinchilla_fit.law.solve(target, chinchilla_fit.theta, given=70e9)
    assert tokens == pytest.approx(1.4e12, rel=1e-6)
