"""Matplotlib figures of fits. Reads results only; never fits anything."""

from __future__ import annotations

from pathlib import Path

import numpy as np
# Figures are built without pyplot: no backend is switched (importing the package changes no
# global state) and no figure is kept in pyplot's registry; Figure.savefig renders with Agg.
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from typing import TYPE_CHECKING

from scalinglab.defaults import LEVEL

if TYPE_CHECKING:                     # annotations only: the report reads results, it imports no layer below
    from scalinglab import FitResult

def _text(value) -> str:
    """A user's string (column, metric, curve or paper name) shown as written: matplotlib would
    read ``$...$`` as mathtext, and fail on an unbalanced one."""
    return str(value).replace("$", r"\$")


def _axes(ax, size):
    """The given axes, or a new figure of ``size`` inches."""
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size, dpi=120)
    return fig, fig.subplots()


def _finish(fig, path):
    """Lay out, write to ``path`` (format from the extension) if given, and return the figure."""
    fig.tight_layout()
    if path is not None:
        fig.savefig(path)
    return fig


#: One palette for every figure: data, fit, band, floor.
COLORS = {"data": "#4c72b0", "mean": "#1b2f52", "fit": "#dd8452", "band": "#dd8452", "floor": "#55a868"}


def plot_fit(result: FitResult, path: str | Path | None = None, *, level: float = LEVEL,
             extrapolate: float = 10.0, ax=None):
    """Learning curve on log-log axes: points (replicates faint), per-size means, the fitted
    law (dashed where it extrapolates, up to ``extrapolate`` x the largest size), its
    bootstrap band at ``level`` if the result has draws, and the floor if there is one.
    For joint laws (x with several columns): observed vs predicted on log-log axes.
    Writes ``path`` (PNG or SVG by extension) if given; returns the matplotlib Figure."""
    fig, ax = _axes(ax, (7, 4.6))
    curve = result.curve
    if curve.n_inputs == 1:
        _learning_curve(ax, result, level, extrapolate)
    else:
        _parity(ax, result)
    params = ", ".join(f"{k}={v:.3g}" for k, v in result.params.items())
    ax.set_title(f"{result.law.name}: {params}", fontsize=9)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=8, frameon=False)
    return _finish(fig, path)


def _metric_axis(ax, curve) -> None:
    """The y axis in the metric's own terms: log for a lower-is-better metric; for a
    higher-is-better one in [0, 1] (an accuracy) the logit scale, which stretches the approach
    to 1 as the log scale stretches an error's approach to 0; else linear."""
    metric = curve.metric_info
    if not metric.higher_is_better:
        ax.set_yscale("log")
    elif metric.bounds == (0.0, 1.0):
        ax.set_yscale("logit")
    ax.set_ylabel(_text(metric.name))


def _learning_curve(ax, result: FitResult, level: float, extrapolate: float) -> None:
    curve = result.curve
    ax.scatter(curve.x, curve.values, s=12, alpha=0.3, color=COLORS["data"], label="runs", lw=0)
    means = curve.mean_by_size()
    ax.scatter(means.x, means.values, s=28, color=COLORS["mean"], label="mean per size", zorder=3)
    lo, hi = float(curve.x.min()), float(curve.x.max())
    inside = np.geomspace(lo, hi, 200)
    beyond = np.geomspace(hi, hi * extrapolate, 100)
    ax.plot(inside, result.predict(inside), color=COLORS["fit"], lw=2, label=f"{result.law.name} fit")
    ax.plot(beyond, result.predict(beyond), color=COLORS["fit"], lw=2, ls="--", label="extrapolation")
    if result.interval_unavailable(level) is None:
        grid = np.geomspace(lo, hi * extrapolate, 300)
        band = result.predict(grid, interval=level)
        ax.fill_between(grid, band.lo, band.hi, color=COLORS["band"], alpha=0.2, lw=0,
                        label=f"{level:.0%} interval (bootstrap)")
    if result.floor > 0:
        ax.axhline(result.limit, color=COLORS["floor"], ls=":", lw=1.5,
                   label=f"{result.metric.floor_word} {result.limit:.3g}")
    ax.set_xscale("log")
    _metric_axis(ax, curve)
    ax.set_xlabel(_text(f"training set size ({curve.x_names[0]})"))


