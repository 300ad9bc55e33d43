"""The scenario advisor: each scenario against the public pieces it combines (independent
recomputation), the files it reads, the CLI (flags, --json, prompts on a terminal), errors."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from typer.testing import CliRunner

import scalinglab as sl
from scalinglab.cli import app

runner = CliRunner()


def quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return fn(*args, **kw)


# -- scenario 1: the data exist ------------------------------------------------------------------
def test_reuse_with_a_measured_curve_matches_the_planning_api():
    curve = sl.example_curve()
    advice = sl.advise("reuse", pilot=curve, target=0.02, cost_per_sample=0.5, n_boot=100)
    fit = quiet(sl.fit, curve, law="auto").bootstrap(100, by="seed", seed=0)     # the same recipe, by hand
    est = sl.plan.data_for(fit, 0.02)
    nt = sl.plan.next_tranche(fit, 0.02)
    largest = float(curve.x.max())
    assert advice.predicted.n == pytest.approx(est.n) and advice.predicted.interval == pytest.approx(est.interval)
    assert advice.first_tranche == math.ceil(nt.size - largest) and advice.schedule[0] == round(nt.size)
    assert advice.cost.to_target == pytest.approx(0.5 * (est.n - largest))
    assert advice.cost.first_tranche == pytest.approx(0.5 * advice.first_tranche)
    assert advice.why == str(sl.plan.regime(fit)) and advice.numbers["zone"] == "power-law"
    assert "error 0.02 needs about" in str(advice) and "Next:" in str(advice)
    d = advice.to_dict()
    json.dumps(d)
    assert d["scenario"] == "reuse" and d["predicted"]["n"] == pytest.approx(est.n)


def test_reuse_without_a_curve_measures_nested_subsets_of_what_exists():
    advice = sl.advise("1", available=4000)
    assert advice.schedule == (250, 500, 1000, 2000, 4000) and advice.predicted is None
    assert any("learning curve of the existing data" in m for m in advice.missing)
    assert any("a target" in m for m in advice.missing)


# -- scenario 2: a similar problem was solved ------------------------------------------------------
def test_transfer_without_data_predicts_from_the_literature_prior():
    advice = sl.advise("transfer", task="image classification", target=0.05, baseline=(1000, 0.2),
                       cost_per_sample=2.0, level=0.8)
    prior = sl.literature.make_prior("literature:image classification", sl.get_law("power"))
    b, sd = prior.targets["b"]
    assert advice.predicted.n == pytest.approx(1000 * (0.2 / 0.05) ** (1 / b))
    rng = np.random.default_rng(0)                     # the interval: quantiles over the prior's exponent
    draws = 1000 * 4 ** (1 / np.maximum(rng.normal(b, sd, 4000), 0.01))
    lo, hi = np.quantile(draws, [0.1, 0.9], method="inverted_cdf")
    assert advice.predicted.interval == pytest.approx((lo, hi))
    assert advice.cost.to_target == pytest.approx(2.0 * advice.predicted.n)
    assert advice.schedule[0] == advice.first_tranche == 100 and advice.schedule[-1] >= 100 * 2 ** 7
    assert any("Hestness" in line for line in advice.literature)
    assert any("Hernandez" in r for r in advice.references) and "effective_data" in advice.next_step


def test_transfer_for_llm_work_starts_from_literature_rows():
    rows = sl.literature.query(kind="starting_point")
    assert {"LIMA", "AlpaGasus", "Few-Shot", "Many-Shot"} <= {w for p in rows["paper"] for w in p.replace(":", " ").split()}
    advice = sl.advise("transfer", task="instruction tuning", llm=True, cost_per_sample=3.0)
    lima = rows[rows["paper"].str.contains("LIMA")].iloc[0]
    assert advice.first_tranche == int(lima["x_min"]) == 1000
    assert advice.cost.first_tranche == 3000
    assert any("LIMA" in line and "[verified]" in line for line in advice.literature)
    assert any("8192" in line for line in advice.literature)               # many-shot in-context counts
    assert any("in-context examples are a curve to measure" in e for e in advice.evidence)


def test_transfer_with_a_pilot_uses_the_prior_as_a_map_fit():
    x = np.array([100, 200, 400, 800.0])
    curve = sl.Curve(np.repeat(x, 2), np.repeat(0.6 * (x / 100) ** -0.35, 2) * np.exp([0.01, -0.01] * 4),
                     seed=np.tile([0, 1], 4))
    advice = sl.advise("transfer", task="image classification", pilot=curve, target=0.2, n_boot=100)
    fit = quiet(sl.fit, curve, law="power", prior="literature:image classification")
    with pytest.warns(sl.ScalingLabWarning, match="resampled points, not seeds"):               # 2 seeds: by points, and it says so
        fit = fit.bootstrap(100, by="auto", seed=0)
    assert advice.predicted.n == pytest.approx(sl.plan.data_for(fit, 0.2).n)
    assert "literature prior" in advice.predicted.source and "MAP" in advice.evidence[0]


# -- scenario 3: plenty of unlabeled data -------------------------------------------------------
def test_unlabeled_sizes_the_first_tranche_from_dimension_and_clusters(tmp_path):
    X = load_digits(return_X_y=True)[0][::3]                 # 599 images keep the clustering quick
    path = tmp_path / "digits.npy"
    np.save(path, X)
    advice = sl.advise("unlabeled", unlabeled=path, target=0.05, classes=10, cost_per_sample=1.0)
    k = sl.samplesize.choose_k(X, k_range=range(2, 11), seed=0).k
    per = sl.samplesize.majority_n(0.2, level=0.95).n_required
    assert advice.numbers["k"] == k and advice.first_tranche == k * per
    assert advice.numbers["twonn"] == pytest.approx(sl.samplesize.intrinsic.twonn(X).dimension)
    d = 0.5 * (advice.numbers["twonn"] + advice.numbers["mle"])
    vc = math.ceil(d) + 1
    assert advice.numbers["pac_sufficient"] == pytest.approx(sl.samplesize.pac_realizable(vc, 0.05, 0.01).n)
    assert any("TypiClust" in r for r in advice.references) and any("uncertainty" in r for r in advice.references)
    assert advice.numbers["dimension_exponent"] == pytest.approx(1 / d)


def test_unlabeled_csv_must_be_numeric(tmp_path):
    X, _ = load_digits(return_X_y=True)
    df = pd.DataFrame(X[:50])
    df["id"] = [f"img{i}" for i in range(50)]
    path = tmp_path / "points.csv"
    df.to_csv(path, index=False)
    with pytest.raises(sl.ScalingLabError, match=r"columns \['id'\] are not numeric"):
        sl.advise("unlabeled", unlabeled=path)
    df.drop(columns="id").to_csv(path, index=False)
    assert sl.advise("unlabeled", unlabeled=path).numbers["k"] >= 2


# -- scenario 4: nothing similar -------------------------------------------------------------------
def test_pilot_sizes_the_evaluation_set_and_states_the_pac_range():
    advice = sl.advise("nothing", target=0.05, classes=10, features=64, cost_per_sample=0.5)
    interval = sl.samplesize.proportion_interval_n(0.05, p=0.05, level=0.95).n_required
    test = math.ceil(sl.samplesize.proportions(p1=0.1, p2=0.05, power=0.8).n)
    assert advice.numbers["eval_set"] == max(interval, test)
    assert advice.numbers["pac_sufficient"] == pytest.approx(sl.samplesize.pac_realizable(65, 0.05, 0.01).n)
    assert advice.numbers["pac_necessary"] == pytest.approx(
        sl.samplesize.pac_realizable(65, 0.05, 0.01, kind="necessary").n)
    assert advice.first_tranche == 50 and advice.schedule[:3] == (50, 100, 200) and len(advice.schedule) <= 8
    assert "all 17 published data exponents" in advice.predicted.source
    assert "chance error 0.9" in advice.predicted.source


def test_predict_size_closed_form_and_errors():
    from scalinglab.advisor import predict_size
    res = predict_size(0.05, (100, 0.2), 0.5, 0.0, source="test")
    assert res.n == pytest.approx(1600) and res.interval == pytest.approx((1600, 1600))
    with pytest.raises(sl.ScalingLabError, match="not below the anchor"):
        predict_size(0.3, (100, 0.2), 0.5, 0.1, source="test")


def test_advisor_errors_name_the_argument():
    with pytest.raises(sl.ScalingLabError, match="scenario must be one of"):
        sl.advise("maybe")
    with pytest.raises(sl.ScalingLabError, match="target must be a number > 0"):
        sl.advise("pilot", target=-1)
    with pytest.raises(sl.ScalingLabError, match="classes must be a whole number"):
        sl.advise("pilot", classes=2.5)
    with pytest.raises(sl.ScalingLabError, match="not both"):
        sl.advise("reuse", pilot=sl.example_curve(), study="x.db")
    with pytest.raises(sl.ScalingLabError, match="not found"):
        sl.advise("reuse", study="no-such.db")


# -- files: a study database ----------------------------------------------------------------------
def test_reads_a_study_database(tmp_path):
    from sklearn.linear_model import LogisticRegression
    spec = sl.StudySpec(name="digits", dataset="digits", estimators={"logreg": LogisticRegression(max_iter=300)},
                        sizes=[50, 100, 200, 400], seeds=[0, 1])
    db = tmp_path / "study.db"
    quiet(sl.Study(spec, store=str(db)).run, executor="serial", progress=False)
    advice = sl.advise("reuse", study=db, target=0.05, n_boot=100)
    assert advice.evidence[0].startswith("study digits/logreg: 8 runs at 4 sizes")
    assert advice.predicted is not None


# -- the command line --------------------------------------------------------------------------------
def test_cli_json_and_text(tmp_path):
    path = tmp_path / "runs.csv"
    sl.example_curve().to_frame().to_csv(path, index=False)
    result = runner.invoke(app, ["advise", "--scenario", "reuse", "--pilot", str(path), "--x", "n", "--y", "error",
                                 "--seed-col", "seed", "--target", "0.02", "--bootstrap", "50", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["scenario"] == "reuse" and data["predicted"]["n"] > 1000 and data["schedule"]
    text = runner.invoke(app, ["advise", "--scenario", "transfer", "--task", "instruction tuning", "--llm"])
    assert text.exit_code == 0 and "LIMA" in text.output and "[verified]" in text.output


def test_cli_without_a_terminal_never_prompts_and_errors_in_one_line():
    result = runner.invoke(app, ["advise", "--target", "0.05"])
    assert result.exit_code == 2 and "give --scenario" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["advise", "--scenario", "pilot", "--baseline-n", "100"])
    assert result.exit_code == 2 and "together" in result.output


def test_cli_prompts_on_a_terminal(monkeypatch):
    import importlib
    cli_advise = importlib.import_module("scalinglab.cli.advise")   # the package attribute is the command
    monkeypatch.setattr(cli_advise, "_interactive", lambda: True)
    # scenario, target, classes, cost per sample (prompts go to stderr; answers from stdin)
    result = runner.invoke(app, ["advise", "--json", "--features", "64"], input="pilot\n0.05\n10\n0.5\n")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{"):])
    assert data["scenario"] == "pilot" and data["target"] == 0.05 and data["cost"]["per_sample"] == 0.5
    assert data["first_tranche"] == 50
