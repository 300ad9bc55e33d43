"""``scalinglab powerlaw FILE``: fit a power-law tail, Zipf exponent or spectrum decay."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer
from rich.progress import track

import scalinglab as sl

from ._common import console
from ._output import MODE, emit, note, progress
from ._table import figure_path, numeric_column, numeric_frame, read_csv

if TYPE_CHECKING:
    import numpy as np

#: The most bootstrap draws the command runs (2,500 give the p-value to ±0.01, Clauset et al.
#: 2009, §4.1); more only takes longer.
MAX_GOF = 10_000


def _values(df, column: Optional[str], file: Path) -> np.ndarray:
    if column is None:
        names = [c for c in df.columns if df[c].dtype.kind in "iuf"]
        if not names:
            raise sl.ScalingLabError(f"{file}: no numeric column in {list(df.columns)}; pass --column")
        column = names[0]
    return numeric_column(df, column, file)


def _check_options(gof: int, seed: int, xmin, xmax) -> None:
    if not 0 <= gof <= MAX_GOF:
        raise sl.ScalingLabError(f"--gof must be between 0 and {MAX_GOF:,} bootstrap draws, got {gof}")
    if seed < 0:
        raise sl.ScalingLabError(f"--seed must be >= 0, got {seed}")
    for name, value in (("--xmin", xmin), ("--xmax", xmax)):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise sl.ScalingLabError(f"{name} must be a positive finite number, got {value}")


def powerlaw(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV file"),
             column: Optional[str] = typer.Option(None, help="column with the values (default: first numeric)"),
             discrete: bool = typer.Option(False, "--discrete", help="whole-number data (Hurwitz-zeta MLE)"),
             xmin: Optional[float] = typer.Option(None, help="fix x_min instead of searching it"),
             xmax: Optional[float] = typer.Option(None, help="upper cut-off"),
             compare: Optional[list[str]] = typer.Option(None, help="alternative(s): " + ", ".join(
                 sl.powerlaws.ALTERNATIVES)),
             gof: int = typer.Option(0, help=f"bootstrap draws for the goodness-of-fit p-value (0: skip; at most "
                                             f"{MAX_GOF:,})"),
             zipf: bool = typer.Option(False, "--zipf", help="the values are counts per type: Zipf exponent"),
             spectrum: bool = typer.Option(False, "--spectrum", help="all numeric columns form a matrix: "
                                                                     "singular-value decay"),
             seed: int = typer.Option(0), plot: Optional[Path] = typer.Option(None, help="write a figure")) -> None:
    """Power-law tails (Clauset, Shalizi & Newman 2009), Zipf exponents and spectra."""
    # errors and warnings become one line each in SafeGroup, as for every command
    _check_options(gof, seed, xmin, xmax)
    for alternative in compare or []:
        if alternative not in sl.powerlaws.ALTERNATIVES:
            raise sl.ScalingLabError(f"--compare must be one of {', '.join(sl.powerlaws.ALTERNATIVES)}, "
                                     f"got {alternative!r}")
    plot = figure_path(plot)
    _run(read_csv(file), file, column, discrete, xmin, xmax, compare, gof, zipf, spectrum, seed, plot)


def _run(df, file, column, discrete, xmin, xmax, compare, gof, zipf, spectrum, seed, plot) -> None:
    if spectrum:
        result = sl.powerlaws.spectrum(numeric_frame(df, None, file))
        console.print(str(result), soft_wrap=True)
        emit(result)
        return
    values = _values(df, column, file)
    if zipf:
        z = sl.powerlaws.zipf(values)
        console.print(str(z), soft_wrap=True)
        emit(z)
        if plot:
            sl.report.plot_rank_frequency(z, plot)
            note(f"wrote {plot}")
        return
    with progress("searching x_min"):
        fit = sl.powerlaws.fit(values, discrete=discrete, xmin=xmin, xmax=xmax)
    console.print(str(fit).split("\nwarning")[0], soft_wrap=True)
    answer = {"fit": fit}
    for alternative in compare or []:
        if fit.discrete or fit.xmax is not None:
            raise sl.ScalingLabError("--compare works on continuous data without --xmax only")
        comparison = fit.compare(alternative)
        console.print(str(comparison), soft_wrap=True)
        answer.setdefault("compare", {})[alternative] = comparison
    if gof:
        shown = not (MODE.json or MODE.quiet)
        p = fit.gof(gof, seed=seed,
                    progress=(lambda it: track(it, description="bootstrap", console=console)) if shown else None)
        verdict = "plausible" if p >= 0.1 else "ruled out (p < 0.1)"
        console.print(f"goodness of fit: p = {p:.3f} from {gof} synthetic samples: the power law is {verdict}")
        answer["gof"] = {"p": p, "draws": gof, "plausible": bool(p >= 0.1)}
    emit(answer)
    if plot:
        sl.report.plot_powerlaw(fit, plot)
        note(f"wrote {plot}")
