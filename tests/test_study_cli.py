"""``scalinglab study ...`` as a user runs it: JSON status and export, delete, upgrade, exit
statuses, read commands that never create a database, one-line errors."""

from __future__ import annotations

import json

import pytest
from sklearn.linear_model import LogisticRegression
from typer.testing import CliRunner

import scalinglab as sl
from scalinglab.cli import app
from scalinglab.experiment.store import Cell, Store
from test_store import write_v1_store

runner = CliRunner()

SPEC = """
name = "{name}"
dataset = "iris"
seeds = [0, 1]
sizes = [20, 40]
[estimators.logreg]
class = "sklearn.linear_model.LogisticRegression"
params = {{max_iter = {max_iter}}}
"""


def run_study(tmp_path, name="cli", max_iter=300, extra=()):
    spec = tmp_path / f"{name}.toml"
    spec.write_text(SPEC.format(name=name, max_iter=max_iter))
    db = tmp_path / "s.db"
    return db, runner.invoke(app, ["study", "run", str(spec), "--db", str(db), "--no-report", *extra])


def test_status_and_export_as_json(tmp_path):
    db, result = run_study(tmp_path)
    assert result.exit_code == 0 and "study complete" in result.output
    status = runner.invoke(app, ["study", "status", str(db), "--json"])
    assert status.exit_code == 0, status.output
    data = json.loads(status.output)
    assert data == [{"study": "cli", "complete": 4, "failed": 0, "running": 0, "reclaimable": 0, "pending": 0,
                     "total": 4, "failures": []}]
    table = runner.invoke(app, ["study", "status", str(db)])
    assert table.exit_code == 0 and "cli" in table.output
    export = runner.invoke(app, ["study", "export", str(db), "--json"])
    assert export.exit_code == 0, export.output
    rows = json.loads(export.output)
    assert len(rows) == 4 and [(r["size"], r["seed"]) for r in rows] == [(20, 0), (20, 1), (40, 0), (40, 1)]
    assert all(r["study"] == "cli" and r["status"] == "COMPLETE" for r in rows)
    neither = runner.invoke(app, ["study", "export", str(db)])
    assert neither.exit_code == 2 and "give --csv OUT or --json" in neither.output


def test_status_counts_reclaimable_runs(tmp_path):
    db, _ = run_study(tmp_path)
    store = Store(str(db))
    sid = store.study_by_name("cli")
    store.claim(sid, Cell("logreg", 80, 0), "gone", lease=0.001, process="another-machine/b/n|3|3")
    data = json.loads(runner.invoke(app, ["study", "status", str(db), "--json"]).output)[0]
    assert data["reclaimable"] == 1 and data["running"] == 0


def test_failed_runs_exit_1(tmp_path):
    db, result = run_study(tmp_path, name="bad", max_iter=-5)          # every fit raises
    assert result.exit_code == 1, result.output
    assert "failed: logreg size 20 seed 0: InvalidParameterError" in " ".join(result.output.split())
    data = json.loads(runner.invoke(app, ["study", "status", str(db), "--json"]).output)[0]
    assert data["failed"] == 4 and data["failures"][0]["error"].startswith("InvalidParameterError")


def test_delete_then_a_changed_spec_starts_afresh(tmp_path):
    db, _ = run_study(tmp_path, name="d")
    changed, result = run_study(tmp_path, name="d", max_iter=400)       # same name, other hyperparameter
    assert result.exit_code == 2 and "different spec; changed: estimator logreg" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    deleted = runner.invoke(app, ["study", "delete", str(db), "d", "--yes"])
    assert deleted.exit_code == 0 and "deleted study 'd' (4 runs" in deleted.output
    _, again = run_study(tmp_path, name="d", max_iter=400)
    assert again.exit_code == 0 and "ran 4 run(s)" in again.output
    missing = runner.invoke(app, ["study", "delete", str(db), "nope", "--yes"])
    assert missing.exit_code == 2 and "no study named 'nope'" in missing.output


@pytest.mark.parametrize("command", [["study", "status"], ["study", "export", "--json"], ["report"]])
def test_read_commands_never_create_a_database(tmp_path, command):
    typo = tmp_path / "typo.db"
    result = runner.invoke(app, [*command[:2], str(typo), *command[2:]] if command[0] == "study"
                           else [command[0], str(typo)])
    assert result.exit_code == 2 and "store not found" in result.output, result.output
    assert not typo.exists()


def test_a_file_that_is_not_a_store_and_an_unknown_dialect_are_one_line_errors(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    result = runner.invoke(app, ["study", "status", str(text)])
    assert result.exit_code == 2 and "not a scalinglab store" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["study", "status", "oracle://scott:tiger@db/x"])
    assert result.exit_code == 2 and "unsupported database 'oracle'" in result.output and "tiger" not in result.output


def test_upgrade_command_migrates_an_old_store(tmp_path):
    path = tmp_path / "old.db"
    write_v1_store(str(path), {"name": "old", "metric": "error"}, {("a", 10, 0): 0.5})
    refused = runner.invoke(app, ["study", "status", str(path)])
    assert refused.exit_code == 2 and "scalinglab study upgrade" in refused.output
    upgraded = runner.invoke(app, ["study", "upgrade", str(path)])
    assert upgraded.exit_code == 0 and "store schema 1 -> 2" in upgraded.output
    data = json.loads(runner.invoke(app, ["study", "status", str(path), "--json"]).output)
    assert data[0]["complete"] == 1


def test_a_v1_study_resumes_after_upgrade_when_its_spec_matches(tmp_path):
    """A schema-1 store kept no fingerprint: what it kept of the spec is compared instead."""
    db = str(tmp_path / "old.db")
    spec = sl.StudySpec(name="old", dataset="iris", sizes=[20, 40], seeds=[0],
                        estimators={"a": LogisticRegression(max_iter=300)})
    write_v1_store(db, {k: v for k, v in spec.describe().items()}, {("a", 20, 0): 0.1})
    Store.upgrade(db)
    summary = sl.Study(spec, store=db).run(progress=False)
    assert summary.ran == 1 and summary.complete
    other = sl.StudySpec(name="old", dataset="iris", sizes=[20, 40], seeds=[0], metric="log_loss",
                         estimators=dict(spec.estimators))
    with pytest.raises(sl.ScalingLabError, match="metric: 'error' -> 'log_loss'"):
        sl.Study(other, store=db)
