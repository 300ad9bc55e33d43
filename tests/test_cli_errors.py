"""One error-to-exit mechanism for every command: user errors are one line on stderr and exit 2,
bugs are one line and exit 3 (their traceback only with --debug / SCALINGLAB_DEBUG)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import scalinglab as sl
from scalinglab.cli import app
from scalinglab.cli._common import one_line

from helpers_cli import assert_clean

runner = CliRunner()


def curve_csv(tmp_path):
    x = np.geomspace(100, 1e4, 6)
    path = tmp_path / "runs.csv"
    pd.DataFrame({"n": x, "err": 2 * x ** -0.4 + 0.03}).to_csv(path, index=False)
    return path


def assert_one_line_error(result, *needles):
    """Refused with exit 2 and one line ``error: ...`` on stderr that names every needle."""
    assert result.exit_code == 2, result.output
    line = assert_clean(result, *needles[:1])
    for needle in needles[1:]:
        assert needle in line, (needle, line)


def test_a_csv_not_in_utf8_names_the_file(tmp_path):
    path = tmp_path / "cp1252.csv"
    path.write_bytes("größe,fehler\n100,0.5\n".encode("cp1252"))
    result = runner.invoke(app, ["fit", str(path), "--x", "größe", "--y", "fehler"])
    assert_one_line_error(result, str(path), "UTF-8")


def test_an_empty_csv_names_the_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    for cmd in (["fit"], ["backtest"], ["extrapolate", "--at", "1e5"]):
        result = runner.invoke(app, [*cmd[:1], str(path), "--x", "n", "--y", "err", *cmd[1:]])
        assert_one_line_error(result, str(path), "empty")


def test_a_missing_column_names_the_file(tmp_path):
    path = curve_csv(tmp_path)
    assert_one_line_error(runner.invoke(app, ["fit", str(path), "--x", "size", "--y", "err"]), str(path), "'size'")


@pytest.mark.parametrize("text", ["", "{", "[1, 2", '{"law": ' * 100_000])
def test_a_broken_fit_json_is_one_line(tmp_path, text):
    path = tmp_path / "fit.json"
    path.write_text(text)
    assert_one_line_error(runner.invoke(app, ["plan", "gain", str(path)]), str(path))


def test_an_unwritable_output_is_one_line(tmp_path):
    path = curve_csv(tmp_path)
    out = tmp_path / "no-such-folder" / "fit.json"
    result = runner.invoke(app, ["fit", str(path), "--x", "n", "--y", "err", "--law", "power", "--json", str(out)])
    assert_one_line_error(result, str(out))


def test_a_bug_is_one_line_with_exit_3_and_its_traceback_only_with_debug(tmp_path, monkeypatch):
    path = curve_csv(tmp_path)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")
    monkeypatch.setattr(sl.pipeline, "fit_answers", broken)      # what `fit` calls
    args = ["fit", str(path), "--x", "n", "--y", "err"]
    result = runner.invoke(app, args)
    assert result.exit_code == 3
    assert result.stderr.startswith("internal error: ZeroDivisionError: a bug") and "--debug" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    debug = runner.invoke(app, ["--debug", *args])
    assert isinstance(debug.exception, ZeroDivisionError)
    monkeypatch.setenv("SCALINGLAB_DEBUG", "1")
    assert isinstance(runner.invoke(app, args).exception, ZeroDivisionError)


def test_messages_are_one_line_and_hide_url_passwords():
    assert one_line("cannot open\n postgresql://ana:s3cret@db:5432/x") == "cannot open postgresql://ana:***@db:5432/x"
    assert one_line("sqlite:///study.db and a:b@c") == "sqlite:///study.db and a:b@c"


@pytest.mark.parametrize("option, value", [("--bootstrap", "100000000"), ("--bootstrap", "-1"), ("--level", "nan"),
                                           ("--level", "1"), ("--seed", "-1"), ("--plot", "fit.xyz"),
                                           ("--plot", "fit"), ("--save", "no-such-folder/fit.json")])
def test_bad_option_values_are_refused_before_any_work(tmp_path, monkeypatch, option, value):
    monkeypatch.chdir(tmp_path)
    path = curve_csv(tmp_path)
    monkeypatch.setattr(sl.pipeline, "fit_answers", lambda *a, **k: pytest.fail("fitted before checking the options"))
    result = runner.invoke(app, ["fit", str(path), "--x", "n", "--y", "err", option, value])
    assert_one_line_error(result, option)


@pytest.mark.parametrize("args", [["backtest", "--n-jobs", "0"], ["backtest", "--n-jobs", "100000"],
                                  ["backtest", "--n-boot", "100000000"]])
def test_backtest_refuses_worker_and_resample_counts_that_cannot_run(tmp_path, args):
    path = curve_csv(tmp_path)
    result = runner.invoke(app, [args[0], str(path), "--x", "n", "--y", "err", *args[1:]])
    assert_one_line_error(result, args[1])


def test_usage_errors_are_one_line_and_a_bare_group_shows_its_help():
    assert_one_line_error(runner.invoke(app, ["fitt"]), "fitt")
    assert_one_line_error(runner.invoke(app, ["fit", __file__, "--x", "n"]), "--y")
    bare = runner.invoke(app, ["plan"])
    assert "Commands" in bare.output and "error" not in bare.output


def test_demo_refuses_a_file_as_its_folder(tmp_path):
    path = curve_csv(tmp_path)
    assert_one_line_error(runner.invoke(app, ["demo", "--out", str(path)]), "--out")


def test_column_names_are_printed_as_written_never_as_rich_markup(tmp_path):
    x = np.geomspace(100, 1e4, 6)
    path = tmp_path / "markup.csv"
    pd.DataFrame({"[bold red]n": x, "[/]": 2 * x ** -0.4}).to_csv(path, index=False)
    result = runner.invoke(app, ["fit", str(path), "--x", "[bold red]n", "--y", "[/]", "--law", "power"])
    assert result.exit_code == 0, result.output                      # rich raised MarkupError on '[/]'
    assert "predicted [/] at 10x" in result.output


def test_warnings_are_one_line_on_stderr(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCALINGLAB_LITERATURE", raising=False)
    (tmp_path / "scalinglab_literature.csv").write_text("paper\nx\n")     # not read: warned about
    result = runner.invoke(app, ["literature", "image classification"])
    assert result.exit_code == 0
    warned = [line for line in result.stderr.splitlines() if "not read" in line]
    assert len(warned) == 1 and warned[0].startswith("warning: scalinglab_literature.csv"), result.stderr
