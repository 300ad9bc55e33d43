"""The data shipped with the repository: the reference files in tests/data (sha256 as listed
in tests/data/README.md) and the extrapolation suite of benchmarks/ (benchmarks/suite.py)."""

from __future__ import annotations

import hashlib
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import scalinglab as sl
from conftest import data_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import suite                                                  # noqa: E402  (benchmarks/ is not a package)

SHIPPED = {
    ("chinchilla_points.csv",): "fbc8686ae5ccd78c26eb5806d29b8bf463f20d353f7a8563ecb16ef83bb50083",
    ("nist_strd", "DanWood.dat"): "e8d05d54bc3646796cf8d5291c5e39c826049df4771587263357d76c18c393c2",
    ("nist_strd", "Bennett5.dat"): "e2be71fffe2a78821361ff3e71eef4549df7015911e3e8e893f3914829872ab4",
}


@pytest.mark.parametrize("parts", list(SHIPPED), ids=lambda p: "/".join(p))
def test_shipped_reference_data_is_unchanged(parts):
    assert hashlib.sha256(data_file(*parts).read_bytes()).hexdigest() == SHIPPED[parts]


def test_chinchilla_points_are_the_245_runs():
    df = pd.read_csv(data_file("chinchilla_points.csv"))
    assert list(df.columns) == ["Model Size", "Training FLOP", "loss"]
    assert len(df) == 245 and df.notna().all().all() and (df > 0).all().all()


# -- the extrapolation suite (benchmarks/suite.py) --------------------------------------------
COMMITTED = [d for d in suite.DOMAINS if d != "lcdb"]          # LCDB is fetched, not committed


@pytest.fixture(scope="module")
def committed():
    return suite.load(COMMITTED)


@pytest.fixture(scope="module")
def committed_info():
    return suite.info(COMMITTED).set_index(["domain", "curve"])


def test_every_committed_domain_loads_as_promised(committed, committed_info):
    assert list(committed) == COMMITTED
    for domain, curves in committed.items():
        assert len(curves) >= 5, domain
        for name, curve in curves.items():
            assert isinstance(curve, sl.Curve) and curve.n_inputs == 1
            assert np.all(np.isfinite(curve.x)) and np.all(np.isfinite(curve.y)) and np.all(curve.x > 0)
            assert np.all(np.diff(curve.x) >= 0), f"{domain}/{name}: sizes not increasing"
            assert curve.n_distinct >= suite.MIN_SIZES
            meta = committed_info.loc[(domain, name)]
            assert curve.metric == meta["metric"]
            assert np.all((curve.y >= meta["lower"]) & (curve.y <= meta["upper"]))
            assert suite.train_sizes(curve) < curve.n_distinct       # something left to predict


def test_bounded_metrics_are_marked(committed_info):
    bounded = committed_info.groupby(level="domain")["bounded"].agg(["all", "any"])
    assert bounded.loc["mlp_samples", "all"] and bounded.loc["mlp_params", "all"]
    assert not bounded.loc["lm_tokens", "any"] and not bounded.loc["chinchilla", "any"]
    sim = committed_info.loc["simulated"]
    assert set(sim.index[sim["bounded"]]) == {c for c in sim.index if c.startswith("m4/")}
    assert (committed_info.loc[committed_info["bounded"], "upper"] == 1.0).all()


def test_neural_domains_have_the_documented_grid(committed_info):
    """8 widths x 8 sizes x 3 seeds (LM), 10 widths x 8 sizes x 3 seeds (MLP); >= 1.5 decades."""
    for domain, curves, sizes in (("lm_tokens", 8, 8), ("lm_params", 8, 8), ("mlp_samples", 10, 8),
                                  ("mlp_params", 8, 10)):
        part = committed_info.loc[domain]
        assert len(part) == curves, domain
        assert (part["sizes"] == sizes).all() and (part["points"] == 3 * sizes).all(), domain
        assert (part["decades"] >= 1.5).all(), domain


def test_chinchilla_domain_slices_the_shipped_points(committed):
    raw = pd.read_csv(data_file("chinchilla_points.csv"))
    curves = committed["chinchilla"]
    assert len(curves) == 24                    # model sizes with >= 5 runs
    frame = suite.frame("chinchilla")
    # each curve is one model size (within the extraction's jitter) and its points are runs of the file
    for name, part in frame.groupby("curve"):
        assert part["model_size"].max() / part["model_size"].min() - 1 < suite.CHINCHILLA_SAME_MODEL
    source = raw.loc[frame.index - 2]                # the frame's index is the file's line number
    assert np.array_equal(source["Model Size"], frame["model_size"]) and np.array_equal(source["loss"], frame["y"])
    assert np.allclose(frame["x"], source["Training FLOP"] / (6 * source["Model Size"]), rtol=1e-12)
    assert frame.index.is_unique


