"""Data quality as an axis: degradation helpers, per-level comparison, the joint quality law's
answers on a simulated case with known answers, and digits with injected label noise."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import scalinglab as sl

TRUE = {"a": 2.0, "b": 0.5, "c": 0.02, "g": 1.5, "h": 0.0, "d": 0.1}
RATES = (0.0, 0.1, 0.2, 0.4)
SIZES = np.geomspace(50, 5e4, 8)


def simulate(seed=0, noise=0.02, seeds=3):
    law = sl.get_law("quality")
    rng = np.random.default_rng(seed)
    curves = {}
    for rate in RATES:
        n = np.repeat(SIZES, seeds)
        y = law.predict(np.c_[n, np.full(n.size, 1 - rate)], TRUE) * np.exp(rng.normal(0, noise, n.size))
        curves[rate] = sl.Curve(n, y, seed=np.tile(np.arange(seeds), SIZES.size))
    return curves


def quiet_fit(curve, law, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return sl.fit(curve, law=law, **kw)


@pytest.fixture(scope="module")
def joint():
    with pytest.warns(sl.ScalingLabWarning, match="resampled points, not seeds"):          # 3 seeds: by points, and it says so
        return quiet_fit(sl.quality.stack(simulate()), "quality").bootstrap(400, seed=0)


def true_clean_equivalent(n, rate):
    y = sl.get_law("quality").predict(np.array([[n, 1 - rate]]), TRUE)[0]
    return (TRUE["a"] / (y - TRUE["c"])) ** (1 / TRUE["b"])


def test_clean_worth_recovers_the_known_answer(joint):
    w = sl.quality.clean_worth(joint, 1000, 0.4, level=0.95)
    m = true_clean_equivalent(1000, 0.4)
    assert w.clean_equivalent_interval[0] <= m <= w.clean_equivalent_interval[1]
    assert w.worth_interval[0] <= 1000 / m <= w.worth_interval[1]
    assert w.worth == pytest.approx(1000 / m, rel=0.05)
    assert "one clean sample is worth" in str(w) and "noisy ones at this size" in str(w)
    assert w.to_dict()["summary"] == str(w)


def test_floor_says_no_amount_of_data_reaches_a_target_below_it(joint):
    target = 0.05                      # true floors: 0.02 + 0.1·rate -> 0.06 at 0.4, 0.03 at 0.1
    high = sl.quality.quality_floor(joint, 0.4, target=target, level=0.95)
    assert high.floor_interval[0] <= 0.06 <= high.floor_interval[1]
    assert np.isinf(high.n) and high.reachable_share < 0.05
    assert "no amount of data at this quality reaches it" in str(high)
    lo, hi = high.max_rate_interval                 # true limit (0.05 - 0.02) / 0.1 = 0.3
    assert lo <= 0.3 <= hi
    low = sl.quality.quality_floor(joint, 0.1, target=target, level=0.95)
    true_n = (TRUE["a"] * np.exp(TRUE["g"] * 0.1) / (target - 0.03)) ** (1 / TRUE["b"])
    assert low.reachable_share > 0.95 and low.n_interval[0] <= true_n <= low.n_interval[1]
    assert "needs about" in str(low)


def test_per_level_fits_agree_with_the_known_floors_and_worth():
    with pytest.warns(sl.ScalingLabWarning, match="resampled points, not seeds"):
        fits = {r: quiet_fit(c, "power_floor").bootstrap(300, seed=0) for r, c in simulate(seed=1).items()}
    levels = sl.quality.compare_levels(fits, target=0.05, level=0.95)
    t = levels.table
    assert list(t["level"]) == list(RATES) and levels.reference == 0.0
    for row in t.itertuples():
        true_floor = TRUE["c"] + TRUE["d"] * row.level
        assert row.floor_lo <= true_floor <= row.floor_hi, (row.level, row.floor_lo, row.floor_hi)
        assert row.exponent_lo <= TRUE["b"] <= row.exponent_hi
    worst = t.iloc[-1]
    true_worth = worst["size"] / true_clean_equivalent(worst["size"], 0.4)
    assert worst["worth_lo"] <= true_worth <= worst["worth_hi"]
    assert worst["reachable_share"] < 0.05 and t.iloc[0]["reachable_share"] > 0.95
    assert "out of reach" in str(levels) and "0.4" in str(levels)


def test_stack_and_level_checks():
    curves = simulate()
    c = sl.quality.stack(curves)
    assert c.x.shape == (4 * 24, 2) and set(np.unique(c.x[:, 1])) == {1.0, 0.9, 0.8, 0.6}
    assert c.x_names == ("n", "quality") and c.seed is not None
    assert np.allclose(sl.quality.stack({1.0: curves[0.0]}, levels="quality").x[:, 1], 1.0)
    with pytest.raises(sl.ScalingLabError, match="noise rate 1.2"):
        sl.quality.stack({1.2: curves[0.0]})
    with pytest.raises(sl.ScalingLabError, match="quality 0"):
        sl.quality.stack({0: curves[0.0]}, levels="quality")
    with pytest.raises(sl.ScalingLabError, match="bootstrap"):
        sl.quality.compare_levels({r: quiet_fit(c, "power_floor") for r, c in curves.items()})
    with pytest.raises(sl.ScalingLabError, match="'quality' law"):
        with pytest.warns(sl.ScalingLabWarning, match="resampled points, not seeds"):
            boot = quiet_fit(curves[0.0], "power_floor").bootstrap(50, seed=0)
        sl.quality.clean_worth(boot, 100, 0.1)


def test_flip_labels_is_nested_keyed_and_never_keeps_the_class():
    y = np.repeat(np.arange(10), 200)
    a, b = sl.quality.flip_labels(y, 0.1, seed=3), sl.quality.flip_labels(y, 0.3, seed=3)
    assert abs(np.mean(a != y) - 0.1) < 0.02 and abs(np.mean(b != y) - 0.3) < 0.03
    assert np.all(b[a != y] == a[a != y])                     # nested across rates
    idx = np.random.default_rng(0).permutation(len(y))[:500]
    sub = sl.quality.flip_labels(y[idx], 0.3, seed=3, keys=idx, classes=np.arange(10))
    assert np.array_equal(sub, b[idx])                        # keyed: same flip in any subset, any order
    assert np.array_equal(sl.quality.flip_labels(y, 0.0), y)
    with pytest.raises(sl.ScalingLabError, match="rate"):
        sl.quality.flip_labels(y, 1.0)
    X = np.random.default_rng(1).normal(size=(500, 4))
    Xa, Xb = sl.quality.corrupt_features(X, 0.1, seed=2), sl.quality.corrupt_features(X, 0.4, seed=2)
    changed_a, changed_b = Xa != X, Xb != X
    assert abs(changed_a.mean() - 0.1) < 0.02 and np.all(changed_b[changed_a])


@pytest.mark.slow
def test_digits_with_injected_label_noise(tmp_path):
    """Real data: logistic regression on digits, training labels flipped at 0 % and 30 % (test
    labels clean), one sl.Study with a quality axis; noise raises the error and the clean data
    are worth several noisy samples."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    spec = sl.StudySpec(name="noise", dataset="digits", sizes=[50, 100, 200, 400, 800, 1258], seeds=[0, 1, 2, 3],
                        estimators={"logreg": make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=500))},
                        quality={"kind": "label_noise", "levels": [0.0, 0.3]})
    study = sl.Study(spec, store=f"sqlite:///{tmp_path / 'q.db'}")
    study.run(executor="serial", progress=False)
    curves = study.curves_by("quality")
    clean, noisy = curves[0.0].mean_by_size(), curves[0.3].mean_by_size()
    assert np.all(noisy.y > clean.y)
    with pytest.warns(sl.ScalingLabWarning, match="resampled points, not seeds"):       # 4 seeds: by points
        fits = {r: quiet_fit(c, "power_floor").bootstrap(200, by="auto", seed=0) for r, c in curves.items()}
    levels = sl.quality.compare_levels(fits)
    assert levels.table.iloc[1]["worth"] > 1.5


