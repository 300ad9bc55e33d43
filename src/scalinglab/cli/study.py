"""``scalinglab study run|status|export|delete|upgrade``: data-scaling studies from a TOML spec.

Read commands (``status``, ``export``, ``report``) open the store read-only: a missing file is
"not found", never a new empty database. ``study run`` exits 0 when every cell is complete, 1
when runs failed, 4 when the study is incomplete (runs in flight elsewhere or not started).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

import scalinglab as sl

from ._common import console, output_file
from ._output import MODE, emit, note, progress

study_app = typer.Typer(help="Data-scaling studies: run from a TOML spec, check progress, export, delete or "
                             "upgrade a store.", no_args_is_help=True)



def _states() -> tuple[str, ...]:
    """The run states in the order the status table shows them (the store, and SQLAlchemy with
    it, is loaded only by the commands that use it: ``scalinglab --help`` stays quick)."""
    return sl.experiment.RUN_STATES


@study_app.command("run")
def run(spec: Path = typer.Argument(..., help="study spec (TOML)"),
        db: Path = typer.Option(Path("scalinglab-study.db"), help="SQLite file (or use --url)"),
        url: Optional[str] = typer.Option(None, help="any SQLAlchemy URL, e.g. postgresql://..."),
        n_jobs: int = typer.Option(1, help="parallel workers"),
        executor: str = typer.Option("joblib", help="joblib, serial or dask"),
        retry_failed: bool = typer.Option(False, "--retry-failed", help="run failed cells again"),
        report: Optional[Path] = typer.Option(None, help="HTML report to write (default: next to the store)"),
        no_report: bool = typer.Option(False, "--no-report", help="skip the report")) -> None:
    """Run (or resume) a study: finished runs are skipped, in-flight runs of dead workers redone;
    then fit its curves and write the HTML report. Exit status: 0 complete, 1 runs failed,
    4 incomplete (runs held by other workers or not started)."""
    study = sl.Study(sl.StudySpec.from_toml(spec), store=url or str(db))
    summary = study.run(n_jobs=n_jobs, executor=executor, retry_failed=retry_failed,
                        progress=not (MODE.json or MODE.quiet))
    console.print(str(summary), soft_wrap=True, markup=False)
    answer = {"study": study.name, "summary": str(summary), "exit_code": summary.exit_code,
              **{k.lower(): v for k, v in summary.status.items()}}
    if not no_report and summary.status[sl.experiment.COMPLETE]:
        target = report or (db.with_suffix(".report.html") if url is None else Path("scalinglab-report.html"))
        answer["analysis"] = _write(study, target, target=None, bootstrap=1000)
    emit(answer)
    if summary.exit_code:
        raise typer.Exit(summary.exit_code)


def _write(study, out: Path, *, target, bootstrap: int, advice=None) -> dict:
    with progress("fitting laws, bootstrapping, planning"):
        analysis = sl.pipeline.analyse_study(study, target=target, bootstrap=bootstrap)
    return _render(analysis, out, advice)


def _render(analysis, out: Path, advice=None) -> dict:
    """Print the analysis, write its report; the analysis as data (for --json)."""
    from .demo import analysis_data, print_analysis
    print_analysis(analysis)
    with progress("writing the report"):
        sl.report.write_report(analysis, out, advice=advice)
    note(f"wrote {out}")
    return analysis_data(analysis, report=out)


def _advice(path: Optional[Path]):
    """The advice saved by ``scalinglab advise --json`` in ``path``, checked (errors name the file)."""
    if path is None:
        return None
    if not path.is_file():
        raise sl.ScalingLabError(f"--advise-json {path}: file not found")
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise sl.ScalingLabError(f"--advise-json {path}: not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise sl.ScalingLabError(f"--advise-json {path}: not JSON ({error.msg}, line {error.lineno})") from None
    return sl.advisor.advice_dict(data, where=f"--advise-json {path}")


def report_from_store(db: str, name: Optional[str], out: Path, *, target, bootstrap: int,
                      advice_path: Optional[Path] = None) -> None:
    """Rebuild the study from its stored spec and runs (no training) and write its report."""
    advice = _advice(advice_path)          # checked before any fitting
    store = sl.experiment.Store(db, read_only=True)
    names = store.study_names()
    if not names:
        raise sl.ScalingLabError(f"no study in {store.url}")
    study = sl.Study.open(store, name or names[-1])
    emit(_write(study, out, target=target, bootstrap=bootstrap, advice=advice))


def report_from_csv(path: Path, out: Path, *, x: Optional[str], y: Optional[str], seed: Optional[str],
                    curve: Optional[str], higher_is_better: bool, target, bootstrap: int,
                    advice_path: Optional[Path] = None) -> None:
    """The report of the runs in a CSV file: the curves read as ``fit`` reads them (several only
    with --curve), analysed by the same pipeline as a study's."""
    from ._curves import read_curves
    if not (x and y):
        raise sl.ScalingLabError(f"{path}: a CSV of runs needs --x (size column) and --y (metric column)")
    if not path.is_file():
        raise sl.ScalingLabError(f"{path}: file not found")
    advice = _advice(advice_path)          # checked before any fitting
    curves = read_curves(path, x=x, y=y, curve=curve, seed=seed, higher_is_better=higher_is_better)
    curves = {name or y: c for name, c in curves.items()}
    with progress("fitting laws, bootstrapping, planning"):
        analysis = sl.pipeline.analyse_curves(curves, title=f"Runs in {path.name}", target=target,
                                              bootstrap=bootstrap,
                                              notes=(f"Read from {path}: size column {x!r}, metric column {y!r}"
                                                     + (f", seed column {seed!r}" if seed else "")
                                                     + (f", one curve per value of {curve!r}" if curve else "") + ".",))
    emit(_render(analysis, out, advice))


