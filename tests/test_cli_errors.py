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

runner = CliRunner()


def curve_csv(tmp_path):
    x = np.geomspace(100, 1e4, 6)
    path = tmp_path / "runs.csv"
    pd.DataFrame({"n": x, "err": 2 * x ** -0.4 + 0.03}).to_csv(path, index=False)
    return path


def assert_one_line_error(result, *needles):
    """Exit 2, no traceback, exactly one line on stderr: ``error: ...`` naming each needle."""
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    assert "Traceback" not in result.output


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
    monkeypatch.setattr(sl, "fit", broken)
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
