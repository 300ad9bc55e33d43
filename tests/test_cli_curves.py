"""A CSV with several curves (what `study export` writes) is fitted one curve per value of
--curve, or refused: never pooled into one curve. Curve names never escape the output folder."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from scalinglab.cli import app

from helpers_cli import assert_clean

runner = CliRunner()


def export_like(tmp_path, names=("logreg", "forest"), column="estimator"):
    """Rows like `study export` writes: two estimators, 6 sizes, 2 seeds (forest's error 3x)."""
    x = np.repeat(np.geomspace(50, 1600, 6), 2)
    frames = [pd.DataFrame({column: name, "size": x, "seed": np.tile([0, 1], 6),
                            "value": (k + 1) * (2 * x ** -0.4 + 0.02) * (1 + 0.01 * np.tile([-1, 1], 6))})
              for k, name in enumerate(names)]
    path = tmp_path / "runs.csv"
    pd.concat(frames).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("command", [["fit", "--law", "power"], ["plan", "gain"], ["backtest", "--n-boot", "50"],
                                     ["extrapolate", "--at", "1e4"]])
def test_several_estimators_are_refused_with_the_way_out(tmp_path, command):
    path = export_like(tmp_path)
    words = command[:2] if command[0] == "plan" else command[:1]
    result = runner.invoke(app, [*words, str(path), "--x", "size", "--y", "value", *command[len(words):]])
    line = assert_clean(result, "--curve estimator")
    assert "2 curves" in line and str(path) in line


def test_rows_repeating_a_size_and_seed_are_several_curves(tmp_path):
    path = export_like(tmp_path, column="whatever")
    result = runner.invoke(app, ["fit", str(path), "--x", "size", "--y", "value", "--seed-col", "seed"])
    line = assert_clean(result, "--curve")
    assert "repeat a (size, seed) pair" in line and "lines 2, 14" in line
    # without --seed-col, a column named seed is evidence all the same
    assert_clean(runner.invoke(app, ["fit", str(path), "--x", "size", "--y", "value"]), "--curve")


def test_fit_with_curve_fits_each_and_writes_one_file_each(tmp_path):
    path = export_like(tmp_path)
    out = tmp_path / "fit.json"
    result = runner.invoke(app, ["fit", str(path), "--x", "size", "--y", "value", "--law", "power",
                                 "--curve", "estimator", "--json", str(out)])
    assert result.exit_code == 0, result.output
    a = json.loads((tmp_path / "fit-logreg.json").read_text())["params"]["a"]
    b = json.loads((tmp_path / "fit-forest.json").read_text())["params"]["a"]
    assert b == pytest.approx(2 * a, rel=1e-4)     # forest's values are twice logreg's (log-space fit: a doubles)
    assert not out.exists()


def test_plan_with_curve_answers_each(tmp_path):
    path = export_like(tmp_path)
    result = runner.invoke(app, ["plan", "gain", str(path), "--x", "size", "--y", "value", "--curve", "estimator"])
    assert result.exit_code == 0, result.output
    assert "estimator = forest:" in result.output and "estimator = logreg:" in result.output
    assert result.output.count("With 10× the data") == 2


def test_curve_names_never_write_outside_the_folder(tmp_path):
    (tmp_path / "out").mkdir()
    path = export_like(tmp_path, names=("../../escape", "/tmp/scalinglab-abs", "A"), column="curve")
    result = runner.invoke(app, ["fit", str(path), "--x", "size", "--y", "value", "--law", "power", "--curve",
                                 "curve", "--json", str(tmp_path / "out" / "fit.json")])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["fit-A.json", "fit-escape.json", "fit-tmp_scalinglab-abs.json"]
    assert not list(tmp_path.parent.glob("escape*")) and not list(tmp_path.glob("*.json"))


def test_rows_without_a_curve_name_are_refused(tmp_path):
    path = export_like(tmp_path)
    df = pd.read_csv(path)
    df.loc[3, "estimator"] = None
    df.to_csv(path, index=False)
    result = runner.invoke(app, ["extrapolate", str(path), "--x", "size", "--y", "value", "--at", "1e4",
                                 "--curve", "estimator"])
    assert "line(s) 5" in assert_clean(result, "estimator")
