"""``scalinglab powerlaw FILE``: fit a power-law tail, Zipf exponent or spectrum decay."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd
import typer
from rich.progress import track

import scalinglab as sl

from ._common import console


def _column(df: pd.DataFrame, column: Optional[str]) -> np.ndarray:
    if column is None:
        numeric = df.select_dtypes("number")
        if numeric.empty:
            raise sl.ScalingLabError(f"no numeric column in {list(df.columns)}; pass --column")
        column = numeric.columns[0]
    if column not in df.columns:
        raise sl.ScalingLabError(f"column {column!r} not found; the table has {list(df.columns)}")
    return df[column].dropna().to_numpy(float)


def powerlaw(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV file"),
             column: Optional[str] = typer.Option(None, help="column with the values (default: first numeric)"),
             discrete: bool = typer.Option(False, "--discrete", help="whole-number data (Hurwitz-zeta MLE)"),
             xmin: Optional[float] = typer.Option(None, help="fix x_min instead of searching it"),
             xmax: Optional[float] = typer.Option(None, help="upper cut-off"),
             compare: Optional[list[str]] = typer.Option(None, help="alternative(s): " + ", ".join(
                 sl.powerlaws.ALTERNATIVES)),
             gof: int = typer.Option(0, help="bootstrap draws for the goodness-of-fit p-value (0: skip)"),
             zipf: bool = typer.Option(False, "--zipf", help="the values are counts per type: Zipf exponent"),
             spectrum: bool = typer.Option(False, "--spectrum", help="all numeric columns form a matrix: "
                                                                     "singular-value decay"),
             seed: int = typer.Option(0), plot: Optional[Path] = typer.Option(None, help="write a figure")) -> None:
    """Power-law tails (Clauset, Shalizi & Newman 2009), Zipf exponents and spectra."""
    try:
        df = pd.read_csv(file)
        if spectrum:
            console.print(str(sl.powerlaws.spectrum(df.select_dtypes("number").to_numpy(float))), soft_wrap=True)
            return
        values = _column(df, column)
        if zipf:
            z = sl.powerlaws.zipf(values)
            console.print(str(z), soft_wrap=True)
            if plot:
                sl.report.plot_rank_frequency(z, plot)
                console.print(f"wrote {plot}")
            return
        with console.status("searching x_min"):
            fit = sl.powerlaws.fit(values, discrete=discrete, xmin=xmin, xmax=xmax)
        console.print(str(fit), soft_wrap=True)
        for alternative in compare or []:
            console.print(str(fit.compare(alternative)), soft_wrap=True)
        if gof:
            p = fit.gof(gof, seed=seed, progress=lambda it: track(it, description="bootstrap", console=console))
            verdict = "plausible" if p >= 0.1 else "ruled out (p < 0.1)"
            console.print(f"goodness of fit: p = {p:.3f} from {gof} synthetic samples: the power law is {verdict}")
        if plot:
            sl.report.plot_powerlaw(fit, plot)
            console.print(f"wrote {plot}")
    except sl.ScalingLabError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
