"""How the package imports: lazily (nothing heavy until used, no global state changed), with no
import cycles and no submodule hidden by a function of the same name (issue 17)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import scalinglab as sl

HEAVY = ("numpy", "pandas", "scipy", "sklearn", "sqlalchemy", "matplotlib", "jinja2", "joblib", "rich")


def _loaded_after(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; which HEAVY packages it loaded, and matplotlib's state."""
    probe = code + """
import json, sys
state = {"loaded": sorted(m for m in %r if m in sys.modules), "pyplot": "matplotlib.pyplot" in sys.modules}
if "matplotlib" in sys.modules:
    import matplotlib
    state["backend"] = matplotlib.rcParams._get_backend_or_none()
print(json.dumps(state))
""" % (HEAVY,)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}    # matplotlib's own default backend
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_scalinglab_loads_nothing_heavy():
    assert _loaded_after("import scalinglab")["loaded"] == []


def test_command_line_help_loads_only_what_help_needs():
    # typer renders the help with rich; nothing else is needed to list the commands
    state = _loaded_after("from scalinglab.cli import app")
    assert set(state["loaded"]) <= {"rich"}


def test_public_names_load_on_first_use_from_their_own_modules():
    state = _loaded_after("import scalinglab as sl\nsl.ScalingLabError")
    assert state["loaded"] == []
    assert sl.Curve.__module__ == "scalinglab.curves" and sl.FitResult.__module__ == "scalinglab.fitting.result"
    assert sl.fit.__module__ == "scalinglab.fitting.entry" and callable(sl.extrapolate) and callable(sl.advise)
    assert set(sl.__all__) <= set(dir(sl))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sl.nope  # noqa: B018
    spec = pickle.loads(pickle.dumps(sl.Curve([1.0, 2.0, 4.0], [1.0, 0.5, 0.25])))
    assert spec.n == 3


def test_figures_switch_no_backend_and_use_no_pyplot(tmp_path):
    code = f"""
import matplotlib
before = matplotlib.rcParams._get_backend_or_none()
import numpy as np, scalinglab as sl, scalinglab.report
res = sl.fit(sl.Curve(np.geomspace(10, 1e4, 8), 2 * np.geomspace(10, 1e4, 8) ** -0.5 + 0.01), law="power_floor")
sl.report.plot_fit(res, {str(tmp_path / "fit.png")!r})
assert matplotlib.rcParams._get_backend_or_none() == before, (before, matplotlib.rcParams._get_backend_or_none())
"""
    state = _loaded_after(code)
    assert not state["pyplot"] and state["backend"] is None
    assert (tmp_path / "fit.png").stat().st_size > 0


def test_no_import_cycles_and_no_hidden_submodules():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    try:
        import import_graph
    finally:
        sys.path.pop(0)
    lines, problems = import_graph.report()
    assert problems == 0, "\n".join(lines)


def test_subpackages_are_importable_by_name():
    # sl.fit (the function) once hid the package scalinglab.fit; the packages have their own names now
    import scalinglab.backtest.extrapolation
    import scalinglab.fitting.select
    import scalinglab.literature.rows
    assert callable(sl.fit) and callable(sl.backtest.extrapolate) and callable(sl.literature.table)
    assert callable(sl.pipeline.analyse_study) and callable(sl.fitting.bootstrap)
    assert scalinglab.fitting.select.__name__ == "scalinglab.fitting.select"
    assert scalinglab.backtest.extrapolation.__name__ == "scalinglab.backtest.extrapolation"


def test_report_asks_the_planning_layer_nothing():
    """report/ draws what the pipeline hands it: no import of plan/ (the iso-loss figure called
    plan.compute_optimal for its frontier; the pipeline computes it now)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    try:
        import import_graph
    finally:
        sys.path.pop(0)
    graph = import_graph.edges(deferred=True)
    asks = sorted(f"{a} -> {b}" for a in graph if a.startswith("scalinglab.report") for b in graph[a]
                  if b.startswith(("scalinglab.plan", "scalinglab.pipeline", "scalinglab.fitting.select")))
    assert asks == []


def test_cli_and_report_import_only_the_public_api():
    """cli/ and report/ read and format: they import ``scalinglab`` (its public names, the
    pipeline among them) and the private file helpers, never a layer's internal module
    (they imported experiment.store, advisor.inputs, powerlaws.mle, literature.prior)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    try:
        import import_graph
    finally:
        sys.path.pop(0)
    graph = import_graph.edges(deferred=True)
    allowed = ("scalinglab", "scalinglab._files", "scalinglab.pipeline", "scalinglab.defaults")
    inside = ("scalinglab.cli", "scalinglab.report")
    reaches = sorted(f"{a} -> {b}" for a in graph if a.startswith(inside) for b in graph[a]
                     if not b.startswith(inside) and b not in allowed)
    assert reaches == []
