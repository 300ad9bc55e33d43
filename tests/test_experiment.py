"""The experiment runner: splits, store durability (SIGKILL and resume, two workers), failure
recording, executor equivalence, offline datasets, TOML specs."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

import scalinglab as sl
from helpers_study import make_spec
from scalinglab.experiment import datasets
from scalinglab.experiment.runner import split, stratified_order
from scalinglab.experiment.store import Cell, Store, decode, encode

HERE = Path(__file__).resolve().parent


def fits(log: Path) -> collections.Counter:
    if not log.exists():
        return collections.Counter()
    return collections.Counter(tuple(line.split()[:2]) for line in log.read_text().splitlines())


# -- data -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", datasets.DATASETS)
def test_offline_datasets(name):
    X, y, task = datasets.load(name)
    assert X.ndim == 2 and len(X) == len(y) > 100 and task in ("classification", "regression")


def test_mnist1d_is_reproducible_and_learnable():
    X1, y1 = datasets.mnist1d(500, seed=3)
    X2, y2 = datasets.mnist1d(500, seed=3)
    np.testing.assert_array_equal(X1, X2)
    from sklearn.neighbors import KNeighborsClassifier
    X, y = datasets.mnist1d(3000)
    acc = KNeighborsClassifier().fit(X[:2000], y[:2000]).score(X[2000:], y[2000:])
    assert 0.5 < acc < 1.0            # learnable, not trivial


def test_nested_stratified_prefixes():
    y = np.repeat(np.arange(4), [100, 200, 300, 400])
    order = stratified_order(y, np.random.default_rng(0))
    assert sorted(order) == list(range(1000))
    for n in (20, 100, 500):
        share = np.bincount(y[order[:n]], minlength=4) / n
        np.testing.assert_allclose(share, [0.1, 0.2, 0.3, 0.4], atol=2.5 / n + 0.01)


def test_one_test_set_for_every_size_and_seed():
    spec = make_spec("split", "")
    pool, test = split(spec)
    assert len(np.intersect1d(pool, test)) == 0 and len(pool) + len(test) == len(spec.y)
    assert abs(len(test) / len(spec.y) - 0.3) < 0.01
    study = sl.Study(spec, store=Store("sqlite://"))
    tasks = study._tasks(study.cells())
    first = tasks[0].X_test
    assert all(np.array_equal(t.X_test, first) for t in tasks)
    by_seed = {}
    for t in tasks:      # nested: each size's training set is a prefix of the larger ones
        by_seed.setdefault(t.cell.seed, []).append(t.X_train)
    for sets in by_seed.values():
        sets.sort(key=len)
        for small, big in zip(sets, sets[1:]):
            np.testing.assert_array_equal(big[:len(small)], small)


# -- store --------------------------------------------------------------------------------------------
def test_nan_and_inf_round_trip():
    for value in (1.5, float("nan"), float("inf"), float("-inf")):
        back = decode(*encode(value))
        assert back == value or (np.isnan(back) and np.isnan(value))


def test_claim_is_exclusive_and_expired_leases_are_reclaimed(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    sid = store.study_id("x", {})
    cell = Cell("est", 10, 0)
    elsewhere = "another-machine/boot/ns|4242|17"             # never provably dead from here
    first = store.claim(sid, cell, "w1", lease=0.05, process=elsewhere)
    assert first is not None and store.claim(sid, cell, "w2", lease=60, process="w2") is None
    time.sleep(0.1)                                                     # w1's own lease expires
    assert store.claim(sid, cell, "w2", lease=60, process="w2") == first
    assert not store.finish(first, status="COMPLETE", metric="error", value=0.1, process=elsewhere)  # w1 lost it
    assert store.finish(first, status="COMPLETE", metric="error", value=0.1, process="w2")
    assert store.claim(sid, cell, "w3", lease=0.0, process="w3") is None   # finished runs stay finished
    with store.engine.connect() as conn:
        from sqlalchemy import text
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


# -- running ----------------------------------------------------------------------------------------
def test_run_resume_and_curves(tmp_path):
    log = tmp_path / "fits.log"
    study = sl.Study(make_spec("basic", str(log)), store=str(tmp_path / "s.db"))
    summary = study.run(progress=False)
    assert summary.ran == 12 and summary.failed == 0 and study.status()["COMPLETE"] == 12
    again = sl.Study(make_spec("basic", str(log)), store=str(tmp_path / "s.db")).run(progress=False)
    assert again.ran == 0 and sum(fits(log).values()) == 12             # nothing repeated
    assert summary.already_done == 0 and again.already_done == 12
    assert str(again).startswith("all 12 run(s) already done (resumed from the store")   # not "ran 0 ... 0 already done"
    curves = study.curves()
    assert list(curves) == ["logged"] and curves["logged"].n == 12 and curves["logged"].n_distinct == 4
    df = study.frame()
    assert (df["train_time"] > 0).all() and (df["host"] != "").all() and (df["finished_at"] >= df["started_at"]).all()


def test_failures_are_recorded_and_the_study_goes_on(tmp_path):
    study = sl.Study(make_spec("fail", "", fail_size=60), store=str(tmp_path / "s.db"))
    summary = study.run(progress=False)
    assert summary.failed == 3 and study.status()["COMPLETE"] == 9
    assert "deliberate failure at size 60" in str(summary)
    failed = study.frame().query("status == 'FAILED'")
    assert set(failed["size"]) == {60} and failed["error"].str.contains("ValueError").all()
    # failed runs are finished: not retried unless asked
    assert sl.Study(make_spec("fail", "", fail_size=60), store=str(tmp_path / "s.db")).run(progress=False).ran == 0


def test_sizes_are_capped_by_the_pool(tmp_path):
    study = sl.Study(make_spec("cap", "", sizes=(100, 5000)), store=str(tmp_path / "s.db"))
    assert study.sizes == [100, len(study.pool)] and "capped" in study.notes[0]


@pytest.mark.slow                 # worker processes start (imports) in 20-45 s on 2 busy cores
@pytest.mark.parametrize("executor, n_jobs", [("joblib", 2), ("dask", 2)])
def test_same_results_whichever_executor(tmp_path, executor, n_jobs):
    if executor == "dask":
        pytest.importorskip("distributed", reason="dask.distributed is an optional extra")
    serial = sl.Study(make_spec("eq", ""), store=str(tmp_path / "a.db"))
    serial.run(executor="serial", progress=False)
    other = sl.Study(make_spec("eq", ""), store=str(tmp_path / "b.db"))
    other.run(executor=executor, n_jobs=n_jobs, progress=False)
    key = ["estimator", "size", "seed"]
    a = serial.frame().sort_values(key)[key + ["value"]].reset_index(drop=True)
    b = other.frame().sort_values(key)[key + ["value"]].reset_index(drop=True)
    assert len(a) == 12
    assert a.equals(b)


def test_a_relative_store_path_reaches_worker_processes_as_an_absolute_one(tmp_path, monkeypatch):
    """Worker processes open the store from connect_url; a reused joblib worker keeps the folder
    it started in, so a relative SQLite path must not reach it as written."""
    monkeypatch.chdir(tmp_path)
    store = Store("study.db")
    assert store.connect_url == f"sqlite:///{tmp_path / 'study.db'}"
    assert store.url == "sqlite:///study.db"                      # messages show what the user wrote
    assert Store(f"sqlite:///{tmp_path / 'x.db'}").connect_url == f"sqlite:///{tmp_path / 'x.db'}"


@pytest.mark.slow                 # worker processes start (imports) in 20-45 s on 2 busy cores
def test_workers_started_in_another_folder_write_to_the_callers_store(tmp_path, monkeypatch):
    """Found by the README example run in CI: joblib's worker processes, started by an earlier
    study in another folder, wrote the runs of ``store="study.db"`` to *their* folder's study.db;
    the caller's store stayed empty ("no completed runs yet")."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    monkeypatch.chdir(first)
    sl.Study(make_spec("w", "", sizes=(30, 60)), store="study.db").run(n_jobs=2, progress=False)
    monkeypatch.chdir(second)                                    # the same (reused) workers serve this one
    study = sl.Study(make_spec("w", "", sizes=(30, 60)), store="study.db")
    summary = study.run(n_jobs=2, progress=False)
    assert summary.complete and study.status()["COMPLETE"] == 6
    assert len(study.curves()["logged"].values) == 6


