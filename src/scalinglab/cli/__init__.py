"""Command line: a thin layer over the public API (parse, call, print with rich).

``scalinglab fit | demo | laws`` live here; ``plan ...`` and ``samplesize ...`` in their modules.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

import scalinglab as sl

from scalinglab._files import safe_stems
from scalinglab import defaults

from ._common import (DEBUG_ENV, SafeGroup, console, figure_file, non_negative_seed, output_file, output_folder,
                      resamples, workers)
from ._common import level as check_level
from ._curves import has_several, read_curves, suffixed
from ._output import add_output_options, emit, note, progress

# SafeGroup: every command's error becomes one line on stderr and an exit status (see _common).
# Locals are never shown in a --debug traceback: they may hold a store URL's password.
app = typer.Typer(cls=SafeGroup, help="scalinglab: how much data do we need, and what will more of it buy us?",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"scalinglab {sl.__version__}")
        raise typer.Exit()


@app.callback()
def main(debug: bool = typer.Option(False, "--debug", envvar=DEBUG_ENV, help="let unexpected errors through "
                                    "with their traceback (for a bug report)"),
         version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version,
                                      help="print scalinglab's version and exit")) -> None:
    """scalinglab: how much data do we need, and what will more of it buy us?

    Every command takes --json (its answer as JSON on stdout, nothing else there) and --quiet
    (no progress or notes). Errors exit with status 2 and one line naming the file, column or
    option at fault; a bug in scalinglab exits with status 3 (rerun with --debug for its traceback)."""


def _fmt(value: float) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.4g}"


def _print_result(answers) -> None:
    """Format what the pipeline computed (:func:`scalinglab.pipeline.fit_answers`); asks nothing itself."""
    res, level, has_draws = answers.result, answers.level, answers.has_intervals
    if res.selection is not None:
        table = Table(title="Candidate laws (backtest: RMSE of log y on the largest held-out sizes)")
        for col in ("law", "params", "backtest", "AIC", "BIC", "status"):
            table.add_column(col, justify="right" if col not in ("law", "status") else "left")
        for name, row in res.selection.iterrows():
            style = "bold green" if name == res.law.name else None
            table.add_row(name, str(row["n_params"]), _fmt(row["backtest"]), _fmt(row["aic"]), _fmt(row["bic"]),
                          escape(str(row["status"])), style=style)
        console.print(table)
        console.print(f"[bold]Chosen:[/bold] {escape(str(res.selection_reason))}")
    table = Table(title=escape(f"{res.law.name} fit: {res.law.citation}"))
    table.add_column("parameter")
    table.add_column("estimate", justify="right")
    if has_draws:
        table.add_column(f"{level:.0%} interval", justify="right")
    table.add_column("note")
    bounds = res.at_bounds
    for name, value in res.params.items():
        note = "fixed" if name in res.fixed else ("at bound" if bounds[name] else "")
        row = [name, _fmt(value)]
        if has_draws:
            lo, hi = res.interval(name, level)
            row.append(f"{_fmt(lo)} – {_fmt(hi)}")
        table.add_row(*row, note)
    console.print(table)
    console.print(f"objective {res.objective:.6g} ({res.loss} loss on {res.space} residuals), "
                  f"{res.curve.n} points, {res.curve.n_distinct} sizes, converged: {res.converged}"
                  + (f", {len(res.draws)} bootstrap draws by {res.bootstrap_by}" if res.draws is not None else ""))
    if answers.no_interval:
        console.print(f"[yellow]no {level:.0%} intervals:[/yellow] {answers.no_interval}")
    for p in answers.predictions:
        extra = "" if p.interval is None else f" ({level:.0%} interval {_fmt(p.interval[0])} – {_fmt(p.interval[1])})"
        console.print(f"predicted {res.curve.metric} at {p.factor}x the largest size ({p.size:,.0f}): "
                      f"{_fmt(p.value)}{extra}", markup=False)
    for message in res.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(message)}")


def _run_fit(curve: sl.Curve, law: str, loss: str, delta: Optional[float], space: str, bootstrap: int, by: str,
             seed: int, level: float, save: Optional[Path], plot: Optional[Path]) -> sl.FitResult:
    status = f"fitting, then bootstrap: refitting {bootstrap} resamples by {by}" if bootstrap else "fitting"
    with warnings.catch_warnings(), progress(status):
        warnings.simplefilter("ignore", sl.ScalingLabWarning)  # printed below, once
        answers = sl.pipeline.fit_answers(curve, law=law, loss=loss, delta=delta, space=space, n_boot=bootstrap,
                                          by=by, seed=seed, level=level)
    _print_result(answers)
    res = answers.result
    if save:
        res.to_json(save)
        note(f"wrote {save}")
    if plot:
        sl.report.plot_fit(res, plot, level=level)
        note(f"wrote {plot}")
    return res


@app.command()
def fit(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV file with one row per run"),
    x: str = typer.Option(..., "--x", help="column with the size (samples, tokens, N)"),
    x2: Optional[str] = typer.Option(None, "--x2", help="second size column for joint laws (e.g. D)"),
    y: str = typer.Option(..., "--y", help="column with the metric"),
    law: str = typer.Option(defaults.LAW, help="law name or 'auto' (see `scalinglab laws`)"),
    loss: str = typer.Option("huber", help="huber or squared"),
    delta: Optional[float] = typer.Option(None, help="Huber threshold (default 1e-3; huber loss only)"),
    space: str = typer.Option("log", help="fit log residuals (log) or raw ones (linear)"),
    higher_is_better: bool = typer.Option(False, "--higher-is-better",
                                          help="y is an accuracy-like metric (fitted as 1 - y, reported as y)"),
    seed_col: Optional[str] = typer.Option(None, "--seed-col", help="column with the seed of each run"),
    curve_col: Optional[str] = typer.Option(None, "--curve", help="column naming the curves (e.g. estimator): one "
                                            "fit each; --save/--plot then write one file per curve (FILE-<name>)"),
    bootstrap: int = typer.Option(0, callback=resamples, help="number of bootstrap refits (0: none)"),
    by: str = typer.Option("auto", help="bootstrap unit: auto (seeds when there are >= 5, else points), "
                                        "point, seed (needs --seed-col and >= 5 seeds) or group"),
    seed: int = typer.Option(0, callback=non_negative_seed, help="random seed of the bootstrap"),
    level: float = typer.Option(defaults.LEVEL, callback=check_level, help="interval level"),
    save: Optional[Path] = typer.Option(None, "--save", callback=output_file,
                                        help="write the fit as JSON (FIT.json, what `plan` reads); `--json FILE.json` "
                                             "(this option's earlier name) still works"),
    plot: Optional[Path] = typer.Option(None, "--plot", callback=figure_file, help="write a figure (PNG or SVG)"),
) -> None:
    """Fit a scaling law to a CSV file and print parameters, intervals and warnings.

    A file with several curves (e.g. from `study export`: a column 'estimator' with several
    values, or rows repeating a (size, seed) pair) is refused unless --curve names the column
    that tells them apart. With --json the fit is printed as the JSON that --save writes (an
    object keyed by curve name with --curve)."""
    curves = read_curves(file, x=[x, x2] if x2 else x, y=y, curve=curve_col, seed=seed_col,
                         higher_is_better=higher_is_better)
    stems = safe_stems(curves)
    for name, curve in curves.items():
        if has_several(curves):
            console.rule(escape(f"{curve_col} = {name}"), style="bold")
        per_curve = (lambda path: suffixed(path, name, stems) if path is not None and has_several(curves) else path)
        res = _run_fit(curve, law, loss, delta, space, bootstrap, by, seed, level, per_curve(save), per_curve(plot))
        emit(json.loads(res.to_json()), name if has_several(curves) else None)


@app.command("demo")
def demo_command(out: Path = typer.Option(Path("demo-output"), callback=output_folder,
                                  help="folder for the store, figures and JSON"),
         n_jobs: int = typer.Option(2, callback=workers, help="parallel workers"),
         bootstrap: int = typer.Option(1000, callback=resamples, help="bootstrap refits per fit")) -> None:
    """The main job: a real data-scaling study on offline data (scikit-learn's digits; logistic
    regression and a random forest; 7 training-set sizes; 5 seeds), stored in SQLite, fitted
    with law="auto", with answers and figures written to OUT."""
    from .demo import run_demo
    run_demo(out, n_jobs=n_jobs, bootstrap=bootstrap)


@app.command()
def report(source: str = typer.Argument(..., help="study store (SQLite file or SQLAlchemy URL), or a CSV of runs"),
           study: Optional[str] = typer.Option(None, help="study name (default: the only or the last one)"),
           x: Optional[str] = typer.Option(None, "--x", help="CSV only: size column"),
           y: Optional[str] = typer.Option(None, "--y", help="CSV only: metric column"),
           seed_col: Optional[str] = typer.Option(None, "--seed", help="CSV only: seed column (bootstrap by seed)"),
           curve: Optional[str] = typer.Option(None, "--curve", help="CSV only: column naming the curves "
                                                                      "(e.g. estimator): one section each"),
           higher_is_better: bool = typer.Option(False, "--higher-is-better", help="CSV only: y is an accuracy"),
           out: Path = typer.Option(Path("scalinglab-report.html"), "--out", "-o", callback=output_file,
                                    help="HTML file to write"),
           target: Optional[float] = typer.Option(None, help="metric to reach (default: 75 % of today's)"),
           bootstrap: int = typer.Option(1000, callback=resamples, help="bootstrap refits per fit"),
           advise_json: Optional[Path] = typer.Option(None, "--advise-json",
                                                      help="add an advisor section: a file written by "
                                                           "'scalinglab advise --json'")) -> None:
    """Fit every curve and write one self-contained HTML report: of a stored study (with
    quality / transfer sections for a study with a quality or starts axis), or of the runs in a
    CSV file (SOURCE ending in .csv, with --x and --y; e.g. `study export --csv`'s output, or
    your own runs)."""
    from .study import report_from_csv, report_from_store
    csv_only = {"--x": x, "--y": y, "--seed": seed_col, "--curve": curve}
    if source.lower().endswith(".csv"):
        if study is not None:
            raise sl.ScalingLabError("--study names a study in a store; a CSV holds runs (use --curve to tell "
                                     "its curves apart)")
        report_from_csv(Path(source), out, x=x, y=y, seed=seed_col, curve=curve, higher_is_better=higher_is_better,
                        target=target, bootstrap=bootstrap, advice_path=advise_json)
        return
    given = [name for name, value in csv_only.items() if value is not None] + \
        (["--higher-is-better"] if higher_is_better else [])
    if given:
        raise sl.ScalingLabError(f"{', '.join(given)}: for a CSV of runs (a file ending in .csv); {source} is read "
                                 "as a study store")
    report_from_store(source, study, out, target=target, bootstrap=bootstrap, advice_path=advise_json)


@app.command()
def laws() -> None:
    """List the registered laws with their parameters and sources."""
    table = Table(title="Registered laws")
    for col in ("name", "inputs", "parameters", "source"):
        table.add_column(col)
    rows = []
    for name in sl.available_laws():
        law = sl.get_law(name)
        table.add_row(name, str(law.n_inputs), ", ".join(law.param_names), law.citation)
        rows.append({"name": name, "inputs": law.n_inputs, "parameters": list(law.param_names),
                     "source": law.citation})
    console.print(table)
    emit(rows)


# the command modules by their own names (a command function bound to a module's name would
# hide the module: scalinglab.cli.advise must stay the module)
from . import advise, backtest, literature, plan, powerlaw, quality, samplesize, study, transfer  # noqa: E402

app.add_typer(plan.plan_app, name="plan")
app.add_typer(samplesize.samplesize_app, name="samplesize")
app.add_typer(study.study_app, name="study")
app.command("powerlaw")(powerlaw.powerlaw)
app.command("literature")(literature.literature)
app.command("backtest")(backtest.backtest)
app.command("extrapolate")(backtest.extrapolate)
app.command("advise")(advise.advise)
app.command("transfer")(transfer.transfer)
app.command("quality")(quality.quality)
add_output_options(app)          # --json and --quiet on every command (see _output)

if __name__ == "__main__":  # pragma: no cover
    app()
