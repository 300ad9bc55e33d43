"""``--json`` and ``--quiet``, given to every command by :func:`add_output_options`.

- ``--json``: the command's answer as one JSON document on stdout, and nothing else there
  (strict JSON: NaN is null, infinity the string "inf"). A command with several curves gives an
  object keyed by curve name. Notes, progress, warnings and errors go where they always go
  (stderr), so ``scalinglab plan gain FIT.json --json | jq .n`` works; an error still prints
  one ``error:`` line on stderr and exits with status 2, with nothing on stdout.
- ``--quiet`` (``-q``): no progress spinners and no notes ("note: ...", "wrote FILE"): only
  the answer. Warnings and errors still go to stderr (a quiet answer is not a silent repair).

A command prints its answer for people with rich as before and hands the same answer to
:func:`emit` as data; :func:`finish` (called once the command returns, or exits with a status of
its own) prints the JSON document in ``--json`` mode. The rich console is silenced
for the command's duration in ``--json`` mode, so no command needs two code paths.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
import math
from contextlib import nullcontext
from dataclasses import dataclass, field

import typer

from ._common import console

__all__ = ["MODE", "add_output_options", "answer", "emit", "note", "progress", "finish", "data"]


@dataclass
class Mode:
    """The output mode of the command being run (one command per process, or per test invocation)."""

    json: bool = False
    quiet: bool = False
    answers: list = field(default_factory=list)


MODE = Mode()


def data(value):
    """``value`` as strict-JSON data: objects by their ``to_dict()`` (tables as lists of records),
    dataclasses by their fields plus their sentence as ``summary``, numbers made finite-safe."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return None if math.isnan(value) else (("inf" if value > 0 else "-inf") if math.isinf(value) else value)
    if hasattr(value, "columns") and hasattr(value, "to_dict"):            # a pandas table
        return data(value.to_dict(orient="records"))
    if hasattr(value, "to_dict"):
        return data(value.to_dict())
    if hasattr(value, "tolist"):                                           # numpy arrays and scalars
        return data(value.tolist())
    if isinstance(value, dict):
        return {str(k): data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [data(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {**{f.name: data(getattr(value, f.name)) for f in dataclasses.fields(value)}, "summary": str(value)}
    return str(value)


def emit(answer, name: str | None = None) -> None:
    """Hand the command's answer (or one curve's, under ``name``) to ``--json``."""
    MODE.answers.append((name, answer))


def note(text: str, *, err: bool = False) -> None:
    """A note for people ("wrote FILE", "note: ..."): stdout (stderr with ``err`` or --json),
    nothing with --quiet."""
    if MODE.quiet:
        return
    if MODE.json or err:
        typer.echo(text, err=True)
    else:
        console.print(text, soft_wrap=True, markup=False, highlight=False)


def progress(text: str):
    """A spinner while work runs (rich's status), none with --json or --quiet."""
    return nullcontext() if MODE.json or MODE.quiet else console.status(text)


def answer(make, status: str = "working", name: str | None = None) -> None:
    """Run one API call, print its result (its sentence) and hand it to --json (errors: see
    :class:`~scalinglab.cli._common.SafeGroup`). ``make`` returns an answer object, or a pair
    (text, data) when the printed text is composed by the command: --json then prints the data
    with the text as ``summary``."""
    with progress(status):
        result = make()
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], str):
        text, answer_data = result[0], data(result[1])
    else:
        text, answer_data = str(result), data(result)
    if not isinstance(answer_data, dict):
        answer_data = {"answer": answer_data}
    answer_data.setdefault("summary", text)          # every answer carries the sentence printed
    console.print(text, soft_wrap=True, markup=False)
    emit(answer_data, name)


def finish() -> None:
    """Print the answers as one JSON document (--json), then reset the mode."""
    try:
        if MODE.json and MODE.answers:
            names = [name for name, _ in MODE.answers]
            if len(MODE.answers) == 1 and names[0] is None:
                document = data(MODE.answers[0][1])
            else:
                document = {str(name): data(answer) for name, answer in MODE.answers}
            typer.echo(json.dumps(document, indent=1, allow_nan=False, ensure_ascii=False))
    finally:
        reset()


def reset() -> None:
    MODE.json, MODE.quiet, MODE.answers = False, False, []
    console.quiet = False


def _start(as_json: bool, quiet: bool) -> None:
    reset()
    MODE.json, MODE.quiet = bool(as_json), bool(quiet)
    console.quiet = MODE.json          # stdout holds the JSON document only


_JSON = inspect.Parameter("as_json", inspect.Parameter.KEYWORD_ONLY, annotation=bool,
                          default=typer.Option(False, "--json", help="print the answer as JSON on stdout (nothing "
                                                                     "else there; notes and warnings on stderr)"))
_QUIET = inspect.Parameter("quiet", inspect.Parameter.KEYWORD_ONLY, annotation=bool,
                           default=typer.Option(False, "--quiet", "-q", help="no progress or notes: only the answer "
                                                                             "(warnings and errors still on stderr)"))


def _with_output_options(command):
    """``command`` with two more options, --json and --quiet, that set :data:`MODE` before it runs."""
    signature = inspect.signature(command, eval_str=True)
    taken = {p.name for p in signature.parameters.values()}
    if {"as_json", "quiet"} & taken:
        raise TypeError(f"{command.__qualname__}: --json and --quiet are added to every command; "
                        "read scalinglab.cli._output.MODE instead of declaring them")

    @functools.wraps(command)
    def run(*args, as_json: bool = False, quiet: bool = False, **kwargs):
        _start(as_json, quiet)
        try:
            result = command(*args, **kwargs)
        except typer.Exit:              # a deliberate exit status (study run: 1 failed, 4 incomplete)
            finish()
            raise
        except BaseException:           # an error: its one line on stderr, nothing on stdout
            reset()
            raise
        finish()
        return result

    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) if p.kind == inspect.Parameter.VAR_KEYWORD else p
              for p in signature.parameters.values()]
    run.__signature__ = signature.replace(parameters=[*params, _JSON, _QUIET])
    run.__annotations__ = {**{p.name: p.annotation for p in params}, "as_json": bool, "quiet": bool}
    del run.__wrapped__               # typer must read the new signature, not the wrapped function's
    return run


def add_output_options(app: typer.Typer) -> None:
    """Give every command of ``app`` and of its sub-apps the --json and --quiet options."""
    for info in app.registered_commands:
        info.callback = _with_output_options(info.callback)
    for group in app.registered_groups:
        add_output_options(group.typer_instance)
