"""Reading a user's file: one way to name the file in every error its content causes.

Decoders (UTF-8, JSON, TOML, pandas' CSV parser) raise errors that say what is wrong but not in
which file; :func:`reading` adds the file, and turns them into :class:`ScalingLabError`. The API
(``Curve.from_csv``) and the command line use it alike.
"""

from __future__ import annotations

import contextlib
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

from .errors import ScalingLabError

__all__ = ["decode_message", "reading", "safe_stems"]

#: Longest file-name stem made from a name (file systems allow 255 bytes; room for suffixes).
MAX_STEM = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}


def decode_message(exc: BaseException) -> str | None:
    """What a decoding failure means to a user, or None if ``exc`` is not one."""
    if isinstance(exc, UnicodeDecodeError):
        return (f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position {exc.start}); "
                "save the file as UTF-8")
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
    if isinstance(exc, tomllib.TOMLDecodeError):
        return f"not valid TOML ({exc})"
    import pandas as pd     # here, not at the top: the command line's --help loads no pandas
    if isinstance(exc, pd.errors.EmptyDataError):
        return "empty: no header row and no data"
    if isinstance(exc, pd.errors.ParserError):
        return f"not a well-formed CSV table ({' '.join(str(exc).split())})"
    if isinstance(exc, RecursionError):
        return "nested too deeply to be read"
    return None


@contextlib.contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Name ``path`` in the errors raised while reading it: decoding errors (which do not name
    it) and :class:`ScalingLabError` messages about its columns and rows.

    >>> with reading("runs.csv"):
    ...     b"\\xe9".decode()
    Traceback (most recent call last):
    scalinglab.errors.ScalingLabError: runs.csv: not UTF-8 text (byte 0xe9 at position 0); save the file as UTF-8
    """
    try:
        yield
    except ScalingLabError as exc:
        if str(path) in str(exc):
            raise
        raise ScalingLabError(f"{path}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 -- only decoding failures are turned, others re-raised
        message = decode_message(exc)
        if message is None:
            raise
        raise ScalingLabError(f"{path}: {message}") from exc


def safe_stems(names) -> dict[str, str]:
    """A file-name stem for each name (curve names become figure and JSON file names): only
    letters, digits, ``.``, ``_`` and ``-``, no leading dot, at most :data:`MAX_STEM` characters,
    and distinct even on a case-insensitive file system (``-2``, ``-3``... in sorted order of the
    names, so the result does not depend on their order). A name like ``../../x`` or ``/etc/x``
    can therefore never write outside the folder it is meant for.

    >>> safe_stems(["../../x", "/tmp/abs", "a b$x$", "A B$x$", ""])
    {'../../x': 'x', '/tmp/abs': 'tmp_abs', 'a b$x$': 'a_b_x-2', 'A B$x$': 'A_B_x', '': 'curve'}
    """
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted({str(n) for n in names}):
        stem = _UNSAFE.sub("_", name).strip("._-")[:MAX_STEM].strip("._-") or "curve"
        if stem.lower() in _WINDOWS_RESERVED:
            stem += "_"
        candidate, k = stem, 1
        while candidate.lower() in taken:
            k += 1
            candidate = f"{stem}-{k}"
        taken.add(candidate.lower())
        stems[name] = candidate
    return {str(n): stems[str(n)] for n in names}
