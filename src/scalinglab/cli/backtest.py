"""``scalinglab backtest FILE.csv`` (how well each method would have extrapolated your curves)
and ``scalinglab extrapolate FILE.csv --at N`` (the ensemble forecast with calibrated intervals)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

import scalinglab as sl

from ._common import console, resamples, workers
from ._output import MODE, emit
from ._curves import read_curves


def _read_curves(file: Path, x: str, y: str, curve: Optional[str]) -> dict[str, sl.Curve]:
    """The file's curves (several only with --curve: see _curves); one unnamed curve is "curve"."""
    return {name or "curve": c for name, c in read_curves(file, x=x, y=y, curve=curve).items()}


def backtest(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV, one row per run"),
             x: str = typer.Option(..., "--x", help="size column"),
             y: str = typer.Option(..., "--y", help="metric column (lower is better)"),
             curve: Optional[str] = typer.Option(None, help="column naming the curve (e.g. learner)"),
             n_boot: int = typer.Option(50, callback=resamples, help="bootstrap refits per fit for the intervals"),
             n_jobs: int = typer.Option(1, callback=workers, help="processes")) -> None:
    """Fit on the first half of each curve's sizes, predict the rest, and compare the methods."""
    curves = _read_curves(file, x, y, curve)
    shown = not (MODE.json or MODE.quiet)
    report = sl.backtest.run(curves, n_boot=n_boot, n_jobs=n_jobs,
                             progress=(lambda message: console.print(message, style="dim", markup=False)) if shown
                             else None)
    console.print(str(report), markup=False)
    console.print(f"intervals: {report.calibration}", style="dim", markup=False)
    auto = report.rows[report.rows["method"] == "auto"]
    console.print(auto[["curve", "category", "law", "evidence"]].to_string(index=False), soft_wrap=True, markup=False)
    ill = auto[auto["category"].isin(sl.backtest.ILL_BEHAVED)]
    for _, row in ill.iterrows():
        console.print(f"[yellow]warning:[/yellow] {escape(str(row['curve']))} is {row['category']} "
                      f"({escape(str(row['evidence']))}): "
                      "auto used the ensemble instead of a single fit")
    emit({"summary": str(report), "calibration": str(report.calibration), "rows": report.rows})


def extrapolate(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV, one row per run"),
                x: str = typer.Option(..., "--x", help="size column"),
                y: str = typer.Option(..., "--y", help="metric column (lower is better)"),
                at: list[float] = typer.Option(..., "--at", help="size(s) to predict; repeat the option"),
                curve: Optional[str] = typer.Option(None, help="column naming the curves, one forecast each")) -> None:
    """Predict the metric at larger sizes: the default forecast (five laws averaged), calibrated intervals."""
    curves = _read_curves(file, x, y, curve)
    for name, c in curves.items():
        table = sl.extrapolate(c, at)
        if curve:
            console.print(name, style="bold", markup=False)
        console.print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}",
                                      formatters={"size": lambda v: f"{v:.0f}"}), soft_wrap=True, markup=False)
        emit(table, name if curve else None)