def _parity(ax, result: FitResult) -> None:
    curve = result.curve
    pred = result.predict(curve.x)
    sc = ax.scatter(pred, curve.values, c=np.log10(curve.x[:, 0]), s=14, cmap="viridis", label="runs")
    lims = [min(pred.min(), curve.values.min()), max(pred.max(), curve.values.max())]
    ax.plot(lims, lims, color="black", lw=1, label="observed = predicted")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(_text(f"predicted {curve.metric}"))
    ax.set_ylabel(_text(f"observed {curve.metric}"))
    ax.figure.colorbar(sc, ax=ax, label=_text(f"log10 {curve.x_names[0]}"))


def plot_powerlaw(fit, path: str | Path | None = None, *, ax=None):
    """Empirical CCDF P(X >= x) on log-log axes with the fitted power-law tail (scaled to the
    tail's share of the data) from x_min on. ``fit`` is a :class:`scalinglab.powerlaws.PowerLawFit`."""
    fig, ax = _axes(ax, (6.5, 4.5))
    x, ccdf = fit.ccdf()
    ax.scatter(x, ccdf, s=8, color=COLORS["data"], alpha=0.6, lw=0, label="data (CCDF)")
    grid = np.geomspace(fit.xmin, x.max(), 200)
    ax.plot(grid, fit.model_ccdf(grid), color=COLORS["fit"], lw=2, label=f"power law, α = {fit.alpha:.3f} ± {fit.sigma:.3f}")
    ax.axvline(fit.xmin, color=COLORS["floor"], ls=":", lw=1.5, label=f"x_min = {fit.xmin:.4g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("x")
    ax.set_ylabel("P(X ≥ x)")
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=8, frameon=False)
    return _finish(fig, path)


def plot_rank_frequency(zipf_fit, path: str | Path | None = None, *, ax=None):
    """Frequency against rank on log-log axes with the fitted rank-frequency slope over its range."""
    fig, ax = _axes(ax, (6.5, 4.5))
    f = zipf_fit.frequencies
    r = np.arange(1, len(f) + 1)
    ax.scatter(r, f, s=8, color=COLORS["data"], alpha=0.6, lw=0, label="types")
    lo, hi = zipf_fit.rank_range
    rr = np.arange(lo, hi + 1)
    anchor = np.exp(np.mean(np.log(f[lo - 1:hi]) + zipf_fit.s_rank * np.log(rr)))
    ax.plot(rr, anchor * rr ** -zipf_fit.s_rank, color=COLORS["fit"], lw=2,
            label=f"slope −{zipf_fit.s_rank:.3f} (ranks {lo}–{hi})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rank")
    ax.set_ylabel("frequency")
    ax.set_title(f"Zipf exponent s = {zipf_fit.s:.3f} ± {zipf_fit.s_stderr:.3f} (MLE)", fontsize=9)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=8, frameon=False)
    return _finish(fig, path)


