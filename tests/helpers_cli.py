"""How a command line ended, as a user sees it: the one classification the CLI tests and
``scripts/fuzz_cli.py`` share."""

from __future__ import annotations

import re

CLEAN = "clean"            # non-zero exit, one line 'error: ...' on stderr naming what is wrong
VAGUE = "vague"            # non-zero exit, no traceback, but not one line or not naming what is wrong
ACCEPTED = "accepted"      # exit 0 on an input that must be refused
OK = "ok"                  # exit 0 where success is allowed
TRACEBACK = "traceback"    # an exception escaped the command
INTERNAL = "internal"      # 'internal error' (exit 3): a bug the CLI caught
MEMORY = "memory"          # ran out of memory (MemoryError or 'out of memory')
HANG = "hang"              # ran past the time limit (set by the caller)
BAD = (VAGUE, ACCEPTED, TRACEBACK, INTERNAL, MEMORY, HANG)

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def stderr_of(result) -> str:
    """The stderr of a CliRunner result (empty when the runner mixed it into stdout)."""
    try:
        return result.stderr
    except ValueError:
        return ""


def classify(result, needles=(), must_fail: bool = True) -> str:
    """The outcome of a CliRunner ``result``: one of the constants above. ``needles``: strings of
    which at least one must appear in the error line (the file, column or option at fault)."""
    exc = result.exception
    if isinstance(exc, MemoryError):
        return MEMORY
    if exc is not None and not isinstance(exc, SystemExit):
        return TRACEBACK
    if result.exit_code == 0:
        return ACCEPTED if must_fail else OK
    err = _ANSI.sub("", stderr_of(result) or result.output)
    if "out of memory" in err:
        return MEMORY
    if "internal error" in err:
        return INTERNAL
    lines = [line for line in err.strip().splitlines() if line.strip() and not line.startswith("warning: ")]
    if len(lines) != 1 or not lines[0].startswith("error: "):
        return VAGUE
    if needles and not any(str(n) in lines[0] for n in needles):
        return VAGUE
    return CLEAN


def assert_clean(result, *needles) -> str:
    """Assert the command was refused with one clean line naming one of ``needles``; the line."""
    outcome = classify(result, needles)
    assert outcome == CLEAN, f"{outcome}: exit {result.exit_code}, {result.exception!r}\n{result.output}"
    return stderr_of(result).strip()


class FastRunner:
    """typer's CliRunner, with the click command built once: ``CliRunner.invoke`` rebuilds it from
    the Typer app on every call (0.1-0.3 s for scalinglab's ~40 commands), which property tests
    with hundreds of examples cannot afford."""

    def __init__(self, app):
        import typer.main
        from typer.testing import CliRunner
        self._runner, self._command = CliRunner(), typer.main.get_command(app)

    def invoke(self, args, **kwargs):
        from unittest import mock
        with mock.patch("typer.testing._get_command", lambda _app: self._command):
            return self._runner.invoke(None, [str(a) for a in args], **kwargs)