def _start_worker(db, name, log, delay, lease):
    env = {**os.environ, "PYTHONPATH": str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, str(HERE / "helpers_study.py"), db, name, log, str(delay), str(lease)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow                 # worker processes start (imports) in 20-45 s on 2 busy cores
def test_sigkill_mid_study_then_immediate_resume_loses_and_repeats_nothing(tmp_path):
    """kill -9, then resume at once with the default 60 s lease: the dead worker's run is
    reclaimed at once (same machine, process gone), not after the lease (it stayed RUNNING
    and the resumed study reported itself complete before)."""
    db, log = str(tmp_path / "s.db"), tmp_path / "fits.log"
    proc = _start_worker(db, "killed", str(log), delay=0.3, lease=60.0)
    deadline = time.time() + 120
    while sum(fits(log).values()) < 5 and time.time() < deadline:     # let a few runs finish
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    store = Store(db)
    before = store.frame(store.study_by_name("killed"))
    done_before = before.query("status == 'COMPLETE'")
    assert 3 <= len(done_before) < 12 and (before["status"] == "RUNNING").sum() <= 1
    study = sl.Study(make_spec("killed", str(log), delay=0.3), store=db)          # default lease: 60 s
    assert study.status()["RUNNING"] == 0                             # the dead worker's run: reclaimable
    summary = study.run(progress=False)
    assert summary.complete and summary.exit_code == 0 and "study complete" in str(summary)
    after = study.frame()
    assert len(after) == 12 and (after["status"] == "COMPLETE").all()
    # finished runs were kept as they were, not redone
    kept = after.set_index("id").loc[done_before["id"]]
    np.testing.assert_array_equal(kept["finished_at"], done_before.set_index("id")["finished_at"])
    counts = fits(log)
    finished_keys = {(str(r.size), str(r.seed)) for r in done_before.itertuples()}
    assert all(counts[k] == 1 for k in finished_keys)
    assert sum(counts.values()) <= 12 + 1                              # at most the in-flight run twice


@pytest.mark.slow                 # worker processes start (imports) in 20-45 s on 2 busy cores
def test_two_workers_never_run_the_same_cell(tmp_path):
    db, log = str(tmp_path / "s.db"), tmp_path / "fits.log"
    Store(db)
    procs = [_start_worker(db, "shared", str(log), delay=0.1, lease=30.0) for _ in range(2)]
    for p in procs:            # 0: the study was complete when it stopped; 4: the other still held a run
        assert p.wait(timeout=120) in (0, 4), p.stderr.read().decode()
    assert sl.Study(make_spec("shared", str(log), delay=0.1), store=db).status()["COMPLETE"] == 12
    counts = fits(log)
    assert sum(counts.values()) == 12 and all(v == 1 for v in counts.values())
    pids = {line.split()[2] for line in log.read_text().splitlines()}
    assert len(pids) == 2                                              # both did some of the work


def test_hyperparameter_search_keeps_every_trial(tmp_path):
    pytest.importorskip("optuna")
    spec = sl.StudySpec(name="hpo", dataset="digits", sizes=[60, 120], seeds=[0],
                        estimators={"logreg": LogisticRegression(max_iter=300)},
                        search={"trials": 4, "space": {"logreg": {"C": [1e-3, 1e2, "log"]}}})
    study = sl.Study(spec, store=str(tmp_path / "s.db"))
    assert study.run(progress=False).ran == 2
    trials = study.store.trial_frame(study.study_id)
    assert len(trials) == 8 and set(trials["size"]) == {60, 120}
    params = study.frame()["params"].tolist()
    assert all('"C"' in p for p in params)


def test_spec_from_toml(tmp_path):
    path = tmp_path / "spec.toml"
    path.write_text('''
name = "toml"
dataset = "wine"
seeds = [0, 1]
sizes = {base = 20, factor = 2, count = 3}
[estimators.logreg]
class = "sklearn.linear_model.LogisticRegression"
params = {max_iter = 500}
''')
    spec = sl.StudySpec.from_toml(path)
    assert spec.sizes == [20, 40, 80] and spec.task == "classification"
    assert spec.estimators["logreg"].max_iter == 500
    path.write_text('name = "bad"\ndataset = "wine"\nsizez = [1]\n[estimators.a]\nclass = "sklearn.linear_model.LogisticRegression"\n')
    with pytest.raises(sl.ScalingLabError, match="unknown keys \\['sizez'\\]"):
        sl.StudySpec.from_toml(path)
    path.write_text('name = "bad"\ndataset = "wine"\n[estimators.a]\nclass = "sklearn.nope.Nope"\n')
    with pytest.raises(sl.ScalingLabError, match="cannot import"):
        sl.StudySpec.from_toml(path)


def test_spec_validation():
    with pytest.raises(sl.ScalingLabError, match="give X and y, or dataset="):
        sl.StudySpec(name="x", estimators={"a": LogisticRegression()})
    with pytest.raises(sl.ScalingLabError, match="unknown dataset"):
        sl.StudySpec(name="x", dataset="mnist", estimators={"a": LogisticRegression()})
    with pytest.raises(sl.ScalingLabError, match="metric must be one of"):
        sl.StudySpec(name="x", dataset="iris", estimators={"a": LogisticRegression()}, metric="auc")


def test_shipped_example_spec_is_valid():
    spec = sl.StudySpec.from_toml(HERE.parent / "examples" / "digits_study.toml")
    assert set(spec.estimators) == {"logreg", "knn"} and spec.sizes[0] == 25


def test_study_created_once_when_workers_race(tmp_path, monkeypatch):
    """Two workers both find no study, then both insert it: the second insert does nothing
    and both get the same id (this race failed with a UNIQUE error before)."""
    import scalinglab.experiment.store as store_module
    db = str(tmp_path / "s.db")
    first, second = Store(db), Store(db)
    real_select = store_module.select
    sid = first.study_id("race", {"a": 1})
    # the second worker's existence check ran before the first worker's insert committed
    calls = {"n": 0}

    def stale_select(*args, **kwargs):
        calls["n"] += 1
        query = real_select(*args, **kwargs)
        return query.where(store_module.studies.c.id < 0) if calls["n"] == 1 else query

    monkeypatch.setattr(store_module, "select", stale_select)
    assert second.study_id("race", {"a": 1}) == sid
    assert calls["n"] >= 2 and first.study_names() == ["race"]


# -- fingerprints: a changed experiment is refused, an extended one goes on --------------------------------
def test_a_changed_spec_is_refused_with_what_changed(tmp_path):
    db = str(tmp_path / "s.db")
    sl.Study(make_spec("fp", "", sizes=(30, 60), seeds=(0,)), store=db).run(progress=False)
    changed = make_spec("fp", "", sizes=(30, 60), seeds=(0,))
    changed.estimators["logged"].set_params(fail_size=5)             # another hyperparameter
    with pytest.raises(sl.ScalingLabError, match=r"different spec; changed: estimator logged: .*fail_size=-1.*"
                                                 r"-> .*fail_size=5.*another name.*study delete"):
        sl.Study(changed, store=db)
    other_metric = sl.StudySpec(name="fp", dataset="digits", sizes=[30, 60], seeds=[0], metric="log_loss",
                                estimators={"logged": LogisticRegression()})
    with pytest.raises(sl.ScalingLabError, match="metric: 'error' -> 'log_loss'"):
        sl.Study(other_metric, store=db)
    other_data = sl.StudySpec(name="fp", dataset="wine", sizes=[30, 60], seeds=[0],
                              estimators={"logged": make_spec("x", "").estimators["logged"]})
    with pytest.raises(sl.ScalingLabError, match=r"the data \(X, y\) differ"):
        sl.Study(other_data, store=db)
    other_split = make_spec("fp", "", sizes=(30, 60), seeds=(0,))
    other_split.split_seed = 7
    with pytest.raises(sl.ScalingLabError, match="split_seed: 12345 -> 7"):
        sl.Study(other_split, store=db)


def test_extending_sizes_seeds_and_estimators_is_allowed_and_recorded(tmp_path):
    db = str(tmp_path / "s.db")
    sl.Study(make_spec("ext", "", sizes=(30, 60), seeds=(0,)), store=db).run(progress=False)
    bigger = make_spec("ext", "", sizes=(30, 60, 120), seeds=(0, 1))
    bigger.estimators["plain"] = LogisticRegression(max_iter=300)
    study = sl.Study(bigger, store=db)
    summary = study.run(progress=False)
    assert summary.ran == 2 * 3 * 2 - 2 and summary.complete
    stored = sl.Study.open(db, "ext").stored_spec
    assert stored["sizes"] == [30, 60, 120] and stored["seeds"] == [0, 1] and set(stored["estimators"]) == {"logged", "plain"}
    assert stored["cells"] == 12


# -- honest endings -------------------------------------------------------------------------------------
def test_a_study_with_runs_held_elsewhere_is_reported_incomplete(tmp_path):
    db = str(tmp_path / "s.db")
    study = sl.Study(make_spec("held", "", sizes=(30, 60), seeds=(0,)), store=db)
    held = study.cells()[0]
    study.store.claim(study.study_id, held, "elsewhere", lease=60, process="another-machine/b/n|1|1")
    summary = study.run(progress=False)
    assert not summary.complete and summary.exit_code == 4
    assert summary.status["RUNNING"] == 1 and summary.status["COMPLETE"] == 1
    assert "study INCOMPLETE: 1 run(s) held by live workers elsewhere" in str(summary)


def test_a_result_finished_after_the_run_was_reclaimed_is_dropped_and_said(tmp_path, monkeypatch):
    """finish() returns False when another worker took the run over meanwhile; that used to be
    ignored and counted as a completed run."""
    from scalinglab.experiment import runner
    study = sl.Study(make_spec("lost", "", sizes=(30,), seeds=(0,)), store=str(tmp_path / "s.db"))
    real_finish = Store.finish

    def reclaimed_meanwhile(self, run_id, *args, **kwargs):
        kwargs["process"] = "someone-else"                 # the CAS sees another holder
        return real_finish(self, run_id, *args, **kwargs)

    monkeypatch.setattr(runner.Store, "finish", reclaimed_meanwhile)
    summary = study.run(executor="serial", progress=False)
    assert summary.lost == 1 and summary.ran == 0 and not summary.complete
    assert "results were dropped" in str(summary)


def test_failed_runs_give_exit_code_1_and_retry_deletes_them_through_the_store(tmp_path):
    db = str(tmp_path / "s.db")
    summary = sl.Study(make_spec("f1", "", fail_size=60, sizes=(30, 60)), store=db).run(progress=False)
    assert summary.exit_code == 1 and "failed run(s)" in str(summary)
    assert list(summary.failures.columns) == ["estimator", "model_size", "size", "seed", "error"]
    study = sl.Study(make_spec("f1", "", fail_size=60, sizes=(30, 60)), store=db)
    assert study.store.delete_failed(study.study_id) == 3 and study.status()["FAILED"] == 0


# -- answers depend on the runs, not on the order they finished in ----------------------------------------
def test_curves_do_not_follow_the_stores_row_order(tmp_path):
    runs = [("a", size, seed, 0.5 / size ** 0.3 + seed * 1e-3) for size in (10, 20, 40) for seed in (0, 1, 2)]
    runs += [("b", size, seed, 0.3 / size ** 0.2 + seed * 1e-3) for size in (10, 20, 40) for seed in (0, 1, 2)]
    curves = []
    for order, name in ((runs, "forward.db"), (runs[::-1], "backward.db")):
        store = Store(str(tmp_path / name))
        sid = store.study_id("s", {"metric": "error"})
        for est, size, seed, value in order:
            run = store.claim(sid, Cell(est, size, seed), "w", 60)
            store.finish(run, status="COMPLETE", metric="error", value=value)
        study = sl.Study.open(str(tmp_path / name), "s")
        curves.append(study.curves())
        frame = study.frame().drop(columns=["id", "started_at", "finished_at", "heartbeat_at"])
        curves.append(frame)
    (c1, f1, c2, f2) = curves
    assert list(c1) == list(c2) == ["a", "b"]
    for key in c1:
        np.testing.assert_array_equal(c1[key].x, c2[key].x)
        np.testing.assert_array_equal(c1[key].y, c2[key].y)
        np.testing.assert_array_equal(c1[key].seed, c2[key].seed)
    pd.testing.assert_frame_equal(f1, f2)
