"""``--json`` and ``--quiet`` on every command, and ``--version``: stdout holds one valid JSON
document (nothing else), --quiet drops progress and notes but keeps the answer, and every
command of the command line is covered here (a new command without a case fails)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer.main

import scalinglab as sl
from scalinglab.cli import app
from scalinglab.cli._common import legacy_fit_json
from helpers_cli import FastRunner

runner = FastRunner(app)
DATA = Path(__file__).parent / "data"

#: Commands whose --json output is checked by their own module's tests (same flag, same mechanism).
ELSEWHERE = {"advise": "test_advise.py::test_cli_json_and_text",
             "transfer": "test_transfer.py::test_cli_transfer_from_two_csvs",
             "quality": "test_quality.py::test_cli_quality_from_one_csv"}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli_output")
    rng = np.random.default_rng(0)
    x = np.repeat(np.geomspace(50, 3200, 7), 5)
    runs = tmp / "runs.csv"
    frame = pd.DataFrame({"n": x, "seed": np.tile(np.arange(5), 7),
                          "err": 2 * x ** -0.4 + 0.05 + rng.normal(0, 0.002, x.size)})
    frame.to_csv(runs, index=False)
    two = tmp / "two.csv"
    pd.concat([frame.assign(learner="a"), frame.assign(learner="b", err=frame["err"] * 1.1)]).to_csv(two, index=False)
    fit_json = tmp / "fit.json"
    done = runner.invoke(["fit", runs, "--x", "n", "--y", "err", "--seed-col", "seed", "--law", "power_floor",
                          "--bootstrap", "100", "--save", fit_json, "--quiet"])
    assert done.exit_code == 0, done.output
    values = tmp / "values.csv"
    pd.DataFrame({"size": (1 - rng.uniform(size=500)) ** (-1 / 1.5)}).to_csv(values, index=False)
    points = tmp / "points.csv"
    pd.DataFrame(rng.normal(size=(120, 3)), columns=["a", "b", "c"]).to_csv(points, index=False)
    spec = tmp / "spec.toml"
    spec.write_text('name = "tiny"\ndataset = "iris"\nsizes = [20, 40, 80]\nseeds = [0, 1]\n'
                    '[estimators.logreg]\nclass = "sklearn.linear_model.LogisticRegression"\n'
                    'params = { max_iter = 300 }\n')
    db = tmp / "s.db"
    done = runner.invoke(["study", "run", spec, "--db", db, "--no-report", "--executor", "serial", "--quiet"])
    assert done.exit_code == 0, done.output
    lcdb = pd.read_csv(DATA / "lcdb_sample.csv")
    curves = tmp / "lcdb.csv"
    lcdb[lcdb["openmlid"] == lcdb["openmlid"].iloc[0]].to_csv(curves, index=False)
    return {"tmp": tmp, "runs": runs, "two": two, "fit": fit_json, "values": values, "points": points, "spec": spec, "db": db,
            "lcdb": curves}


def _cases(f) -> dict[str, list]:
    """One --json invocation per command (its path -> the arguments)."""
    return {
        "fit": ["fit", f["runs"], "--x", "n", "--y", "err", "--law", "power"],
        "laws": ["laws"],
        "demo": None,                      # the slow test below
        "report": None,                    # test_report_from_a_csv_of_runs
        "powerlaw": ["powerlaw", f["values"], "--compare", "exponential"],
        "literature": ["literature", "image classification"],
        "backtest": ["backtest", f["lcdb"], "--x", "size", "--y", "mean", "--curve", "learner", "--n-boot", "20"],
        "extrapolate": ["extrapolate", f["runs"], "--x", "n", "--y", "err", "--at", "1e4"],
        "plan target": ["plan", "target", f["fit"], "--target", "0.07"],
        "plan gain": ["plan", "gain", f["fit"]],
        "plan regime": ["plan", "regime", f["fit"]],
        "plan economics": ["plan", "economics", f["fit"], "--cost", "0.01", "--value", "100"],
        "plan next": ["plan", "next", f["fit"], "--target", "0.07"],
        "plan compute": None,              # needs a joint fit: test_plan_compute_json
        "samplesize ttest": ["samplesize", "ttest", "--effect", "0.5", "--power", "0.8"],
        "samplesize proportions": ["samplesize", "proportions", "--p1", "0.5", "--p2", "0.4", "--power", "0.8"],
        "samplesize anova": ["samplesize", "anova", "--effect", "0.25", "--power", "0.8", "--k-groups", "3"],
        "samplesize chisquare": ["samplesize", "chisquare", "--effect", "0.3", "--power", "0.8", "--n-bins", "4"],
        "samplesize interval": ["samplesize", "interval", "mean", "--width", "0.4", "--sigma", "1"],
        "samplesize majority": ["samplesize", "majority", "--margin", "0.1"],
        "samplesize pac": ["samplesize", "pac", "--vc", "10", "--eps", "0.1", "--delta", "0.05"],
        "samplesize vc": ["samplesize", "vc", "--weights", "100", "--units", "10"],
        "samplesize intrinsic": ["samplesize", "intrinsic", f["points"], "--k", "10"],
        "samplesize partitions": ["samplesize", "partitions", f["points"], "--width", "2", "--sigma", "1"],
        "study run": ["study", "run", f["spec"], "--db", f["db"], "--no-report"],
        "study status": ["study", "status", f["db"]],
        "study export": ["study", "export", f["db"]],
        "study upgrade": ["study", "upgrade", f["db"]],
        "study delete": None,              # destroys the store: test_study_delete_json
    }


def _leaf_commands(group, prefix="") -> list[str]:
    out = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}".strip()
        out += _leaf_commands(command, path) if hasattr(command, "commands") else [path]
    return out


def _json_of(args) -> object:
    result = runner.invoke([*args, "--json"])
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)              # stdout holds the document and nothing else


def test_every_command_has_json_and_quiet_and_a_case_here(files):
    commands = _leaf_commands(typer.main.get_command(app))
    assert set(commands) == set(_cases(files)) | set(ELSEWHERE)
    for path in commands:
        result = runner.invoke([*path.split(), "--help"])
        assert "--json" in result.output and "--quiet" in result.output, path


@pytest.mark.parametrize("command", [c for c, args in _cases({k: Path(k) for k in
                                     ("tmp", "runs", "two", "fit", "values", "points", "spec", "db", "lcdb")}).items()
                                     if args is not None])
def test_json_output_is_one_valid_document(files, command):
    document = _json_of(_cases(files)[command])
    assert document not in (None, {}, [])
    if command.startswith("plan") or command.startswith("samplesize"):
        assert isinstance(document["summary"], str) and document["summary"]


def test_json_answers_are_the_numbers_printed(files):
    fit = _json_of(["fit", files["runs"], "--x", "n", "--y", "err", "--law", "power_floor"])
    res = sl.FitResult.from_json(json.dumps(fit))                 # the JSON of fit is a FIT.json
    assert res.law.name == "power_floor" and set(res.params) == {"a", "b", "c"}
    several = _json_of(["fit", files["two"], "--x", "n", "--y", "err", "--seed-col", "seed", "--curve", "learner",
                        "--law", "power"])
    assert set(several) == {"a", "b"}
    gain = _json_of(["plan", "gain", files["fit"], "--factor", "4"])
    saved = sl.FitResult.from_json(files["fit"])
    assert gain == json.loads(json.dumps(sl.plan.gain(saved, factor=4).to_dict()))
    status = _json_of(["study", "status", files["db"]])
    assert status[0]["study"] == "tiny" and status[0]["complete"] == 6
    runs = _json_of(["study", "export", files["db"]])
    assert len(runs) == 6 and {r["metric"] for r in runs} == {"error"}


def test_quiet_prints_the_answer_without_notes(files, tmp_path):
    out = tmp_path / "again.json"
    loud = runner.invoke(["fit", files["runs"], "--x", "n", "--y", "err", "--law", "power", "--save", out])
    quiet = runner.invoke(["fit", files["runs"], "--x", "n", "--y", "err", "--law", "power", "--save", out, "-q"])
    assert f"wrote {out}" in " ".join(loud.output.split()) and "wrote" not in quiet.output
    assert "power fit" in quiet.stdout and out.exists()
    bare = sl.FitResult.from_json(out)
    gain = runner.invoke(["plan", "gain", out, "--quiet"])              # a fit without draws: the note is dropped
    assert gain.exit_code == 0 and "note:" not in gain.output and gain.stdout.startswith("With 10×")
    assert bare.draws is None and "note:" in runner.invoke(["plan", "gain", out]).output


def test_errors_with_json_are_one_line_on_stderr_and_nothing_on_stdout(files):
    result = runner.invoke(["plan", "gain", files["fit"], "--factor", "-1", "--json"])
    assert result.exit_code == 2 and result.stdout == "" and result.stderr.startswith("error:")
    result = runner.invoke(["fit", files["runs"], "--x", "n", "--y", "nope", "--json"])
    assert result.exit_code == 2 and result.stdout == "" and "nope" in result.stderr


def test_fit_json_with_a_file_name_still_saves_the_file(files, tmp_path):
    """`fit ... --json FIT.json` wrote the file before --json was a flag on every command."""
    out = tmp_path / "old-style.json"
    result = runner.invoke(["fit", files["runs"], "--x", "n", "--y", "err", "--law", "power", "--json", out])
    assert result.exit_code == 0 and sl.FitResult.from_json(out).law.name == "power"
    assert legacy_fit_json(["fit", "a.csv", "--json", "b.json"]) == ["fit", "a.csv", "--save", "b.json"]
    assert legacy_fit_json(["fit", "a.csv", "--json", "--x", "n"]) == ["fit", "a.csv", "--json", "--x", "n"]
    assert legacy_fit_json(["plan", "gain", "f.json", "--json"]) == ["plan", "gain", "f.json", "--json"]


def test_plan_compute_json(tmp_path, chinchilla_curve):
    path = tmp_path / "chinchilla.csv"
    chinchilla_curve.to_frame().to_csv(path, index=False)
    document = _json_of(["plan", "compute", path, "--x", "N", "--x2", "D", "--y", "loss", "--flops", "5.76e23"])
    assert document["n_params"] > 0 and "tokens per parameter" in document["summary"]


def test_study_delete_json(files, tmp_path):
    db = tmp_path / "copy.db"
    assert runner.invoke(["study", "run", files["spec"], "--db", db, "--no-report", "-q"]).exit_code == 0
    assert _json_of(["study", "delete", db, "tiny", "--yes"]) == {"study": "tiny", "deleted_runs": 6, "cells": 6}


def test_version():
    result = runner.invoke(["--version"])
    assert result.exit_code == 0 and result.stdout == f"scalinglab {sl.__version__}\n"


@pytest.mark.slow
def test_demo_json(tmp_path):
    document = _json_of(["demo", "--out", tmp_path / "demo", "--bootstrap", "100"])
    assert {c["name"] for c in document["curves"]} == {"logreg", "forest"}
    assert all(c["answers"] and c["answers"][0]["summary"] for c in document["curves"])


def test_report_from_a_csv_of_runs(files, tmp_path):
    out = tmp_path / "report.html"
    document = _json_of(["report", files["two"], "--x", "n", "--y", "err", "--seed", "seed", "--curve", "learner",
                         "--bootstrap", "50", "-o", out])
    assert [c["name"] for c in document["curves"]] == ["a", "b"] and document["files"]["report"] == str(out)
    html = out.read_text()
    assert "Runs in two.csv" in html and "size column &#39;n&#39;" in html
    store_only = runner.invoke(["report", files["db"], "--x", "n"])
    assert store_only.exit_code == 2 and "--x: for a CSV of runs" in store_only.stderr
    no_columns = runner.invoke(["report", files["runs"]])
    assert no_columns.exit_code == 2 and "needs --x (size column) and --y" in no_columns.stderr