def plot_exponent_context(result, matches, path: str | Path | None = None, *, level: float = LEVEL, ax=None):
    """Forest plot: the published exponents of ``matches`` (a literature.Matches or DataFrame)
    as points, one row each with its citation, and the user's fitted exponent (with its
    bootstrap interval when the result has draws) as a band, for the report."""
    import scalinglab as sl
    rows = matches.rows if hasattr(matches, "rows") else matches
    rows = rows[np.isfinite(rows["exponent_pos"].astype(float))]
    name, sign = sl.literature.exponent_parameter(result.law, "data")
    value = sign * result.params[name]
    height = 1.2 + 0.35 * max(len(rows), 1)
    fig, ax = _axes(ax, (7.5, height))
    labels = [_text(f"{str(c).split(',')[0]} {y}: {str(t)[:38]}")
              for c, y, t in zip(rows["paper"], rows["year"], rows["task"])]
    ypos = np.arange(len(rows))
    ax.scatter(rows["exponent_pos"], ypos, color=COLORS["data"], zorder=3, label="published")
    if result.interval_unavailable(level) is None:
        lo, hi = sorted(sign * np.array(result.interval(name, level)))
        ax.axvspan(lo, hi, color=COLORS["band"], alpha=0.2, label=f"{level:.0%} interval")
    ax.axvline(value, color=COLORS["fit"], lw=2, label=f"your fit: {value:.3f}")
    ax.set_yticks(ypos, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("data exponent (positive: error falls as size^-exponent)")
    ax.grid(True, axis="x", alpha=0.25)
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return _finish(fig, path)


# -- figures of the study report -------------------------------------------------------------------
CANDIDATE_STYLE = dict(lw=1.1, alpha=0.8, ls="-.")
#: Candidate laws get colours distinct from the data (blue), the chosen fit (orange), the floor
#: (green) and the target (red).
CANDIDATE_COLORS = ["#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd"]


def plot_study_curve(result, *, candidates=None, target=None, estimate=None, level: float = LEVEL,
                     extrapolate: float = 10.0, path=None, ax=None):
    """The report's main figure: :func:`plot_fit` plus each candidate law's fit (thin lines),
    the spread of the runs at each size (error bars, ±1 sd), the target line and the size that
    reaches it with its interval (``estimate``: a plan.DataEstimate)."""
    fig, ax = _axes(ax, (9.0, 4.8))
    fig = plot_fit(result, level=level, extrapolate=extrapolate, ax=ax)
    curve = result.curve
    groups = curve.by_size(curve.values)
    ax.errorbar(groups.sizes, groups.mean, yerr=groups.sd, fmt="none", ecolor=COLORS["mean"], elinewidth=1,
                capsize=2, alpha=0.7)
    grid = np.geomspace(curve.x.min(), curve.x.max() * extrapolate, 200)
    others = [(n, o) for n, o in (candidates or {}).items() if n != result.law.name]
    for i, (name, other) in enumerate(others):
        with np.errstate(all="ignore"):
            ax.plot(grid, other.predict(grid), color=CANDIDATE_COLORS[i % len(CANDIDATE_COLORS)],
                    label=f"{name} (candidate)", **CANDIDATE_STYLE)
    if target is not None:
        ax.axhline(target, color="#c44e52", ls="--", lw=1, label=f"target {target:.3g}")
        if result.floor > 0 and abs(np.log(target / result.limit)) < 0.05:
            # within 5 % the two lines read as one: name each at the right edge, the higher one
            # above its line and the lower one below (a default target is never this close)
            labels = sorted([(target, "target", "#c44e52"), (result.limit, result.metric.floor_word, COLORS["floor"])])
            for (value, text, color), up in zip(labels, (False, True)):
                ax.annotate(f"{text} {value:.3g}", (1.0, value), xycoords=("axes fraction", "data"),
                            xytext=(-4, 3 if up else -3), textcoords="offset points", ha="right",
                            va="bottom" if up else "top", fontsize=7, color=color)
        if estimate is not None and np.isfinite(estimate.n):
            lo, hi = estimate.interval
            ax.axvline(estimate.n, color="#c44e52", lw=1, alpha=0.8)
            if np.isfinite(hi):
                ax.axvspan(lo, hi, color="#c44e52", alpha=0.08, label=f"size for target ({level:.0%} interval)")
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))   # outside: no overlap
    return _finish(fig, path)


def plot_residuals(result, path=None, ax=None):
    """Residuals of the fit (in its space) against size, with the zero line."""
    fig, ax = _axes(ax, (5.5, 3.2))
    scale = result.curve.scale
    ax.scatter(scale, result.residuals, s=12, color=COLORS["data"], alpha=0.7, lw=0)
    ax.axhline(0, color="black", lw=1)
    ax.set_xscale("log")
    ax.set_xlabel(_text(f"training set size ({'×'.join(result.curve.x_names)})"))
    fitted = result.metric.fitted_name
    ax.set_ylabel(_text(f"log {fitted} residual" if result.space == "log" else f"{fitted} residual"))
    ax.set_title(f"residuals of the {result.law.name} fit", fontsize=9)
    ax.grid(True, alpha=0.25)
    return _finish(fig, path)


def plot_backtest(train_fit, held_out, path=None, ax=None):
    """The backtest behind law="auto": the law fitted on the smaller sizes (``train_fit``) and
    its prediction of the held-out larger sizes (``held_out``: a Curve)."""
    fig, ax = _axes(ax, (5.5, 3.2))
    train = train_fit.curve
    ax.scatter(train.x, train.values, s=12, color=COLORS["data"], alpha=0.6, lw=0, label="fitted on")
    ax.scatter(held_out.x, held_out.values, s=22, color="#c44e52", marker="D", label="held out")
    grid = np.geomspace(train.x.min(), held_out.x.max() * 1.2, 200)
    ax.plot(grid[grid <= train.x.max()], train_fit.predict(grid[grid <= train.x.max()]), color=COLORS["fit"], lw=2)
    ax.plot(grid[grid >= train.x.max()], train_fit.predict(grid[grid >= train.x.max()]), color=COLORS["fit"], lw=2,
            ls="--", label=f"{train_fit.law.name} prediction")
    ax.set_xscale("log")
    _metric_axis(ax, train)
    ax.set_xlabel(_text(f"training set size ({train.x_names[0]})"))
    ax.set_title("backtest: fit on the smaller sizes, predict the larger", fontsize=9)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=7, frameon=False)
    return _finish(fig, path)


