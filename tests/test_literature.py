"""The literature table: normalisation checked on real rows, queries, user rows merged at
load, MAP fits with priors (recovery, shrinkage, and a backtest against the plain fit)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import scalinglab as sl

lit = sl.literature


@pytest.fixture(scope="module")
def table():
    return lit.table(include_user=False)


def row(table, paper_start, exponent_name_start, task_contains=""):
    hit = table[table["paper"].str.startswith(paper_start) & table["exponent_name"].str.startswith(exponent_name_start)
                & table["task"].str.contains(task_contains, regex=False)]
    assert len(hit) >= 1, (paper_start, exponent_name_start)
    return hit.iloc[0]


def test_shipped_table(table):
    assert len(table) == 87 and table["paper"].nunique() >= 20
    assert set(table["x_kind"]) <= {"data", "params", "compute", "other"}


def test_normalisation_on_real_rows(table):
    k = row(table, "Kaplan", "alpha_N")
    assert (k["x_kind"], k["kind"], k["exponent_pos"]) == ("params", "loss", 0.076)
    assert row(table, "Kaplan", "alpha_D ")["x_kind"] == "data" or row(table, "Kaplan", "alpha_D")["x_kind"] == "data"
    h = row(table, "Hestness", "beta_g", "top-1")
    assert h["exponent"] == "-0.309" or float(h["exponent"]) == -0.309
    assert (h["x_kind"], h["exponent_pos"]) == ("data", 0.309)        # negative exponent of m -> positive
    alpha = row(table, "Hoffmann", "alpha")
    beta = row(table, "Hoffmann", "beta")
    assert (alpha["x_kind"], alpha["exponent_pos"]) == ("params", 0.34)   # joint fit split by name
    assert (beta["x_kind"], beta["exponent_pos"]) == ("data", 0.28)
    approach3 = row(table, "Hoffmann", "a (Approach 3")
    assert (approach3["kind"], approach3["x_kind"], approach3["exponent_pos"]) == ("allocation", "compute", 0.46)
    lr = row(table, "DeepSeek", "learning-rate")
    assert lr["kind"] == "hyperparameter" and np.isnan(lr["exponent_pos"])
    assert np.isnan(row(table, "Sharma", "alpha")["exponent_pos"])          # "4/d" is symbolic
    assert np.isnan(row(table, "Muennighoff", "R_D*")["exponent_pos"])      # a decay constant
    henighan = row(table, "Henighan", "alpha_N", "8x8")
    assert henighan["exponent_pos"] == 0.24 and henighan["kind"] == "loss"


def test_units_are_standardised(table):
    pf = table[(table["x_unit"] == "PF-days") & table["x_min"].notna()]
    if len(pf):
        np.testing.assert_allclose(pf["x_min_std"], pf["x_min"].astype(float) * 8.64e19)
    gmac = table[table["x_unit"].str.contains("GMAC", na=False) & table["x_min"].notna()]
    if len(gmac):
        np.testing.assert_allclose(gmac["x_min_std"], gmac["x_min"].astype(float) * 2e9)
    kaplan_n = row(table, "Kaplan", "alpha_N")
    assert kaplan_n["x_min_std"] == 768 and kaplan_n["x_max_std"] == 1.5e9


def test_query_and_similar(table):
    alloc = lit.query(domain="language", x="compute", kind="allocation")
    assert len(alloc) > 5 and (alloc["kind"] == "allocation").all()
    matches = lit.similar("image classification", x="data")
    assert "ImageNet" in matches.rows.iloc[0]["task"]
    assert set(matches.best_rows["exponent_pos"]) == {0.309, 0.488}
    assert "Hestness" in str(matches) and "[from-memory]" in str(matches)
    with pytest.raises(sl.ScalingLabError, match="x must be one of"):
        lit.query(x="tokens")


def test_user_rows_are_merged_without_code_changes(tmp_path, monkeypatch, table):
    extra = table.iloc[[0]][[c for c in table.columns if c in lit.table.__globals__["COLUMNS"]]].copy()
    extra["paper"] = "Our lab, internal study"
    extra["exponent"] = "-0.42"
    extra["x_unit"] = "examples"
    extra["exponent_name"] = "b"
    path = tmp_path / "ours.csv"
    extra.to_csv(path, index=False)
    monkeypatch.setenv("SCALINGLAB_LITERATURE", str(path))
    merged = lit.table()
    ours = merged[merged["paper"] == "Our lab, internal study"].iloc[0]
    assert len(merged) == 88 and ours["source"] == str(path) and ours["exponent_pos"] == 0.42
    pd.DataFrame({"paper": ["x"]}).to_csv(path, index=False)
    with pytest.raises(sl.ScalingLabError, match="need the columns"):
        lit.table()


def poisoned_rows(table, path, exponent="-2.0"):
    """Rows like the image-classification ones, with an exponent far from every published one."""
    rows = table[table["task"].str.contains("ImageNet", regex=False) & (table["x_kind"] == "data")]
    rows = rows[lit.table.__globals__["COLUMNS"]].copy()
    rows["paper"], rows["exponent"] = "Stray file", exponent
    rows.to_csv(path, index=False)
    return path


def test_a_file_in_the_working_directory_changes_nothing(tmp_path, monkeypatch, table):
    """A scalinglab_literature.csv in the current folder once moved the image-classification prior
    (exponent 0.42 -> 2.0) without a word; now it is read only when asked for, and says so."""
    monkeypatch.delenv("SCALINGLAB_LITERATURE", raising=False)
    monkeypatch.chdir(tmp_path)
    plain = lit.make_prior("literature:image classification", sl.get_law("power"))
    poisoned_rows(table, tmp_path / "scalinglab_literature.csv")
    with pytest.warns(sl.ScalingLabWarning, match="not read"):
        same = lit.make_prior("literature:image classification", sl.get_law("power"))
    assert same.targets == plain.targets and "your own" not in same.source
    monkeypatch.setenv("SCALINGLAB_LITERATURE", str(tmp_path / "scalinglab_literature.csv"))
    asked = lit.make_prior("literature:image classification", sl.get_law("power"))
    assert asked.targets != plain.targets
    assert "of your own from" in asked.source and "scalinglab_literature.csv" in str(asked)


def test_rows_of_your_own_by_argument_and_in_the_cli(tmp_path, monkeypatch, table):
    from typer.testing import CliRunner

    from scalinglab.cli import app
    monkeypatch.delenv("SCALINGLAB_LITERATURE", raising=False)
    path = poisoned_rows(table, tmp_path / "mine.csv")
    merged = lit.table(extra=[path])
    assert (merged["source"] == str(path)).sum() == len(pd.read_csv(path))
    assert "[your row:" in str(lit.similar("image classification", table=merged))
    out = CliRunner().invoke(app, ["literature", "ImageNet", "--x", "data", "--rows", str(path)])
    assert out.exit_code == 0 and "(yours)" in out.output and "Stray" in out.output
    assert "Stray" not in CliRunner().invoke(app, ["literature", "ImageNet", "--x", "data"]).output
    missing = CliRunner().invoke(app, ["literature", "--rows", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "nope.csv" in missing.output


# -- priors ----------------------------------------------------------------------------------
def curve(b, sizes, seed, noise=0.05, reps=1):
    rng = np.random.default_rng(seed)
    x = np.repeat(np.asarray(sizes, float), reps)
    return sl.Curve(x, 0.3 * (x / 100) ** -b * np.exp(rng.normal(0, noise, len(x))))


def quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return fn()


def test_map_recovers_the_exponent_with_plenty_of_data():
    c = curve(0.35, np.geomspace(50, 5e4, 20), seed=0, noise=0.02)
    res = quiet(lambda: sl.fit(c, law="power", prior={"b": (0.5, 0.1)}))
    assert res.params["b"] == pytest.approx(0.35, abs=0.01)             # the data win
    assert abs(res.prior["moved"]["b"]["shift_in_prior_sd"]) < 0.1


def test_map_shrinks_toward_the_prior_as_data_get_scarce():
    """Distance of the MAP exponent from the prior mean (averaged over 10 simulated curves,
    3 replicates per size so that the noise estimate is stable): grows with the data."""
    shifts = {}
    for n in (2, 4, 16):
        dist = []
        for seed in range(10):
            c = curve(0.35, np.geomspace(50, 800, n), seed=seed, noise=0.05, reps=3)
            res = quiet(lambda: sl.fit(c, law="power", prior={"b": (0.5, 0.05)}))
            dist.append(abs(res.params["b"] - 0.5))
        shifts[n] = np.mean(dist)
    assert shifts[2] < shifts[4] < shifts[16] < 0.15 + 0.01
    assert "MAP" in res.prior_summary() and "moved" in res.prior_summary()


def test_prior_with_no_free_fit_and_from_a_row(table):
    two = curve(0.35, [100, 400], seed=2)
    with pytest.raises(sl.ScalingLabError, match="not identifiable"):
        quiet(lambda: sl.fit(two, law="power_floor"))
    res = quiet(lambda: sl.fit(two, law="power_floor", prior={"b": (0.35, 0.05), "c": (0.01, 0.01)}))
    assert res.prior["moved"]["b"]["unregularised"] is None and np.isfinite(res.params["b"])
    hestness = row(table, "Hestness", "beta_g", "top-1")
    res = quiet(lambda: sl.fit(curve(0.3, [100, 200, 400], seed=3), law="power", prior=hestness))
    assert res.prior["targets"]["b"] == [0.309, pytest.approx(0.25 * 0.309)]
    with pytest.raises(sl.ScalingLabError, match="no data exponent|has no data exponent"):
        sl.fit(curve(0.3, [100, 200, 400, 800], seed=3), law="exp_floor", prior="literature:image classification")


def test_prior_result_survives_json_and_bootstrap():
    c = curve(0.4, [50, 100, 200, 400], seed=4, reps=3)
    res = quiet(lambda: sl.fit(c, law="power", prior="literature:image classification"))
    assert res.prior["noise_from"].startswith("replicates")
    back = sl.FitResult.from_json(res.to_json())
    assert back.prior_summary() == res.prior_summary()
    boot = res.bootstrap(200, seed=0)
    lo, hi = boot.interval("b")
    assert lo < res.params["b"] < hi


def backtest(prior, n_curves=60, seed=0):
    """Median |log error| at 100x the largest size, 4 sizes per curve, exponents drawn from the
    published image-classification range."""
    rng = np.random.default_rng(seed)
    errors = []
    for i in range(n_curves):
        b = rng.uniform(0.309, 0.488)
        c = curve(b, [50, 100, 200, 400], seed=1000 + i, noise=0.08)
        res = quiet(lambda: sl.fit(c, law="power", loss="squared", prior=prior))
        truth = 0.3 * (40000 / 100) ** -b
        errors.append(abs(np.log(res.predict([40000.0])[0]) - np.log(truth)))
    return float(np.median(errors))


def test_literature_prior_backtests_better_with_four_sizes():
    plain = backtest(None)
    informed = backtest("literature:image classification")
    print(f"median |log error| at 100x: plain {plain:.4f}, with the literature prior {informed:.4f}")
    assert informed < plain


def test_forest_plot(tmp_path):
    res = quiet(lambda: sl.fit(curve(0.4, [50, 100, 200, 400, 800], seed=5), law="power")).bootstrap(50, seed=0)
    sl.report.plot_exponent_context(res, lit.similar("image classification"), tmp_path / "forest.png")
    assert (tmp_path / "forest.png").stat().st_size > 1000
