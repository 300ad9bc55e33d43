"""The HTML report: content, self-containedness, and a look in a real browser (headless
Chromium: the page loads, every figure decodes with a non-zero size, no console errors)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import scalinglab as sl
from helpers_study import make_spec

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--log-level=0"]
PROBE = """<script>
window.addEventListener('load', () => {
  const imgs = Array.from(document.images);
  const ok = imgs.filter(i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0).length;
  document.body.setAttribute('data-images', imgs.length);
  document.body.setAttribute('data-images-ok', ok);
});
</script>"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    study = sl.Study(make_spec("report", "", sizes=(30, 60, 120, 240, 480, 900)), store=str(folder / "s.db"))
    study.run(progress=False)
    analysis = sl.pipeline.analyse_study(study, bootstrap=100)
    path = sl.report.write_report(analysis, folder / "report.html", figure_folder=folder / "figures")
    return path, analysis


def test_report_content(report):
    path, analysis = report
    html = path.read_text()
    for needle in ("How much data do we need", "Answers", "Why ", "backtest RMSE", "Caveats" if any(
            c.fit.warnings for c in analysis.curves) else "Data", "Environment", "scikit-learn", "needs about",
                   "With 10× the data", "Cross-check (10× the data", "calibrated on real learning curves",
                   "All 18 runs"):
        assert needle in html, needle
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) >= 4
    assert not re.search(r'(src|href)="https?://', html)               # self-contained: nothing fetched
    assert all(c.name + "-main.svg" in {p.name for p in (path.parent / "figures").iterdir()} for c in analysis.curves)


def test_joint_report_has_isoloss_figure(tmp_path, chinchilla_curve):
    analysis = sl.pipeline.analyse_curves({"chinchilla": chinchilla_curve}, bootstrap=50)
    html = sl.report.write_report(analysis, tmp_path / "joint.html").read_text()
    assert "Iso-loss contours" in html and "tokens per parameter" in html


def _chromium(args, tmp_path):
    profile = tmp_path / "profile"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=120)


def _render(page: Path, tmp_path):
    probed = tmp_path / f"probed-{page.name}"
    probed.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    out = _chromium(["--virtual-time-budget=10000", "--dump-dom", probed.as_uri()], tmp_path)
    images = re.search(r'data-images="(\d+)"', out.stdout)
    ok = re.search(r'data-images-ok="(\d+)"', out.stdout)
    console = [line for line in out.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    return (int(images.group(1)) if images else -1), (int(ok.group(1)) if ok else -1), console


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's chromium; "
                                            "or: apt-get install chromium)")
def test_report_in_a_real_browser(report, tmp_path):
    path, _ = report
    images, ok, console = _render(path, tmp_path)
    assert images >= 4 and ok == images, (images, ok)
    assert console == [], console
    shot = tmp_path / "report.png"
    _chromium(["--window-size=1280,3000", f"--screenshot={shot}", path.as_uri()], tmp_path)
    assert shot.exists() and shot.stat().st_size > 50_000


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_the_browser_checks_can_fail(tmp_path):
    """Control: a broken image and a console error are detected, so the checks above mean something."""
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><img src="data:image/png;base64,AAAA" alt="broken">'
                   '<script>console.error("deliberate")</script></body></html>')
    images, ok, console = _render(bad, tmp_path)
    assert images == 1 and ok == 0
    assert any("deliberate" in line for line in console)


@pytest.mark.slow
def test_report_of_a_flat_curve_and_unsafe_curve_names(tmp_path):
    """A flat curve (numpy's 'Too many bins' in the bootstrap histogram) and curve names that are
    paths: the figures stay inside the figure folder, under safe, distinct names."""
    x = np.repeat(np.geomspace(100, 1e4, 6), 2)
    flat = sl.Curve(x, np.full(12, 0.25), seed=np.tile([0, 1], 6))
    falling = sl.Curve(x, 2 * x ** -0.4 * (1 + 0.01 * np.tile([-1, 1], 6)))
    escape = tmp_path / "escape"
    analysis = sl.pipeline.analyse_curves({"../escape/x": falling, str(escape / "abs"): flat}, bootstrap=50)
    figures = tmp_path / "out" / "figures"
    sl.report.write_report(analysis, tmp_path / "out" / "report.html", figure_folder=figures)
    assert not escape.exists() and all(p.parent == figures for p in tmp_path.rglob("*.png"))
    stems = {p.name.rsplit("-", 1)[0] for p in figures.iterdir()}
    assert len(stems) == 2 and "escape_x" in stems and all(s[0] not in "./" for s in stems)


def test_default_target_is_reachable_and_says_how_it_was_chosen():
    """75 % of today's fitted value, unless that lies less than halfway down to the fitted floor
    (the demo's forest asked for 0.0236 with its floor at 0.023 and got '1,964–never'); then
    halfway to the floor. Either way the point estimate reaches it, and the sentence says how."""
    import numpy as np
    from scalinglab.pipeline.analysis import default_target
    x = np.geomspace(50, 5000, 8)
    near = sl.fit(sl.Curve(x, 0.5 * x ** -0.5 + 0.02, metric="error"), law="power_floor")   # today 0.027, floor 0.02
    target, why = default_target(near, 5000)
    now = float(near.predict_fitted([5000])[0])
    assert target == pytest.approx(float(f"{0.02 + 0.5 * (now - 0.02):.3g}")) and target > 0.75 * now
    assert "halfway" in why and "floor 0.02" in why
    assert np.isfinite(sl.plan.data_for(near.bootstrap(200, seed=0), target).n)
    far = sl.fit(sl.Curve(x, 2 * x ** -0.5 + 0.001, metric="error"), law="power_floor")
    target, why = default_target(far, 5000)
    assert target == pytest.approx(float(f"{0.75 * float(far.predict_fitted([5000])[0]):.3g}"))
    assert why.startswith("target error") and "75% of today's value" in why


def test_band_note_explains_a_band_that_misses_its_line():
    """A percentile band can lie entirely on one side of the fitted line (the estimate at the
    edge of its draws); the caption then says so instead of leaving the reader to guess."""
    from types import SimpleNamespace
    from scalinglab.report.html import band_note
    curve = SimpleNamespace(n_inputs=1, x=np.array([10.0, 100.0]))

    def result(shift):
        def predict(x, interval):
            y = 1.0 / np.asarray(x)
            return sl.Band(y=y, lo=y * (1 + shift), hi=y * (1 + shift + 0.5), level=interval)
        return SimpleNamespace(curve=curve, draws=np.zeros((100, 1)), interval_unavailable=lambda level: None,
                               predict=predict)
    note = band_note(result(0.1), 0.8)
    assert "lies entirely above the fitted line" in note and "From size 10 to 1,000" in note
    assert band_note(result(-0.2), 0.8) == ""          # the band holds the line: nothing to explain


def test_spec_rows_are_readable():
    """The study spec was dumped as JSON with \\u0027 escapes; now one readable row per key."""
    from scalinglab.report.html import spec_rows
    rows = dict(spec_rows({"name": "s", "estimators": {"logreg": "Pipeline(steps=[('scaler',\n  Scaler())])"},
                           "sizes": [25, 50], "quality": None}))
    assert rows == {"name": "s", "estimators": "logreg: Pipeline(steps=[('scaler', Scaler())])", "sizes": "25, 50"}
