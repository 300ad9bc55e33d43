"""``scalinglab quality``: data quality as an axis, from one CSV with a quality-level column."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

import scalinglab as sl
from scalinglab import defaults

from ._common import console, reading
from ._output import emit, progress


def quality(file: Path = typer.Argument(..., exists=True, dir_okay=False, help="runs (CSV), one row per run"),
            level_col: str = typer.Option(..., "--level-col", help="column with each run's quality level"),
            levels: str = typer.Option("noise_rate", help="the levels are noise rates in [0, 1) (noise_rate) or "
                                                           "qualities in (0, 1], 1 = cleanest (quality)"),
            x: str = typer.Option("n", "--x", help="data-size column"),
            y: str = typer.Option("error", "--y", help="metric column (lower is better)"),
            seed_col: Optional[str] = typer.Option(None, "--seed-col", help="seed column"),
            law: str = typer.Option("power_floor", help="law fitted to each level"),
            joint: bool = typer.Option(True, "--joint/--no-joint", help="also fit the joint 'quality' law"),
            target: Optional[float] = typer.Option(None, help="metric to reach"),
            at: Optional[float] = typer.Option(None, "--at", help="size for 'one clean sample is worth k noisy ones' "
                                                                   "(default: the largest measured)"),
            bootstrap: int = typer.Option(1000, help="bootstrap refits per fit"),
            seed: int = typer.Option(0, help="random seed"), level: float = typer.Option(defaults.LEVEL, help="interval level")) -> None:
    """Fit a law per quality level and a joint law whose floor and exponent depend on quality:
    what a clean sample is worth in noisy ones, and where noise puts a floor no data can pass."""
    with reading(file):
        curves = sl.CurveSet.from_csv(file, by=level_col, x=x, y=y, seed=seed_col)
    by_level = {}
    for key, curve in curves.items():
        try:
            by_level[float(key)] = curve
        except ValueError:
            raise sl.ScalingLabError(f"column {level_col!r}: level {key!r} is not a number") from None

    def boot(res, curve):          # the package's one resampling rule (fit.bootstrap.resampling_unit)
        return res.bootstrap(bootstrap, by="auto", seed=seed)

    with progress("fitting each level and the joint law, bootstrapping"), warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        fits = {k: boot(sl.fit(c, law=law), c) for k, c in by_level.items()}
        compared = sl.quality.compare_levels(fits, levels=levels, target=target, level=level)
        answers = []
        if joint:
            stacked = sl.quality.stack(by_level, levels=levels)
            joint_fit = boot(sl.fit(stacked, law="quality"), stacked)
            size = at if at is not None else float(stacked.x[:, 0].max())
            for k in sorted(by_level, key=lambda v: -sl.quality.as_quality(v, levels))[1:]:
                rate = 1 - sl.quality.as_quality(k, levels)
                answers.append(sl.quality.clean_worth(joint_fit, size, rate, level=level))
                answers.append(sl.quality.quality_floor(joint_fit, rate, target=target, level=level))
    out = {"levels": compared, "answers": answers}
    if joint:
        out["joint"] = joint_fit.summary()["params"]
    emit(out)
    table = Table(title=f"One {law} law per level ({level:.0%} intervals)")
    for col in ("level", "exponent", "floor", "worth (noisy per clean sample)"):
        table.add_column(col, justify="right")
    for r in compared.table.itertuples():
        table.add_row(f"{r.level:g}", f"{r.exponent:.3f} ({r.exponent_lo:.3f}–{r.exponent_hi:.3f})",
                      f"{r.floor:.4g} ({r.floor_lo:.4g}–{r.floor_hi:.4g})",
                      f"{r.worth:.3g} ({r.worth_lo:.3g}–{r.worth_hi:.3g}) at {r.size:,.0f}")
    console.print(table)
    console.print(str(compared), soft_wrap=True, markup=False, highlight=False)
    if joint:
        console.print(f"joint law: {joint_fit}", soft_wrap=True, markup=False, highlight=False)
        for a in answers:
            console.print(str(a), soft_wrap=True, markup=False, highlight=False)
