"""What the command modules share: one console, one way to print an answer, and one way every
command's failure becomes an exit status.

Errors (one mechanism for every command, in :class:`SafeGroup`, the class of the root ``app``):

- a user error -- :class:`~scalinglab.ScalingLabError`, a file that is missing, unreadable or
  unwritable (``OSError``), a file that is not UTF-8, not JSON, not TOML or not CSV, a store that
  is not a database or a URL no driver knows, memory that ran out -- prints one line
  ``error: <what, naming the file, column or option>`` on stderr and exits with status 2;
  so does a bad or missing option (click's usage errors, here on one line too), and an option
  that breaks a rule below (:func:`resamples`, :func:`workers`, :func:`level`, :func:`output_file`,
  :func:`figure_file`...), checked when the command line is parsed, before any work;
- anything else is a bug in scalinglab: one line ``internal error: ...`` on stderr, exit status 3.
  ``scalinglab --debug ...`` (or ``SCALINGLAB_DEBUG=1``) lets the exception through with its
  traceback instead, for a bug report;
- a warning (:class:`~scalinglab.ScalingLabWarning` or any other) is one line ``warning: ...``
  on stderr.

Commands therefore never catch :class:`~scalinglab.ScalingLabError` themselves: they raise it
(or let the API raise it) with a message that names what is wrong. Reading a file goes through
:func:`reading`, which names the file in decoding errors that do not name it themselves.
"""

from __future__ import annotations

import math
import os
import re
import sys
import traceback
import warnings
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from typer.core import TyperGroup

try:  # typer >= 0.20 carries its own copy of click, with its own exception classes
    from typer._click import exceptions as _click_errors
except ImportError:  # pragma: no cover -- older typer uses click itself
    from click import exceptions as _click_errors

import scalinglab as sl
from scalinglab._files import decode_message, reading

__all__ = ["console", "reading", "fail", "SafeGroup", "resamples", "workers", "level", "output_file",
           "output_folder", "figure_file", "non_negative_seed", "finite", "positive", "non_negative", "MAX_RESAMPLES", "USER_ERROR", "INTERNAL_ERROR"]

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
    decoded = decode_message(exc)
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


def _debugging(ctx: typer.Context) -> bool:
    return bool(ctx.params.get("debug")) or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def fail(message: str, status: int = USER_ERROR) -> None:
    """Print ``error: message`` on one line of stderr and exit with ``status``."""
    typer.echo(f"{typer.style('error:', fg='red')} {one_line(message)}", err=True)
    raise typer.Exit(status)


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning on one line of stderr (``warning: ...``), not Python's file:line and source line."""
    typer.echo(f"{typer.style('warning:', fg='yellow')} {one_line(str(message))}", err=True)


#: click >= 8.2 raises this to show a group's help when no command is given: not an error.
_HELP = tuple(c for c in (getattr(_click_errors, "NoArgsIsHelpError", None),) if c is not None)


def legacy_fit_json(args: list[str]) -> list[str]:
    """``fit ... --json FIT.json`` (how a fit was saved before every command had the --json flag)
    read as ``--save FIT.json``: a ``--json`` of the ``fit`` command followed by a file name ending
    in .json. ``--json`` followed by anything else stays the flag (the JSON on stdout)."""
    command = next((a for a in args if not a.startswith("-")), None)
    if command != "fit":
        return args
    out = list(args)
    for i, arg in enumerate(out[:-1]):
        if arg == "--json" and not out[i + 1].startswith("-") and out[i + 1].lower().endswith(".json"):
            out[i] = "--save"
    return out


class SafeGroup(TyperGroup):
    """The root command group: every command's exception becomes one line and an exit status."""

    def main(self, args=None, *rest, **kwargs):
        args = list(sys.argv[1:] if args is None else args)
        return super().main(legacy_fit_json(args), *rest, **kwargs)

    def invoke(self, ctx: typer.Context):
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except (typer.Exit, typer.Abort, *_HELP):
            raise                                     # deliberate exits, and help for a bare group
        except _click_errors.ClickException as exc:   # a bad or missing option: one line too
            where = getattr(exc, "ctx", None)
            hint = f" (see `{where.command_path} --help`)" if where is not None else ""
            fail(f"{exc.format_message()}{hint}", exc.exit_code)
        except Exception as exc:  # noqa: BLE001 -- every exception gets an exit status below
            message = user_message(exc)
            if message is not None:
                if _debugging(ctx):
                    raise
                fail(message)
            if _debugging(ctx):
                raise
            typer.echo(f"{typer.style('internal error:', fg='red')} "
                       f"{one_line(f'{type(exc).__name__}: {exc}')} (at {_where(exc)}). This is a bug in "
                       f"scalinglab; please report it with the command line and the traceback that "
                       f"`scalinglab --debug ...` (or {DEBUG_ENV}=1) prints.", err=True)
            raise typer.Exit(INTERNAL_ERROR) from None


