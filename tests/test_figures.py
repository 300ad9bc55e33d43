"""Figures are written and show what they claim (checked on the Axes, not pixels)."""

from __future__ import annotations

import numpy as np
import pytest

import scalinglab as sl


def test_learning_curve_figure(tmp_path):
    res = sl.fit(sl.example_curve(), law="power_floor").bootstrap(50, by="seed", seed=0)
    fig = sl.report.plot_fit(res, level=0.8)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"runs", "mean per size", "power_floor fit", "extrapolation", "80% interval (bootstrap)"} <= set(labels)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "training set size (n)" and ax.get_ylabel() == "error"
    path = tmp_path / "fit.svg"
    sl.report.plot_fit(res, path)
    assert path.read_text().lstrip().startswith("<?xml")


def test_parity_figure_for_joint_law(chinchilla_curve):
    res = sl.fit(chinchilla_curve, law="chinchilla")
    fig = sl.report.plot_fit(res)
    assert fig.axes[0].get_xlabel() == "predicted loss"


def test_powerlaw_figures(tmp_path):
    x = (1 - np.random.default_rng(0).uniform(size=2000)) ** (-1 / 1.5)
    fit = sl.powerlaws.fit(x)
    fig = sl.report.plot_powerlaw(fit)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "P(X ≥ x)"
    # the fitted tail starts at the tail's share of the data, at x_min
    line = ax.get_lines()[0]
    assert line.get_ydata()[0] == pytest.approx(fit.n_tail / fit.n)
    z = sl.powerlaws.zipf(np.random.default_rng(0).zipf(2.0, 3000))
    sl.report.plot_rank_frequency(z, tmp_path / "rank.png")
    assert (tmp_path / "rank.png").stat().st_size > 1000
