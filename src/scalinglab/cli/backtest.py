"""``scalinglab backtest FILE.csv``: how well each law would have extrapolated your curves."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
import typer
from rich.progress import track

import scalinglab as sl

from ._common import console


def backtest(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV, one row per run"),
             x: str = typer.Option(..., "--x", help="size column"),
             y: str = typer.Option(..., "--y", help="metric column (lower is better)"),
             curve: Optional[str] = typer.Option(None, help="column naming the curve (e.g. learner)"),
             n_boot: int = typer.Option(100, help="bootstrap refits per fit for the intervals")) -> None:
    """Fit on the first half of each curve's sizes, predict the rest, and compare the laws."""
    try:
        df = pd.read_csv(file)
        missing = [c for c in (x, y, curve) if c and c not in df.columns]
        if missing:
            raise sl.ScalingLabError(f"column(s) {missing} not found; the table has {list(df.columns)}")
        groups = df.groupby(curve) if curve else [("curve", df)]
        curves = {str(k): sl.Curve.from_frame(part, x=x, y=y) for k, part in groups}
        report = sl.backtest.run(curves, n_boot=n_boot,
                                 progress=lambda it: track(it, description="backtesting", console=console))
    except sl.ScalingLabError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    console.print(str(report))
    console.print(report.rows[report.rows["method"] == "auto"][["curve", "category", "law", "evidence"]].to_string(
        index=False), soft_wrap=True)
