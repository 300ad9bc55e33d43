"""``scalinglab literature [QUERY]``: published scaling laws with citations."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

import scalinglab as sl

from ._common import console
from ._output import emit


def literature(query: Optional[str] = typer.Argument(None, help="words to look for, e.g. 'image classification'"),
               domain: Optional[str] = typer.Option(None, help="domain contains, e.g. language"),
               x: Optional[str] = typer.Option(None, "--x", help="data, params or compute"),
               kind: str = typer.Option("loss", help="loss, allocation, hyperparameter, starting_point, other or all"),
               verified: bool = typer.Option(False, "--verified", help="only values seen in the source"),
               rows_files: Optional[list[Path]] = typer.Option(None, "--rows", help="CSV of rows of your own (the "
                                                               "shipped table's columns); repeat for several")) -> None:
    """Published fits (exponents normalised to positive decreasing-law exponents). Rows of your
    own are searched only when given (--rows, or SCALINGLAB_LITERATURE); they are marked 'yours'."""
    searched = sl.literature.table(extra=rows_files or [])
    rows = sl.literature.query(query, domain=domain, x=x, kind=None if kind == "all" else kind,
                               confidence="verified" if verified else None, table=searched)
    table = Table(title=f"{len(rows)} published fit(s)", show_lines=False)
    for col in ("domain", "task", "x", "exponent", "as published", "law", "citation", "confidence"):
        table.add_column(col, overflow="fold")
    for _, r in rows.iterrows():
        exp = "—" if r["exponent_pos"] != r["exponent_pos"] else f"{r['exponent_pos']:.3g}"
        mine = "" if r["source"] == "shipped" else " (yours)"
        cells = (str(r["domain"]), str(r["task"])[:50], r["x_kind"], exp,
                 f"{r['exponent']} ({str(r['exponent_name'])[:20]})", str(r["law_form"])[:40],
                 str(r["citation"])[:70], f"{r['confidence']}{mine}")
        table.add_row(*(escape(cell) for cell in cells))          # the table is data: never rich markup
    console.print(table)
    emit(rows)