def test_cli_quality_from_one_csv(tmp_path):
    import json
    import pandas as pd
    from typer.testing import CliRunner
    from scalinglab.cli import app
    frames = [pd.DataFrame({"n": c.x, "error": c.y, "seed": c.seed, "noise": rate}) for rate, c in simulate().items()]
    path = tmp_path / "runs.csv"
    pd.concat(frames).to_csv(path, index=False)
    args = ["quality", str(path), "--level-col", "noise", "--seed-col", "seed", "--target", "0.05", "--at", "1000",
            "--bootstrap", "100"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "one clean sample is worth" in result.output and "no amount of data at this quality" in result.output
    data = json.loads(CliRunner().invoke(app, args + ["--json"]).output)
    worth = [a for a in data["answers"] if "worth" in a and a["rate"] == 0.4][0]
    assert worth["worth"] == pytest.approx(1000 / true_clean_equivalent(1000, 0.4), rel=0.1)
    bad = CliRunner().invoke(app, ["quality", str(path), "--level-col", "missing"])
    assert bad.exit_code == 2 and "missing" in bad.output


@pytest.mark.slow
def test_interval_coverage_over_replications():
    """80 % intervals of clean_worth and quality_floor cover the truth in roughly 80 % of 30
    simulated studies (measured: worth 0.8, floor 0.9, rate limit 0.9; 95 %: 0.967 each)."""
    law = sl.get_law("quality")
    true_worth = 1000 / true_clean_equivalent(1000, 0.4)
    hits = {"worth": 0, "floor": 0, "max_rate": 0}
    reps = 30
    for rep in range(reps):
        rng = np.random.default_rng(1000 + rep)
        n = np.repeat(SIZES, 3)
        curves = {r: sl.Curve(n, law.predict(np.c_[n, np.full(n.size, 1 - r)], TRUE) * np.exp(rng.normal(0, 0.02, n.size)))
                  for r in RATES}
        joint = quiet_fit(sl.quality.stack(curves), "quality").bootstrap(300, seed=rep)
        w = sl.quality.clean_worth(joint, 1000, 0.4)
        f = sl.quality.quality_floor(joint, 0.4, target=0.05)
        hits["worth"] += w.worth_interval[0] <= true_worth <= w.worth_interval[1]
        hits["floor"] += f.floor_interval[0] <= 0.06 <= f.floor_interval[1]
        hits["max_rate"] += f.max_rate_interval[0] <= 0.3 <= f.max_rate_interval[1]
    for name, h in hits.items():
        assert 0.6 <= h / reps <= 1.0, (name, h)


def test_floor_sentence_when_the_floor_never_reaches_the_target():
    f = sl.quality.QualityFloor(rate=0.1, floor=0.02, floor_interval=(0.01, 0.03), level=0.8, metric="error",
                                target=0.05, reachable_share=1.0, n=1000.0, n_interval=(900.0, 1100.0), max_rate=1.0,
                                max_rate_interval=(0.4, 1.0), max_rate_share_free=0.35)
    text = str(f)
    assert "stays below it at every noise rate" in text and "0.4 to 1, at or beyond 1 in 35%" in text
    assert "only below noise rate" not in text
