"""One self-contained HTML file per analysis: figures embedded as PNG, no network needed."""

from __future__ import annotations

import base64
import io
from types import SimpleNamespace
from pathlib import Path

import numpy as np
from jinja2 import Environment, PackageLoader, select_autoescape

from .._files import safe_stems
from . import figures

RUN_COLUMNS = ["estimator", "model_size", "size", "seed", "status", "value", "train_time"]


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def _fmt(value) -> str:
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return "—"
        return f"{value:.4g}"
    return "" if value is None else str(value)


def band_note(result, level: float, extrapolate: float = 10.0) -> str:
    """A sentence for the main figure's caption where the bootstrap band lies entirely on one
    side of the fitted line (percentile bands need not contain the estimate: when the estimate
    sits at the edge of its draws, e.g. a parameter at or near a bound that resampling can only
    move one way, every refit predicts more, or less, than the fit to all the data). Empty when
    the band contains the line everywhere on the figure's range."""
    import warnings
    curve = result.curve
    if curve.n_inputs != 1 or result.draws is None or result.interval_unavailable(level):
        return ""
    grid = np.geomspace(curve.x.min(), curve.x.max() * extrapolate, 200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # out-of-range warnings are the fit's own caveats
        band = result.predict(grid, interval=level)
    tol = 1e-9 * np.abs(band.y)
    for side, outside in (("above", band.lo > band.y + tol), ("below", band.hi < band.y - tol)):
        if outside.any():
            a, b = grid[outside].min(), grid[outside].max()
            return (f"From size {a:,.0f} to {b:,.0f} the {level:.0%} band lies entirely {side} the fitted line: "
                    f"there every bootstrap refit predicts {'more' if side == 'above' else 'less'} than the fit "
                    "to all the data, which sits at the edge of its draws (a parameter at or near a bound "
                    "can only be moved one way by resampling). Read the band as the range of outcomes and "
                    "the line as its edge, not its centre.")
    return ""


def spec_rows(spec) -> list[tuple[str, str]]:
    """A study spec as (key, readable value) rows: strings as written (no JSON escapes such as
    \\u0027), lists joined by commas, tables as key: value, missing values left out."""
    def show(value) -> str:
        if isinstance(value, dict):
            return "; ".join(f"{k}: {show(v)}" for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return ", ".join(show(v) for v in value)
        return " ".join(str(value).split())           # a repr's line breaks and indents made one line
    return [(str(k), show(v)) for k, v in (spec or {}).items() if v is not None]


def figure_stems(analysis) -> dict[str, str]:
    """File-name stem of each curve's figures: the curve name made safe (``../../x`` or ``/etc/x``
    never leaves the figure folder) and unique (see :func:`scalinglab._files.safe_stems`)."""
    return safe_stems([c.name for c in analysis.curves])


def render_figures(analysis, folder: Path | None = None) -> dict:
    """Every figure of the analysis as base64 PNG (and PNG + SVG files in ``folder``, named
    ``<stem>-<figure>`` with the curve's stem from :func:`figure_stems`)."""
    out = {}
    stems = figure_stems(analysis)
    for c in analysis.curves:
        figs = {}
        if c.curve.n_inputs == 1:
            figs["main"] = figures.plot_study_curve(c.fit, candidates=c.candidates, target=c.target,
                                                    estimate=c.estimate, level=analysis.level)
            figs["backtest"] = figures.plot_backtest(c.backtest_fit, c.held_out) if c.backtest_fit is not None else None
        else:
            figs["main"] = figures.plot_fit(c.fit, level=analysis.level)
            figs["isoloss"] = (figures.plot_isoloss(c.fit, budgets=c.isoflop_budgets, frontier=c.frontier)
                               if c.fit.law.name == "chinchilla" else None)
        figs["residuals"] = figures.plot_residuals(c.fit)
        figs["bootstrap"] = figures.plot_bootstrap(c.fit) if c.fit.draws is not None else None
        encoded = dict.fromkeys(("main", "residuals", "backtest", "bootstrap", "isoloss"))
        for key, fig in figs.items():
            if fig is None:
                continue
            png = _png(fig)                     # rendered once: embedded, and written if asked
            if folder is not None:
                stem = folder / f"{stems[str(c.name)]}-{key}"
                fig.savefig(stem.with_suffix(".svg"))
                stem.with_suffix(".png").write_bytes(png)
            encoded[key] = base64.b64encode(png).decode("ascii")
        out[c.name] = SimpleNamespace(**encoded)
    return out


def render_axis_figures(analysis, folder: Path | None = None) -> SimpleNamespace:
    """The figure of each quality section as base64 PNG (and ``quality-<i>.png/.svg`` files in ``folder``)."""
    from .axes_figures import plot_quality
    quality = []
    for i, q in enumerate(getattr(getattr(analysis, "axes", None), "quality", None) or [], start=1):
        fig = plot_quality(q)
        png = _png(fig)
        if folder is not None:
            fig.savefig(folder / f"quality-{i}.svg")
            (folder / f"quality-{i}.png").write_bytes(png)
        quality.append(base64.b64encode(png).decode("ascii"))
    return SimpleNamespace(quality=quality)


def write_report(analysis, path: str | Path, *, figure_folder: str | Path | None = None, advice=None) -> Path:
    """Render ``analysis`` (scalinglab.pipeline.StudyAnalysis) to one HTML file at ``path``;
    with ``figure_folder``, every figure is also written there as PNG and SVG. A study with a
    quality or starts axis gets its quality / transfer sections (``analysis.axes``); ``advice``
    (an ``sl.advise`` answer, or the dict of ``scalinglab advise --json``) adds the advisor's."""
    import scalinglab as sl
    advice = sl.advisor.advice_dict(advice) if advice is not None else getattr(analysis, "advice", None)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(figure_folder) if figure_folder is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    env = Environment(loader=PackageLoader("scalinglab.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    template = env.get_template("report.html.j2")
    columns = [c for c in RUN_COLUMNS if analysis.runs is not None and c in analysis.runs.columns]
    notes = {c.name: band_note(c.fit, analysis.level) for c in analysis.curves}
    html = template.render(a=analysis, figures=render_figures(analysis, folder), fmt=_fmt, band_notes=notes,
                           spec_rows=spec_rows(analysis.spec),
                           pct=lambda level: f"{level:.0%}", run_columns=columns, advice=advice,
                           axis_figures=render_axis_figures(analysis, folder))
    path.write_text(html, encoding="utf-8")
    return path
