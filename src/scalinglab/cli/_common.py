"""What the command modules share: one console, one way to print an answer or an error."""

from __future__ import annotations

import typer
from rich.console import Console

import scalinglab as sl

console = Console()


def answer(make, status: str = "working") -> None:
    """Run one API call and print its one-sentence result; user errors exit with code 2."""
    try:
        with console.status(status):
            result = make()
        console.print(str(result), soft_wrap=True)
    except sl.ScalingLabError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
