"""What the command modules share: one console, one way to print an answer, and one way every
command's failure becomes an exit status.

Errors (one mechanism for every command, in :class:`SafeGroup`, the class of the root ``app``):

- a user error -- :class:`~scalinglab.ScalingLabError`, a file that is missing, unreadable or
  unwritable (``OSError``), a file that is not UTF-8, not JSON, not TOML or not CSV, a store that
  is not a database or a URL no driver knows, memory that ran out -- prints one line
  ``error: <what, naming the file, column or option>`` on stderr and exits with status 2
  (click's own status for a bad option);
- anything else is a bug in scalinglab: one line ``internal error: ...`` on stderr, exit status 3.
  ``scalinglab --debug ...`` (or ``SCALINGLAB_DEBUG=1``) lets the exception through with its
  traceback instead, for a bug report.

Commands therefore never catch :class:`~scalinglab.ScalingLabError` themselves: they raise it
(or let the API raise it) with a message that names what is wrong. Reading a file goes through
:func:`reading`, which names the file in decoding errors that do not name it themselves.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tomllib
import traceback
from collections.abc import Iterator
from pathlib import Path

import click
import pandas as pd
import typer
from rich.console import Console
from typer.core import TyperGroup

import scalinglab as sl

console = Console()

#: Exit statuses: 2 for anything the user can fix, 3 for a bug in scalinglab.
USER_ERROR, INTERNAL_ERROR = 2, 3
DEBUG_ENV = "SCALINGLAB_DEBUG"

# ``scheme://user:password@host``: the password never reaches the terminal (a last line of
# defence; the store layer hides it in its own messages too).
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/@\s]*:)[^@\s]*(@)")


def one_line(message: str) -> str:
    """The message on one line, with any URL password replaced by ``***``."""
    return _URL_PASSWORD.sub(r"\1***\2", " ".join(str(message).split()))


def _decode_message(exc: BaseException) -> str | None:
    """What a decoding failure means to a user, or None if ``exc`` is not one."""
    if isinstance(exc, UnicodeDecodeError):
        return (f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position {exc.start}); "
                "save the file as UTF-8")
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    if isinstance(exc, tomllib.TOMLDecodeError):
        return f"not valid TOML ({exc})"
    if isinstance(exc, pd.errors.EmptyDataError):
        return "empty: no header row and no data"
    if isinstance(exc, pd.errors.ParserError):
        return f"not a well-formed CSV table ({exc})"
    if isinstance(exc, RecursionError):
        return "nested too deeply to be read"
    return None


@contextlib.contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Name ``path`` in the errors raised while reading it: decoding errors (which do not name
    it) and :class:`~scalinglab.ScalingLabError` messages about its columns and rows.

    >>> with reading("runs.csv"):
    ...     b"\\xe9".decode()
    Traceback (most recent call last):
    scalinglab.errors.ScalingLabError: runs.csv: not UTF-8 text (byte 0xe9 at position 0); save the file as UTF-8
    """
    try:
        yield
    except sl.ScalingLabError as exc:
        if str(path) in str(exc):
            raise
        raise type(exc)(f"{path}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 -- only decoding failures are turned, others re-raised
        message = _decode_message(exc)
        if message is None:
            raise
        raise sl.ScalingLabError(f"{path}: {message}") from exc


def _store_error(exc: BaseException) -> str | None:
    """A store that cannot be opened or read: a user error (wrong file, URL or driver)."""
    try:
        from sqlalchemy import exc as sa_exc
    except ImportError:  # pragma: no cover -- SQLAlchemy is a dependency
        return None
    if isinstance(exc, (sa_exc.ArgumentError, sa_exc.NoSuchModuleError)):
        return f"store URL not usable: {exc}"
    if isinstance(exc, sa_exc.DatabaseError):
        return f"store cannot be read: {getattr(exc, 'orig', None) or exc}"
    return None


def user_message(exc: BaseException) -> str | None:
    """The one-line message for a user error, or None if ``exc`` is a bug in scalinglab."""
    if isinstance(exc, sl.ScalingLabError):
        return str(exc)
    if isinstance(exc, OSError) and exc.filename is not None:
        target = f"{exc.filename} -> {exc.filename2}" if exc.filename2 is not None else str(exc.filename)
        return f"{target}: {exc.strerror or exc}"
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}"
    if isinstance(exc, MemoryError):
        return "out of memory; ask for fewer resamples, sizes or rows"
    decoded = _decode_message(exc)
    if decoded is not None:
        return f"input {decoded}"
    return _store_error(exc)


def _where(exc: BaseException) -> str:
    """``module.py:line`` of the innermost frame, for a bug report."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno}"


def _debugging(ctx: click.Context) -> bool:
    return bool(ctx.params.get("debug")) or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def fail(message: str, status: int = USER_ERROR) -> None:
    """Print ``error: message`` on one line of stderr and exit with ``status``."""
    typer.echo(f"{click.style('error:', fg='red')} {one_line(message)}", err=True)
    raise typer.Exit(status)


class SafeGroup(TyperGroup):
    """The root command group: every command's exception becomes one line and an exit status."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise                                     # deliberate exits and click's usage errors
        except Exception as exc:  # noqa: BLE001 -- every exception gets an exit status below
            message = user_message(exc)
            if message is not None:
                if _debugging(ctx):
                    raise
                fail(message)
            if _debugging(ctx):
                raise
            typer.echo(f"{click.style('internal error:', fg='red')} "
                       f"{one_line(f'{type(exc).__name__}: {exc}')} (at {_where(exc)}). This is a bug in "
                       f"scalinglab; please report it with the command line and the traceback that "
                       f"`scalinglab --debug ...` (or {DEBUG_ENV}=1) prints.", err=True)
            raise typer.Exit(INTERNAL_ERROR) from None


def answer(make, status: str = "working") -> None:
    """Run one API call and print its one-sentence result (errors: see :class:`SafeGroup`)."""
    with console.status(status):
        result = make()
    console.print(str(result), soft_wrap=True, markup=False)
