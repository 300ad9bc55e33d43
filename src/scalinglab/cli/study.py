"""``scalinglab study run|status|export``: data-scaling studies from a TOML spec."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

import scalinglab as sl
from scalinglab.experiment.store import Store

from ._common import console

study_app = typer.Typer(help="Data-scaling studies: run from a TOML spec, check progress, export runs.",
                        no_args_is_help=True)


def _fail(exc: Exception):
    console.print(f"[red]error:[/red] {exc}")
    raise typer.Exit(2) from None


@study_app.command("run")
def run(spec: Path = typer.Argument(..., exists=True, dir_okay=False, help="study spec (TOML)"),
        db: Path = typer.Option(Path("scalinglab-study.db"), help="SQLite file (or use --url)"),
        url: Optional[str] = typer.Option(None, help="any SQLAlchemy URL, e.g. postgresql://..."),
        n_jobs: int = typer.Option(1, help="parallel workers"),
        executor: str = typer.Option("joblib", help="joblib, serial or dask"),
        retry_failed: bool = typer.Option(False, "--retry-failed", help="run failed cells again"),
        report: Optional[Path] = typer.Option(None, help="HTML report to write (default: next to the store)"),
        no_report: bool = typer.Option(False, "--no-report", help="skip the report")) -> None:
    """Run (or resume) a study: finished runs are skipped, in-flight runs of dead workers redone;
    then fit its curves and write the HTML report."""
    try:
        study = sl.Study(sl.StudySpec.from_toml(spec), store=url or str(db))
        console.print(str(study.run(n_jobs=n_jobs, executor=executor, retry_failed=retry_failed)), soft_wrap=True)
        if not no_report:
            target = report or (db.with_suffix(".report.html") if url is None else Path("scalinglab-report.html"))
            _write(study, target, target=None, bootstrap=1000)
    except sl.ScalingLabError as exc:
        _fail(exc)


def _write(study, out: Path, *, target, bootstrap: int) -> None:
    with console.status("fitting laws, bootstrapping, planning"):
        analysis = sl.analysis.analyse_study(study, target=target, bootstrap=bootstrap)
    _render(analysis, out)


def _render(analysis, out: Path) -> None:
    from .demo import print_analysis
    print_analysis(analysis)
    with console.status("writing the report"):
        sl.report.write_report(analysis, out)
    console.print(f"wrote {out}")


def report_from_store(db: str, name: Optional[str], out: Path, *, target, bootstrap: int) -> None:
    """Rebuild the study from its stored spec and runs (no training) and write its report."""
    from scalinglab.experiment.runner import curves_from_runs
    store = Store(db)
    names = store.study_names()
    if not names:
        raise sl.ScalingLabError(f"no study in {db}")
    name = name or names[-1]
    sid = store.study_by_name(name)
    df = store.frame(sid)
    curves = curves_from_runs(df, name=name)
    with console.status("fitting laws, bootstrapping, planning"):
        analysis = sl.analysis.analyse_curves(curves, title=f"Study {name}", target=target, bootstrap=bootstrap,
                                              runs=df, failures=df[df["status"] == "FAILED"],
                                              spec=store.study_spec(sid))
    _render(analysis, out)


@study_app.command("status")
def status(db: str = typer.Argument(..., help="SQLite file or SQLAlchemy URL")) -> None:
    """Runs per study and status, and the failures."""
    try:
        store = Store(db)
        table = Table(title=f"studies in {db}")
        for col in ("study", "complete", "failed", "running", "median train s"):
            table.add_column(col)
        for name in store.study_names():
            df = store.frame(store.study_by_name(name))
            counts = df["status"].value_counts()
            table.add_row(name, *(str(counts.get(s, 0)) for s in ("COMPLETE", "FAILED", "RUNNING")),
                          f"{df['train_time'].median():.3g}" if len(df) else "—")
            for row in df[df["status"] == "FAILED"].itertuples():
                console.print(f"[yellow]failed[/yellow] {name}: {row.estimator} size {row.size} seed {row.seed}: "
                              f"{str(row.error).splitlines()[0]}", soft_wrap=True)
        console.print(table)
    except sl.ScalingLabError as exc:
        _fail(exc)


@study_app.command("export")
def export(db: str = typer.Argument(..., help="SQLite file or SQLAlchemy URL"),
           csv: Path = typer.Option(..., help="output CSV, one row per run"),
           study: Optional[str] = typer.Option(None, help="study name (default: all)")) -> None:
    """Write the runs to CSV (fit them with `scalinglab fit OUT --x size --y value --seed-col seed`)."""
    try:
        import pandas as pd
        store = Store(db)
        names = [study] if study else store.study_names()
        frames = [store.frame(store.study_by_name(n)).assign(study=n) for n in names]
        out = pd.concat(frames) if frames else pd.DataFrame()
        out.to_csv(csv, index=False)
        console.print(f"wrote {len(out)} runs to {csv}")
    except sl.ScalingLabError as exc:
        _fail(exc)