def test_simulated_truth_is_stored_and_consistent(committed):
    truth = suite.truth()
    data = suite.frame("simulated")
    assert truth.groupby("law").size().to_dict() == {law: 10 for law in
                                                      ("power", "power_floor", "m3", "m4", "exp_floor", "bnsl")}
    for _, row in truth.iterrows():
        part = data[data["curve"] == row["curve"]]
        law = sl.get_law(row["law"])
        assert np.allclose(part["y_true"], law.predict(part["x"].to_numpy(float), row["params"]), rtol=1e-8)
    # the noise is what the README says: log(y / y_true) / sigma ~ N(0, 1)
    z = np.log(data["y"] / data["y_true"]) / data["sigma"]
    assert abs(z.mean()) < 0.1 and abs(z.std() - 1) < 0.1
    assert set(truth["kind"]) == {"regular", "few sizes", "near floor"}


@pytest.mark.parametrize("law", ["power", "power_floor", "m3", "exp_floor", "m4", "bnsl"])
def test_simulated_truth_is_recoverable(committed, law):
    """Fitting the true law to the least noisy regular curve of each law predicts the truth at
    the largest size within 4 noise sds (of the mean of the replicates)."""
    truth = suite.truth()
    row = truth[(truth["law"] == law) & (truth["kind"] == "regular")].sort_values("sigma0").iloc[0]
    curve = committed["simulated"][row["curve"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sl.fit(curve, law=law)
    x_max = curve.x.max()
    truth_at = float(sl.get_law(law).predict(x_max, row["params"]))
    assert abs(np.log(res.predict([x_max])[0] / truth_at)) < 4 * row["sigma0"] / np.sqrt(row["replicates"])


def test_a_bad_suite_file_is_refused_naming_what(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("domain,curve,x,y,seed,metric,higher_is_better,lower,upper,x_name\n"
                   "d,a,1,0.5,0,error,False,0,1,n\nd,a,2,1.5,0,error,False,0,1,n\n")
    with pytest.raises(sl.ScalingLabError, match=r"bad.csv, line 3 \(curve 'a'\): y = 1.5 outside"):
        suite._read_long(bad)
    bad.write_text("domain,curve,x,y\nd,a,1,0.5\n")
    with pytest.raises(sl.ScalingLabError, match="missing"):
        suite._read_long(bad)
    with pytest.raises(sl.ScalingLabError, match="unknown domain"):
        suite.load(["imagenet"])


@pytest.mark.skipif(not suite.lcdb.RUNS.exists(), reason="LCDB is fetched from the package index (~68 MB) on "
                    "first use (python benchmarks/extrapolation_domains.py); not cached here")
def test_lcdb_domain_from_the_cache():
    curves = suite.load(["lcdb"], lcdb_limit=20)["lcdb"]
    assert len(curves) == 20
    again = suite.load(["lcdb"], lcdb_limit=20, seed=0)["lcdb"]
    assert list(curves) == list(again)                 # the subsample depends on the seed only
    for curve in curves.values():
        assert curve.metric == "accuracy" and curve.higher_is_better and np.all((curve.y >= 0) & (curve.y <= 1))
        assert curve.n_distinct >= suite.MIN_SIZES
    # the default is the evaluation half of the datasets (drawn over all of them), as in
    # benchmarks/extrapolation_lcdb.py, whose other half calibrated the shipped intervals
    pairs = suite.lcdb.runs()[["openmlid", "learner"]].drop_duplicates()
    every = [f"{oid}/{learner}" for oid, learner in zip(pairs["openmlid"], pairs["learner"])]
    assert set(curves) <= set(suite.lcdb.split_by_dataset(every, "eval"))


@pytest.mark.slow                          # ~10 s: two backtests of the five laws
def test_harness_rows_are_those_of_backtest_run(committed):
    """extrapolation_domains spells out sl.backtest.run's calls to read the intervals: same rows."""
    import extrapolation_domains as bench
    curves = {k: committed["simulated"][k] for k in list(committed["simulated"])[::20]}
    rows, above, _ = bench.backtest_domain(curves, n_boot=20, n_jobs=1)
    reference = sl.backtest.run(curves, n_boot=20).rows
    mine = rows[rows["method"].isin(sl.backtest.METHODS)].sort_values(["method", "curve"], ignore_index=True)
    ref = reference.sort_values(["method", "curve"], ignore_index=True)
    pd.testing.assert_frame_equal(mine[ref.columns], ref)