def _studies(db: str, name: Optional[str]) -> list:
    store = sl.experiment.Store(db, read_only=True)
    return [sl.Study.open(store, n) for n in ([name] if name else store.study_names())]


@study_app.command("status")
def status(db: str = typer.Argument(..., help="SQLite file or SQLAlchemy URL"),
           study: Optional[str] = typer.Option(None, help="study name (default: all)")) -> None:
    """Runs per study and state (complete, failed, running, reclaimable: held by a dead worker or
    an expired lease, pending: not started), and the failures."""
    studies = _studies(db, study)
    emit([{"study": s.name, **{k.lower(): v for k, v in s.status().items()}, "failures": s.failures()}
          for s in studies])
    table = Table(title=f"studies in {studies[0].store.url if studies else db}")
    states = _states()
    for col in ("study", *(s.lower() for s in states), "median train s"):
        table.add_column(col)
    for s in studies:
        counts, df = s.status(), s.frame(states[0])     # complete runs
        table.add_row(s.name, *(str(counts[k]) for k in states),
                      f"{df['train_time'].median():.3g}" if len(df) else "—")
        for row in s.failures().itertuples():
            console.print(f"[yellow]failed[/yellow] {s.name}: {row.estimator} size {row.size} seed {row.seed}: "
                          f"{str(row.error).splitlines()[0] if row.error else ''}", soft_wrap=True)
    console.print(table)


@study_app.command("export")
def export(db: str = typer.Argument(..., help="SQLite file or SQLAlchemy URL"),
           csv: Optional[Path] = typer.Option(None, callback=output_file, help="output CSV, one row per run"),
           study: Optional[str] = typer.Option(None, help="study name (default: all)")) -> None:
    """Write the runs to CSV (--csv OUT) or print them as JSON (--json); rows sorted by study,
    estimator, model size, size and seed. Fit one estimator's runs with `scalinglab fit OUT
    --x size --y value --seed-col seed`."""
    import pandas as pd
    if (csv is None) == (not MODE.json):
        raise sl.ScalingLabError("give --csv OUT or --json (one of them)")
    frames = [s.frame().assign(study=s.name) for s in _studies(db, study)]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if MODE.json:
        emit(out)
        return
    out.to_csv(csv, index=False)
    note(f"wrote {len(out)} runs to {csv}")


@study_app.command("delete")
def delete(db: str = typer.Argument(..., help="SQLite file or SQLAlchemy URL"),
           name: str = typer.Argument(..., help="the study to delete, with all its runs"),
           yes: bool = typer.Option(False, "--yes", help="do not ask for confirmation")) -> None:
    """Delete a study and its runs (to start it afresh under the same name)."""
    store = sl.experiment.Store(db, read_only=True)
    n = sl.Study.open(store, name).status()[sl.experiment.TOTAL]
    if not yes and not typer.confirm(f"delete study {name!r} and its runs from {store.url}?", default=False,
                                     err=True):          # the question on stderr: stdout holds only the answer
        raise typer.Exit(1)
    deleted = sl.experiment.Store(db).delete_study(name)
    console.print(f"deleted study {name!r} ({deleted} runs; it had {n} cells)", markup=False)
    emit({"study": name, "deleted_runs": deleted, "cells": n})


@study_app.command("upgrade")
def upgrade(db: str = typer.Argument(..., help="SQLite file or SQLAlchemy URL")) -> None:
    """Migrate a store written by an older scalinglab to this version's schema (one
    transaction; back the store up first)."""
    old, new = sl.experiment.Store.upgrade(db)
    console.print(f"store schema {old} -> {new}" if old != new else f"store schema {new} is current", markup=False)
    emit({"old_schema": old, "new_schema": new})
