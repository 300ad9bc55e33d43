"""Figures are written and show what they claim (checked on the Axes, not pixels)."""

from __future__ import annotations

import warnings

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


def _flat_fit():
    x = np.repeat(np.geomspace(100, 1e4, 6), 2)
    with pytest.warns(sl.ScalingLabWarning, match="cannot pin down a, c"), \
            pytest.warns(sl.ScalingLabWarning, match="is at its bound: the fitted floor is zero"):
        return sl.fit(sl.Curve(x, np.full(12, 0.25), seed=np.tile([0, 1], 6)), law="power_floor")


def test_bootstrap_histograms_of_degenerate_draws(tmp_path):
    # a flat curve: the floor's draws are all equal, the exponent's spread below float resolution
    with pytest.warns(sl.ScalingLabWarning, match="resampled points, not seeds"):        # 2 seeds
        res = _flat_fit().bootstrap(60, seed=0)
    sl.report.plot_bootstrap(res, tmp_path / "flat.png")              # numpy: "Too many bins for data range"
    same = res.replace(draws=np.repeat(res.draws[:1], 60, axis=0))
    fig = sl.report.plot_bootstrap(same)
    assert any("all draws =" in t.get_text() for ax in fig.axes for t in ax.texts)


@pytest.mark.parametrize("x, y", [(np.geomspace(1e290, 1e300, 6), np.geomspace(2, 2e-2, 6)),
                                  (np.geomspace(100, 1e4, 6), 1e300 * np.geomspace(100, 1e4, 6) ** -0.5),
                                  (np.geomspace(100, 1e4, 6), 1e-300 * np.geomspace(100, 1e4, 6) ** -0.5)])
def test_figures_of_extreme_values(tmp_path, x, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sl.fit(sl.Curve(x, y), law="power").bootstrap(60, seed=0)
    # the fit's own caveats (a coefficient of 1e-300 at its bound) may sound; numpy's overflow
    # noise from the start grid (sizes near 1e300) must not
    assert all(issubclass(w.category, sl.ScalingLabWarning) for w in caught), [str(w.message) for w in caught]
    for plot in (sl.report.plot_fit, sl.report.plot_residuals, sl.report.plot_bootstrap):
        plot(res, tmp_path / f"{plot.__name__}.png")
    sl.report.plot_study_curve(res, path=tmp_path / "study.png")


def test_names_with_dollar_signs_are_text_not_mathtext(tmp_path):
    x = np.geomspace(100, 1e4, 6)
    res = sl.fit(sl.Curve(x, 2 * x ** -0.4, metric="$err_{", x_names=("$\\sqrt{n$",)), law="power")
    fig = sl.report.plot_fit(res, tmp_path / "fit.png")                 # matplotlib: ParseSyntaxException
    ax = fig.axes[0]
    assert ax.get_ylabel() == "\\$err_{" and "\\$\\sqrt{n\\$" in ax.get_xlabel()
    sl.report.plot_residuals(res, tmp_path / "residuals.svg")


def test_a_target_next_to_the_floor_is_named_apart_from_it(tmp_path):
    """A target within 5 % of the fitted floor drew its line on top of the floor's: each is now
    named at the right edge, one above and one below."""
    x = np.geomspace(100, 1e4, 8)
    res = sl.fit(sl.Curve(x, 2 * x ** -0.5 + 0.02, metric="error"), law="power_floor")
    fig = sl.report.plot_study_curve(res, target=res.limit * 1.02, path=tmp_path / "close.png")
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == [f"floor {res.limit:.3g}", f"target {res.limit * 1.02:.3g}"]
    far = sl.report.plot_study_curve(res, target=res.limit * 2)
    assert len(far.axes[0].texts) == 0