# -- option rules, checked when the command line is parsed (before any work) ---------------------
#: Most bootstrap resamples a command accepts: time grows linearly with the count, and percentile
#: intervals stop changing long before (Efron & Tibshirani 1993, ch. 19: about 1,000 for 95 %).
MAX_RESAMPLES = 100_000
#: Most worker processes per core: more only adds start-up cost and memory to CPU-bound fits.
WORKERS_PER_CORE = 4


def _bad(value, why: str):
    raise typer.BadParameter(f"{value!r} {why}")


def resamples(value: Optional[int]) -> Optional[int]:
    """A bootstrap count: 0 (none) up to :data:`MAX_RESAMPLES` (the API sets the minimum)."""
    if value is not None and not 0 <= value <= MAX_RESAMPLES:
        _bad(value, f"is not a number of resamples between 0 (none) and {MAX_RESAMPLES:,} "
                    "(about 1,000 suffice for a 95 % interval)")
    return value


def workers(value: Optional[int]) -> Optional[int]:
    """A joblib process count: 1 up to a few per core, or -1 (every core), -2 (all but one)..."""
    cores = os.cpu_count() or 1
    if value is not None and (value == 0 or value > WORKERS_PER_CORE * cores or value < -cores):
        _bad(value, f"is not a number of worker processes: use 1 to {WORKERS_PER_CORE * cores} "
                    f"({cores} core(s) here), or -1 for every core")
    return value


def level(value: Optional[float]) -> Optional[float]:
    """An interval level strictly between 0 and 1."""
    if value is not None and not 0 < value < 1:
        _bad(value, "is not an interval level: give a number strictly between 0 and 1, e.g. 0.8 or 0.95")
    return value


def finite(value: Optional[float]) -> Optional[float]:
    """A number that is not NaN or infinite."""
    if value is not None and not math.isfinite(value):
        _bad(value, "is not a finite number")
    return value


def positive(value: Optional[float]) -> Optional[float]:
    """A finite number > 0."""
    if value is not None and not (math.isfinite(value) and value > 0):
        _bad(value, "is not a finite number > 0")
    return value


def non_negative(value: Optional[float]) -> Optional[float]:
    """A finite number >= 0."""
    if value is not None and not (math.isfinite(value) and value >= 0):
        _bad(value, "is not a finite number >= 0")
    return value


def non_negative_seed(value: Optional[int]) -> Optional[int]:
    if value is not None and value < 0:
        _bad(value, "is not a random seed: use a whole number >= 0")
    return value


def _writable(path: Path) -> None:
    """Refuse before any work a path that cannot be written: a folder, or a missing parent folder."""
    if path.is_dir():
        _bad(str(path), "is a folder; give a file name")
    parent = path.parent
    if not parent.is_dir():
        _bad(str(path), f"cannot be written: the folder {parent} does not exist")


def output_file(value: Optional[Path]) -> Optional[Path]:
    """A file to write: its folder exists and it is not itself a folder."""
    if value is not None:
        _writable(value)
    return value


def output_folder(value: Optional[Path]) -> Optional[Path]:
    """A folder to write into (made if missing): not an existing file."""
    if value is not None and value.exists() and not value.is_dir():
        _bad(str(value), "is a file; give a folder to write into")
    return value


def figure_file(value: Optional[Path]) -> Optional[Path]:
    """A figure to write: :func:`output_file`, with an extension matplotlib can write."""
    if value is None:
        return value
    from matplotlib.backend_bases import FigureCanvasBase
    formats = sorted(FigureCanvasBase.get_supported_filetypes())
    suffix = value.suffix.lower().lstrip(".")
    if suffix not in formats:
        _bad(str(value), f"is not a figure file name: end it in one of .{', .'.join(formats)}")
    _writable(value)
    return value
