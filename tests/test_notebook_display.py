"""Notebook display (``_repr_html_``) of fit results and plan answers: a small table, every
user-given name escaped, and the numbers the objects hold."""

from __future__ import annotations

import json
import re
import warnings
from html.parser import HTMLParser

import numpy as np
import pytest

import scalinglab as sl


class _Cells(HTMLParser):
    """The text of every table cell, and whether any tag other than a table's appears."""

    def __init__(self):
        super().__init__()
        self.cells, self.tags, self._in = [], set(), False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self._in = tag in ("td", "th")
        if self._in:
            self.cells.append("")

    def handle_data(self, data):
        if self._in:
            self.cells[-1] += data


def _parse(html: str) -> _Cells:
    parser = _Cells()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def fit():
    x = np.repeat(np.geomspace(50, 3200, 7), 5)
    rng = np.random.default_rng(0)
    y = 2.0 * x ** -0.4 + 0.05 + rng.normal(0, 0.002, x.size)
    curve = sl.Curve(x, y, seed=np.tile(np.arange(5), 7), metric="<b>loss</b>")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sl.ScalingLabWarning)
        return sl.fit(curve, law="power_floor").bootstrap(200, seed=0)


def test_fit_result_shows_its_parameters_and_intervals_escaped(fit):
    html = fit._repr_html_()
    parsed = _parse(html)
    assert parsed.tags <= {"div", "table", "caption", "b", "thead", "tbody", "tr", "th", "td", "p"}
    assert "<b>loss</b>" not in html and "&lt;b&gt;loss&lt;/b&gt;" in html      # the user's name, escaped
    assert parsed.cells[:4] == ["parameter", "estimate", "80% interval", "note"]
    for name, value in fit.params.items():
        i = parsed.cells.index(name)
        lo, hi = fit.interval(name)
        assert parsed.cells[i + 1] == f"{value:.4g}" and parsed.cells[i + 2] == f"{lo:.4g} – {hi:.4g}"


def test_fit_without_draws_says_it_has_no_intervals(fit):
    bare = sl.fit(fit.curve, law="power_floor")
    html = bare._repr_html_()
    assert "interval" not in _parse(html).cells[:4] and "no bootstrap draws" in html


def test_plan_answers_show_their_sentence_and_fields(fit):
    for answer in (sl.plan.gain(fit, factor=4), sl.plan.data_for(fit, 0.06), sl.plan.regime(fit),
                   sl.plan.next_tranche(fit, 0.06)):
        html = answer._repr_html_()
        parsed = _parse(html)
        assert parsed.cells[:2] == ["field", "value"]
        assert str(answer).replace("<", "&lt;").replace(">", "&gt;") in html.replace("&#x27;", "'")
        data = answer.to_dict()                         # the same fields as plain JSON
        assert json.loads(json.dumps(data))["summary"] == str(answer)
        shown = dict(zip(parsed.cells[2::2], parsed.cells[3::2]))
        assert set(shown) <= set(data)
        assert "&lt;b&gt;" in html and not re.search(r"<b>loss", html)
