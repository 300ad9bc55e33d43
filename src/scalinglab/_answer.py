"""What every one-sentence answer object (a frozen dataclass with a ``__str__``: the plan's
answers) offers besides its sentence: plain data for JSON (``to_dict``, what ``--json`` prints)
and a notebook display (``_repr_html_``)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ._html import table
from ._jsonable import jsonable, records


class Answer:
    """Mixin for a dataclass answer: :meth:`to_dict` and :meth:`_repr_html_`."""

    def to_dict(self) -> dict:
        """Every field as JSON-safe data (tables as lists of records), and the sentence as ``summary``."""
        return {**{f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self)}, "summary": str(self)}

    def _repr_html_(self) -> str:
        """The sentence, above the scalar fields as a two-column table (Jupyter's display)."""
        rows = [[f.name, getattr(self, f.name)] for f in dataclasses.fields(self) if _scalar(getattr(self, f.name))]
        return table(["field", "value"], rows, title=type(self).__name__, notes=[str(self)])


def plain(value):
    """JSON-safe data: a table as records, an object with ``to_dict`` as its dict, containers recursively."""
    if isinstance(value, pd.DataFrame):
        return records(value)
    if hasattr(value, "to_dict") and not isinstance(value, (dict, pd.Series)):
        return value.to_dict()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return jsonable(value)


def _scalar(value) -> bool:
    """Numbers, strings and pairs of numbers go in the table; arrays and tables do not."""
    if value is None or isinstance(value, (str, bool, int, float, np.number, np.bool_)):
        return True
    return isinstance(value, (tuple, list)) and len(value) == 2 and all(
        isinstance(v, (int, float, np.number)) for v in value)
