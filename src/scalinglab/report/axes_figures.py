"""Figures of a study's quality axis. Reads results only; never fits anything."""

from __future__ import annotations

import numpy as np

from .figures import COLORS, _axes, _finish, _metric_axis, _text


def plot_quality(quality, path=None, *, ax=None):
    """One line per quality level: the per-size means of its runs (points) and the joint
    quality law's prediction at that level (line; dashed beyond the largest size measured,
    up to 10×); the clean level darkest. ``quality`` is a :class:`scalinglab.quality.QualityStudy`."""
    from matplotlib import colormaps           # no pyplot: figures.py's rule (no backend switched)
    fig, ax = _axes(ax, (7, 4.6))
    levels = list(quality.curves)
    colors = colormaps["viridis"](np.linspace(0.0, 0.85, len(levels)))
    largest = max(float(c.x.max()) for c in quality.curves.values())
    smallest = min(float(c.x.min()) for c in quality.curves.values())
    for color, key in zip(colors, levels):
        curve = quality.curves[key]
        means = curve.mean_by_size()
        label = f"{'noise rate' if quality.kind == 'noise_rate' else 'quality'} {key:g}"
        ax.plot(means.x.reshape(-1), means.y, "o", color=color, ms=4, label=label)
        if quality.joint is not None:
            q = 1.0 - key if quality.kind == "noise_rate" else key
            for lo, hi, style in ((smallest, largest, "-"), (largest, 10 * largest, "--")):
                grid = np.geomspace(lo, hi, 60)
                ax.plot(grid, quality.joint.predict(np.c_[grid, np.full(grid.size, q)]), style, color=color, lw=1.4)
    if quality.target is not None:
        ax.axhline(quality.target, color=COLORS["floor"], lw=1, ls=":", label=f"target {quality.target:g}")
    ax.set_xscale("log")
    _metric_axis(ax, next(iter(quality.curves.values())))
    ax.set_xlabel("training-set size")
    ax.set_title(_text(f"{quality.estimator}: learning curves per quality level"
                       + (" and the joint quality law" if quality.joint is not None else "")), fontsize=9)
    ax.grid(True, which="both", alpha=0.25)
    ax.legend(fontsize=8, frameon=False)
    return _finish(fig, path)