def _histogram(ax, values, bins: int = 30) -> None:
    """A histogram that also draws degenerate samples: every draw equal (a flat curve, a fixed
    parameter) or spread over less than float precision can resolve into ``bins`` bins (numpy:
    "Too many bins for data range") -- such a sample is one bar, labelled with its value."""
    values = np.asarray(values, float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        ax.text(0.5, 0.5, "no finite draws", ha="center", va="center", transform=ax.transAxes, fontsize=8)
        return
    lo, hi = float(values.min()), float(values.max())
    resolution = 64 * bins * np.spacing(max(abs(lo), abs(hi)))        # smallest spread bins can split
    if hi - lo <= resolution:
        ax.bar([lo], [values.size], width=max(abs(lo), 1e-300) * 1e-3 or 1.0, color=COLORS["data"], alpha=0.8)
        ax.text(0.5, 0.9, f"all draws = {lo:.6g}", ha="center", transform=ax.transAxes, fontsize=7)
        return
    ax.hist(values, bins=min(bins, len(np.unique(values))), color=COLORS["data"], alpha=0.8)


def plot_bootstrap(result, path=None):
    """Histogram of each parameter's bootstrap draws with the point estimate."""
    draws = result.require_draws()
    names = result.law.param_names
    cols = min(len(names), 3)
    rows = int(np.ceil(len(names) / cols))
    fig = Figure(figsize=(2.6 * cols, 2.1 * rows), dpi=120)
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, j in zip(axes.ravel(), range(len(names))):
        _histogram(ax, draws[:, j])
        ax.axvline(result.theta[j], color=COLORS["fit"], lw=2)
        ax.set_title(names[j], fontsize=9)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3))     # long labels (0.0002, 0.0004, ...) ran together
    for ax in axes.ravel()[len(names):]:
        ax.set_visible(False)
    fig.suptitle(f"bootstrap distributions ({len(draws)} draws by {result.bootstrap_by})", fontsize=9)
    return _finish(fig, path)


def plot_isoloss(result, path=None, ax=None, budgets=None, frontier=None):
    """For a joint law L(N, D): iso-loss contours over (N, D), the IsoFLOP lines N·D = C/6 at
    ``budgets`` and the compute-optimal ``frontier`` ((k, 2) array of N, D), each drawn when
    handed (the analysis pipeline computes both: :func:`scalinglab.pipeline.isoloss_data`)."""
    fig, ax = _axes(ax, (6.5, 4.8))
    n_obs, d_obs = result.curve.columns[:2]
    n = np.geomspace(n_obs.min() / 3, n_obs.max() * 30, 120)
    d = np.geomspace(d_obs.min() / 3, d_obs.max() * 30, 120)
    N, D = np.meshgrid(n, d)
    extra = [np.full(N.size, np.median(c)) for c in result.curve.columns[2:]]
    L = result.predict(np.column_stack([N.ravel(), D.ravel(), *extra])).reshape(N.shape)
    cs = ax.contour(N, D, L, levels=12, cmap="viridis", linewidths=1)
    ax.clabel(cs, fontsize=6, fmt="%.3g")
    for c in (() if budgets is None else budgets):
        ax.plot(n, c / (6 * n), color="grey", lw=0.8, ls=":")
    if frontier is not None and len(frontier):
        f = np.asarray(frontier, float)
        ax.plot(f[:, 0], f[:, 1], color=COLORS["fit"], lw=2, marker="o", label="compute-optimal frontier")
    ax.scatter(n_obs, d_obs, s=10, color=COLORS["mean"], alpha=0.6, label="runs")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(n.min(), n.max())
    ax.set_ylim(d.min(), d.max())
    ax.set_xlabel(_text(f"model size ({result.curve.x_names[0]}, parameters)"))
    ax.set_ylabel(_text(f"data ({result.curve.x_names[1]}, tokens)"))
    ax.set_title(f"iso-loss contours of the {result.law.name} fit; dotted: IsoFLOP lines", fontsize=9)
    ax.legend(fontsize=7, frameon=False)
    return _finish(fig, path)
