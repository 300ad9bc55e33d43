"""Small HTML tables for notebooks (``_repr_html_``): Jupyter shows a result as a table instead of
its repr. Every piece of text is escaped (curve, metric and parameter names come from the user)."""

from __future__ import annotations

import math
from html import escape

import numpy as np


def cell(value) -> str:
    """A value for a table cell, escaped: numbers to 4 significant digits, pairs as 'lo – hi'."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return "—" if math.isnan(value) else ("∞" if value == math.inf else ("−∞" if value == -math.inf else f"{value:.4g}"))
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, (int, float, np.number)) for v in value):
        return f"{cell(value[0])} – {cell(value[1])}"
    return escape(str(value))


def table(header: list[str], rows: list[list], *, title: str = "", notes: list[str] = ()) -> str:
    """An HTML table: an escaped caption, header, rows (through :func:`cell`) and notes below."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>" for row in rows)
    caption = f"<caption style='text-align:left'><b>{escape(title)}</b></caption>" if title else ""
    below = "".join(f"<p>{escape(n)}</p>" for n in notes)
    return f"<div class='scalinglab'><table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{below}</div>"
