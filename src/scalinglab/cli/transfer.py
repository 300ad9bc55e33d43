"""``scalinglab transfer``: effective data transferred (Hernandez et al. 2021) from two CSVs."""

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


def _scratch_fits(path: Path, x: str, y: str, n: Optional[str], seed_col: Optional[str], law: str,
                  joint_law: Optional[str], bootstrap: int, seed: int):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        if joint_law is not None:
            if n is None:
                raise sl.ScalingLabError("--joint-law fits L(N, D): give the model-size column with --n")
            curve = sl.Curve.from_csv(path, x=[n, x], y=y, seed=seed_col)
            return sl.fit(curve, law=joint_law).bootstrap(bootstrap, by="auto", seed=seed)
        if n is None:
            curve = sl.Curve.from_csv(path, x=x, y=y, seed=seed_col)
            return sl.fit(curve, law=law).bootstrap(bootstrap, by="auto", seed=seed)
        curves = sl.CurveSet.from_csv(path, by=n, x=x, y=y, seed=seed_col)
        return {key: sl.fit(c, law=law).bootstrap(bootstrap, by="auto", seed=seed) for key, c in curves.items()}


def transfer(scratch: Path = typer.Argument(..., exists=True, dir_okay=False, help="from-scratch runs (CSV)"),
             finetuned: Path = typer.Argument(..., exists=True, dir_okay=False, help="fine-tuned runs (CSV)"),
             x: str = typer.Option("D", "--x", help="data-size column (D from scratch, D_F fine-tuned)"),
             y: str = typer.Option("loss", "--y", help="loss column"),
             n: Optional[str] = typer.Option(None, "--n", help="model-size column N, when there are several sizes"),
             seed_col: Optional[str] = typer.Option(None, "--seed-col", help="seed column"),
             law: str = typer.Option(defaults.LAW, help="law fitted to each from-scratch curve (one per N)"),
             joint_law: Optional[str] = typer.Option(None, "--joint-law", help="one joint L(N, D) law instead "
                                                                                "(kaplan, as Hernandez et al., or chinchilla)"),
             at: Optional[float] = typer.Option(None, "--at", help="D_F of the answer (default: largest fine-tuned)"),
             at_n: Optional[float] = typer.Option(None, "--at-n", help="N of the answer (default: largest)"),
             target: Optional[float] = typer.Option(None, help="loss to reach: share of the from-scratch data need"),
             bootstrap: int = typer.Option(1000, help="bootstrap refits of each from-scratch fit"),
             seed: int = typer.Option(0, help="random seed"), level: float = typer.Option(defaults.LEVEL, help="interval level")) -> None:
    """What pretraining is worth: D_E, D_T = D_E - D_F per fine-tuned cell, D_T = k D_F^a N^b, and
    the share of your data need (Hernandez et al. 2021, 'Scaling Laws for Transfer')."""
    with progress("fitting the from-scratch law, bootstrapping"), reading(scratch):
        fits = _scratch_fits(scratch, x, y, n, seed_col, law, joint_law, bootstrap, seed)
    with reading(finetuned):
        ft = sl.Curve.from_csv(finetuned, x=[n, x] if n else x, y=y, seed=seed_col)
    eff = sl.transfer.effective_data(fits, ft, seed=seed, level=level)
    tfit = sl.transfer.fit_transfer(eff, seed=seed)
    d_f = at if at is not None else float(eff.table["D_F"].max())
    n_at = (at_n if at_n is not None else float(eff.table["N"].max())) if tfit.has_beta else None
    worth = sl.transfer.worth(tfit, d_f, n=n_at, target=target)
    emit({"effective": eff, "fit": tfit, "worth": worth})
    table = Table(title=f"Effective data ({level:.0%} intervals)")
    for col in ("N", "D_F", "loss", "D_E", "D_T", "interval", "×", "status"):
        table.add_column(col, justify="left" if col == "status" else "right")
    for r in eff.table.itertuples():
        table.add_row("—" if r.N != r.N else f"{r.N:,.0f}", f"{r.D_F:,.0f}", f"{r.loss:.4g}", f"{r.D_E:,.4g}",
                      f"{r.D_T:,.4g}", f"{r.D_T_lo:,.4g} – {r.D_T_hi:,.4g}", f"{r.multiplier:.3g}", r.status)
    console.print(table)
    for text in (str(eff), str(tfit), *(f"note: {w}" for w in tfit.warnings), str(worth)):
        console.print(text, soft_wrap=True, markup=False, highlight=False)
