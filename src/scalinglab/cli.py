"""Command line: a thin layer over the public API (parse, call, print with rich)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Optional

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

import scalinglab as sl

app = typer.Typer(help="scalinglab: how much data do we need, and what will more of it buy us?",
                  no_args_is_help=True, add_completion=False)
console = Console()


def _fmt(value: float) -> str:
    return "—" if value is None or not np.isfinite(value) else f"{value:.4g}"


def _print_result(res: sl.FitResult, level: float) -> None:
    if res.selection is not None:
        table = Table(title="Candidate laws (backtest: RMSE of log y on the largest held-out sizes)")
        for col in ("law", "params", "backtest", "AIC", "BIC", "status"):
            table.add_column(col, justify="right" if col not in ("law", "status") else "left")
        for name, row in res.selection.iterrows():
            style = "bold green" if name == res.law.name else None
            table.add_row(name, str(row["n_params"]), _fmt(row["backtest"]), _fmt(row["aic"]), _fmt(row["bic"]),
                          row["status"], style=style)
        console.print(table)
        console.print(f"[bold]Chosen:[/bold] {res.selection_reason}")
    has_draws = res.draws is not None and len(res.draws) > 0
    table = Table(title=f"{res.law.name} fit: {res.law.citation}")
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
                  + (f", {len(res.draws)} bootstrap draws by {res.bootstrap_by}" if has_draws else ""))
    if res.curve.n_inputs == 1:
        biggest = float(res.curve.x.max())
        sizes = np.array([2.0, 10.0]) * biggest
        pred = res.predict(sizes, interval=level) if has_draws else None
        for i, (k, size) in enumerate(zip((2, 10), sizes)):
            value = res.predict([size])[0]
            extra = f" ({level:.0%} interval {_fmt(pred.lo[i])} – {_fmt(pred.hi[i])})" if has_draws else ""
            console.print(f"predicted {res.curve.metric} at {k}x the largest size ({size:,.0f}): {_fmt(value)}{extra}")
    for message in res.warnings:
        console.print(f"[yellow]warning:[/yellow] {message}")


def _run_fit(curve: sl.Curve, law: str, loss: str, delta: float, space: str, bootstrap: int, by: str,
             seed: int, level: float, json_out: Optional[Path], plot: Optional[Path]) -> sl.FitResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)  # printed below, once
        res = sl.fit(curve, law=law, loss=loss, delta=delta, space=space)
    if bootstrap:
        with console.status(f"bootstrap: refitting {bootstrap} resamples by {by}"):
            res = res.bootstrap(bootstrap, by=by, seed=seed)
    _print_result(res, level)
    if json_out:
        res.to_json(json_out)
        console.print(f"wrote {json_out}")
    if plot:
        sl.report.plot_fit(res, plot, level=level)
        console.print(f"wrote {plot}")
    return res


@app.command()
def fit(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV file with one row per run"),
    x: str = typer.Option(..., "--x", help="column with the size (samples, tokens, N)"),
    x2: Optional[str] = typer.Option(None, "--x2", help="second size column for joint laws (e.g. D)"),
    y: str = typer.Option(..., "--y", help="column with the metric"),
    law: str = typer.Option("auto", help="law name or 'auto' (see `scalinglab laws`)"),
    loss: str = typer.Option("huber", help="huber or squared"),
    delta: float = typer.Option(1e-3, help="Huber threshold"),
    space: str = typer.Option("log", help="fit log residuals (log) or raw ones (linear)"),
    higher_is_better: bool = typer.Option(False, "--higher-is-better", help="y is an accuracy: use 1 - y"),
    seed_col: Optional[str] = typer.Option(None, "--seed-col", help="column with the seed of each run"),
    bootstrap: int = typer.Option(0, help="number of bootstrap refits (0: none)"),
    by: str = typer.Option("point", help="bootstrap unit: point, seed (needs --seed-col) or group"),
    seed: int = typer.Option(0, help="random seed of the bootstrap"),
    level: float = typer.Option(0.95, help="interval level"),
    json_out: Optional[Path] = typer.Option(None, "--json", help="write the result as JSON"),
    plot: Optional[Path] = typer.Option(None, "--plot", help="write a figure (PNG or SVG)"),
) -> None:
    """Fit a scaling law to a CSV file and print parameters, intervals and warnings."""
    try:
        curve = sl.Curve.from_csv(file, x=[x, x2] if x2 else x, y=y, seed=seed_col,
                                  higher_is_better=higher_is_better)
        _run_fit(curve, law, loss, delta, space, bootstrap, by, seed, level, json_out, plot)
    except sl.ScalingLabError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


@app.command()
def demo(out: Path = typer.Option(Path("demo-output"), help="folder for the figure and JSON"),
         bootstrap: int = typer.Option(1000, help="bootstrap refits")) -> None:
    """Fit the bundled real learning curve (digits, logistic regression) with law='auto'."""
    out.mkdir(parents=True, exist_ok=True)
    curve = sl.example_curve()
    console.print(f"[bold]Example:[/bold] {sl.examples.EXAMPLES['digits_logreg']}")
    res = _run_fit(curve, "auto", "huber", 1e-3, "log", bootstrap, "seed", 0, 0.8,
                   out / "fit.json", out / "fit.png")
    if bootstrap:
        target = 0.75 * float(res.predict([curve.x.max()])[0])
        for answer in (sl.plan.regime(res), sl.plan.data_for(res, target), sl.plan.next_tranche(res, target)):
            console.print(f"[bold]→[/bold] {answer}", soft_wrap=True)


@app.command()
def laws() -> None:
    """List the registered laws with their parameters and sources."""
    table = Table(title="Registered laws")
    for col in ("name", "inputs", "parameters", "source"):
        table.add_column(col)
    for name in sl.available_laws():
        law = sl.get_law(name)
        table.add_row(name, str(law.n_inputs), ", ".join(law.param_names), law.citation)
    console.print(table)


plan_app = typer.Typer(help="Decisions from a fit: a JSON saved by `scalinglab fit --json`, or a CSV "
                            "fitted on the fly (law auto) with --x/--y.", no_args_is_help=True)
app.add_typer(plan_app, name="plan")

FIT_ARG = typer.Argument(..., exists=True, dir_okay=False, help="fit JSON (from `fit --json`) or a CSV")
X_OPT = typer.Option(None, "--x", help="CSV only: size column")
X2_OPT = typer.Option(None, "--x2", help="CSV only: second size column (D) for joint laws")
Y_OPT = typer.Option(None, "--y", help="CSV only: metric column")
LEVEL_OPT = typer.Option(0.8, help="interval level")


def _load_fit(source: Path, x: Optional[str], x2: Optional[str], y: Optional[str]) -> sl.FitResult:
    if source.suffix.lower() == ".json":
        return sl.FitResult.from_json(source)
    if not (x and y):
        raise sl.ScalingLabError("a CSV needs --x and --y (and --x2 for joint data)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return sl.fit(sl.Curve.from_csv(source, x=[x, x2] if x2 else x, y=y), law="auto")


def _answer(make) -> None:
    """Run one planning call and print its sentence; user errors exit with code 2."""
    try:
        with console.status("bootstrapping and deciding"):
            answer = make()
        console.print(str(answer), soft_wrap=True)
    except sl.ScalingLabError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


@plan_app.command("target")
def plan_target(fit: Path = FIT_ARG, target: float = typer.Option(..., help="metric to reach"),
                x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
                level: float = LEVEL_OPT) -> None:
    """How much data reaches a target metric."""
    _answer(lambda: sl.plan.data_for(_load_fit(fit, x, x2, y), target, level=level))


@plan_app.command("gain")
def plan_gain(fit: Path = FIT_ARG, factor: float = typer.Option(10.0, help="times the largest size measured"),
              x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
              level: float = LEVEL_OPT) -> None:
    """What k times more data buys."""
    _answer(lambda: sl.plan.gain(_load_fit(fit, x, x2, y), factor=factor, level=level))


@plan_app.command("regime")
def plan_regime(fit: Path = FIT_ARG, x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT,
                y: Optional[str] = Y_OPT, level: float = LEVEL_OPT) -> None:
    """Small-data, power-law or flat zone, with the evidence."""
    _answer(lambda: sl.plan.regime(_load_fit(fit, x, x2, y), level=level))


@plan_app.command("economics")
def plan_economics(fit: Path = FIT_ARG, cost: float = typer.Option(..., help="cost per sample"),
                   value: float = typer.Option(..., help="value per unit of metric improvement"),
                   fixed: float = typer.Option(0.0, help="fixed cost of buying any data"),
                   x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
                   level: float = LEVEL_OPT) -> None:
    """The data size that maximises net value, and the marginal cost of the metric."""
    _answer(lambda: sl.plan.economics(_load_fit(fit, x, x2, y), cost, value, fixed_cost=fixed, level=level))


@plan_app.command("next")
def plan_next(fit: Path = FIT_ARG, target: Optional[float] = typer.Option(None, help="metric to reach"),
              step: float = typer.Option(2.0, help="geometric growth factor"),
              tight: float = typer.Option(0.5, help="stop when (hi - lo) / n of the size needed is below this"),
              x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
              level: float = LEVEL_OPT) -> None:
    """Where to collect next, or why to stop."""
    _answer(lambda: sl.plan.next_tranche(_load_fit(fit, x, x2, y), target, step=step, tight=tight, level=level))


@plan_app.command("compute")
def plan_compute(fit: Path = FIT_ARG, flops: Optional[float] = typer.Option(None, help="training compute budget"),
                 target_loss: Optional[float] = typer.Option(None, help="with --inference-tokens: loss to reach"),
                 inference_tokens: float = typer.Option(0.0, help="tokens to be served over the model's life"),
                 x: Optional[str] = X_OPT, x2: Optional[str] = X2_OPT, y: Optional[str] = Y_OPT,
                 level: float = LEVEL_OPT) -> None:
    """Compute-optimal N and D for a budget (--flops), or the inference-aware optimum for a
    target loss (--target-loss, --inference-tokens)."""
    if (flops is None) == (target_loss is None):
        console.print("[red]error:[/red] give --flops (compute-optimal) or --target-loss (inference-aware)")
        raise typer.Exit(2)
    if flops is not None:
        _answer(lambda: sl.plan.compute_optimal(_load_fit(fit, x, x2, y), flops, level=level))
    else:
        _answer(lambda: sl.plan.inference_optimal(_load_fit(fit, x, x2, y), target_loss, inference_tokens,
                                                  level=level))


if __name__ == "__main__":  # pragma: no cover
    app()
