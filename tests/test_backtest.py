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


@pytest.fixture(scope="module")
def sample():
    df = pd.read_csv(SAMPLE)
    return {f"{o}/{l}": SizeStats.from_frame(part) for (o, l), part in df.groupby(["openmlid", "learner"])}


def test_lcdb_sample_runs_without_nan(sample):
    report = sl.backtest.run(dict(list(sample.items())[:12]), methods=("last", "power_floor", "m3", "auto"),
                             n_boot=30)
    table = report.summary
    assert list(table.index) == ["last", "power_floor", "m3", "auto"]
    ok = report.rows[~report.rows["failed"]]
    assert np.isfinite(ok["score"]).all() and len(ok) >= 0.9 * len(report.rows)
    assert 0 <= table.loc["m3", "cover80"] <= 1 and abs(table["win_rate"].sum() - 1) < 1e-9
    assert set(report.rows["category"]) <= {"regular", "flat", "non-monotone", "peaking", "dipping"}
    # auto falls back to the last value on flat, peaking and dipping curves
    fallback = report.rows[(report.rows["method"] == "auto") & report.rows["category"].isin(["flat", "peaking",
                                                                                              "dipping"])]
    assert (fallback["law"] == "last").all()


def test_from_curve_aggregates_seeds():
    x = np.repeat([10.0, 20.0, 40.0], 3)
    s = SizeStats.from_curve(sl.Curve(x, [0.5, 0.6, 0.55, 0.4, 0.42, 0.41, 0.3, 0.31, 0.32], seed=np.tile([0, 1, 2], 3)))
    np.testing.assert_allclose(s.mean, [0.55, 0.41, 0.31])
    np.testing.assert_allclose(s.sd, [0.05, 0.01, 0.01])
    assert (s.count == 3).all()
