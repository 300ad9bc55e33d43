"""The command line, run as a user would (typer's CliRunner, same process)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

import scalinglab as sl
from scalinglab.cli import app

runner = CliRunner()


def write_curve(tmp_path):
    x = np.geomspace(100, 1e5, 10)
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"n": np.repeat(x, 2), "seed": np.tile([0, 1], 10),
                       "acc": 1 - (2 * np.repeat(x, 2) ** -0.4 + 0.03) * np.exp(rng.normal(0, 0.01, 20))})
    path = tmp_path / "curve.csv"
    df.to_csv(path, index=False)
    return path


def test_fit_prints_table_and_writes_json_and_plot(tmp_path):
    path = write_curve(tmp_path)
    out_json, out_png = tmp_path / "fit.json", tmp_path / "fit.png"
    result = runner.invoke(app, ["fit", str(path), "--x", "n", "--y", "acc", "--higher-is-better", "--law",
                                 "power_floor", "--bootstrap", "100", "--seed-col", "seed", "--by", "seed",
                                 "--json", str(out_json), "--plot", str(out_png)])
    assert result.exit_code == 0, result.output
    assert "power_floor fit" in result.output and "95% interval" in result.output
    assert "predicted error at 10x the largest size" in result.output
    data = json.loads(out_json.read_text())
    assert data["law"]["name"] == "power_floor" and len(data["draws"]) > 90
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert sl.FitResult.from_json(out_json).params["b"] == data["params"]["b"]


def test_fit_auto_shows_the_selection(tmp_path):
    path = write_curve(tmp_path)
    result = runner.invoke(app, ["fit", str(path), "--x", "n", "--y", "acc", "--higher-is-better"])
    assert result.exit_code == 0, result.output
    assert "Candidate laws" in result.output and "Chosen:" in result.output


def test_joint_fit_from_two_columns(tmp_path, chinchilla_curve):
    df = chinchilla_curve.to_frame()
    path = tmp_path / "chinchilla.csv"
    df.to_csv(path, index=False)
    result = runner.invoke(app, ["fit", str(path), "--x", "N", "--x2", "D", "--y", "loss", "--law", "chinchilla",
                                 "--plot", str(tmp_path / "parity.png")])
    assert result.exit_code == 0, result.output
    assert "0.3473" in result.output and (tmp_path / "parity.png").exists()


def test_bad_column_is_a_clear_error(tmp_path):
    path = write_curve(tmp_path)
    result = runner.invoke(app, ["fit", str(path), "--x", "size", "--y", "acc"])
    assert result.exit_code == 2
    assert "['size'] not found" in result.output


def test_demo_writes_figure_and_json(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--bootstrap", "50"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "fit.png").exists() and (tmp_path / "fit.json").exists()
    assert "Chosen:" in result.output


def test_laws_lists_every_law():
    result = runner.invoke(app, ["laws"])
    assert result.exit_code == 0
    for name in sl.available_laws():
        assert name in result.output


def test_example_curve_is_real_data():
    c = sl.example_curve()
    assert c.n == 65 and c.n_distinct == 13 and set(np.unique(c.seed)) == {0, 1, 2, 3, 4}
    means = c.mean_by_size().y
    assert means[0] > 0.3 and means[-1] < 0.05     # error falls with more data


def test_plan_commands_read_a_saved_fit(tmp_path):
    path = write_curve(tmp_path)
    fit_json = tmp_path / "fit.json"
    assert runner.invoke(app, ["fit", str(path), "--x", "n", "--y", "acc", "--higher-is-better", "--law",
                               "power_floor", "--bootstrap", "200", "--json", str(fit_json)]).exit_code == 0
    cases = {
        ("target", "--target", "0.06"): "Reaching error 0.06 needs about",
        ("target", "--target", "0.001"): "more data alone will not get there",
        ("gain", "--factor", "10"): "With 10× the data",
        ("regime",): "zone",
        ("economics", "--cost", "0.01", "--value", "1000"): "one more unit of error costs",
        ("next", "--target", "0.06"): "0.06",
    }
    for args, expected in cases.items():
        result = runner.invoke(app, ["plan", args[0], str(fit_json), *args[1:]])
        assert result.exit_code == 0, result.output
        assert expected in " ".join(result.output.split()), (args, result.output)


def test_plan_compute_from_a_csv(tmp_path, chinchilla_curve):
    path = tmp_path / "chinchilla.csv"
    chinchilla_curve.to_frame().to_csv(path, index=False)
    result = runner.invoke(app, ["plan", "compute", str(path), "--x", "N", "--x2", "D", "--y", "loss",
                                 "--flops", "5.76e23"])
    assert result.exit_code == 0, result.output
    assert "tokens per parameter" in result.output
    result = runner.invoke(app, ["plan", "compute", str(path), "--x", "N", "--x2", "D", "--y", "loss",
                                 "--target-loss", "2.0", "--inference-tokens", "1e13"])
    assert result.exit_code == 0, result.output
    assert "serve 1e+13 tokens" in " ".join(result.output.split())
    bad = runner.invoke(app, ["plan", "compute", str(path), "--x", "N", "--x2", "D", "--y", "loss"])
    assert bad.exit_code == 2
