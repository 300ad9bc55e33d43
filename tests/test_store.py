"""The store on its own: opening (read-only, not a database, unknown URLs, passwords hidden),
schema versions and their migration, concurrent creation, the database clock, provably dead
holders, status counts and deletion."""

from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
import time

import pytest

import scalinglab as sl
from scalinglab.experiment.store import (SCHEMA_VERSION, Cell, Store, process_identity, provably_dead,
                                         hide_password)

V1_SCHEMA = """
CREATE TABLE scalinglab_meta (key VARCHAR(64) NOT NULL PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE studies (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL UNIQUE, spec TEXT NOT NULL,
                      created_at FLOAT NOT NULL);
CREATE TABLE runs (id INTEGER NOT NULL PRIMARY KEY, study_id INTEGER NOT NULL REFERENCES studies (id),
    estimator VARCHAR(255) NOT NULL, size INTEGER NOT NULL, seed INTEGER NOT NULL, model_size VARCHAR(64) NOT NULL,
    status VARCHAR(16) NOT NULL, metric VARCHAR(64), value FLOAT, value_special VARCHAR(8), params TEXT,
    train_time FLOAT, eval_time FLOAT, error TEXT, worker VARCHAR(255), host VARCHAR(255), started_at FLOAT,
    finished_at FLOAT, heartbeat_at FLOAT,
    CONSTRAINT one_run_per_cell UNIQUE (study_id, estimator, size, seed, model_size));
CREATE TABLE trials (id INTEGER NOT NULL PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES runs (id),
    number INTEGER NOT NULL, params TEXT NOT NULL, value FLOAT, value_special VARCHAR(8), state VARCHAR(16));
INSERT INTO scalinglab_meta VALUES ('schema_version', '1');
"""


def write_v1_store(path, spec: dict, values: dict) -> None:
    """A store as scalinglab 0.1 (schema 1) wrote it: one study, completed runs."""
    import json
    con = sqlite3.connect(path)
    con.executescript(V1_SCHEMA)
    con.execute("INSERT INTO studies VALUES (1, ?, ?, 0)", (spec["name"], json.dumps(spec)))
    for (est, size, seed), value in values.items():
        con.execute("INSERT INTO runs (study_id, estimator, size, seed, model_size, status, metric, value, params, "
                    "worker, host, started_at, finished_at, heartbeat_at) VALUES (1, ?, ?, ?, '', 'COMPLETE', "
                    "'error', ?, '{}', 'old:1', 'old', 1, 2, 2)", (est, size, seed, value))
    con.commit()
    con.close()


# -- opening ------------------------------------------------------------------------------------------
def test_read_only_open_of_a_missing_file_says_not_found_and_creates_nothing(tmp_path):
    missing = tmp_path / "typo.db"
    with pytest.raises(sl.ScalingLabError, match="store not found: .*typo.db"):
        Store(str(missing), read_only=True)
    with pytest.raises(sl.ScalingLabError, match="store not found"):
        sl.Study.open(str(missing))
    assert not missing.exists()


def test_read_only_store_cannot_write(tmp_path):
    Store(str(tmp_path / "s.db")).study_id("x", {})
    ro = Store(str(tmp_path / "s.db"), read_only=True)
    assert ro.study_names() == ["x"]
    with pytest.raises(sl.ScalingLabError, match="read-only"):
        ro.study_id("y", {})


@pytest.mark.parametrize("content, message", [
    (b"name,value\n1,2\n", "not a scalinglab store \\(not a SQLite database\\)"),
    (b"", "empty file"),
])
def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "runs.csv"
    path.write_bytes(content)
    with pytest.raises(sl.ScalingLabError, match=message):
        Store(str(path), read_only=True)
    if content:
        with pytest.raises(sl.ScalingLabError, match=message):
            Store(str(path))
        assert path.read_bytes() == content


def test_a_sqlite_database_of_another_program_is_not_a_store(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE runs (x)")
    con.commit()
    con.close()
    with pytest.raises(sl.ScalingLabError, match="not a scalinglab store"):
        Store(str(path))
    with pytest.raises(sl.ScalingLabError, match="not a scalinglab store"):
        Store(str(tmp_path / "other.db"), read_only=True)


@pytest.mark.parametrize("url, message", [
    ("foo://x/y", "unknown or unsupported database 'foo'"),
    ("mysql://u:pw@host/db", "unknown or unsupported database 'mysql'"),
    ("not a url://", "not a database URL"),
    ("", "SQLite file path or a database URL"),
])
def test_unusable_urls_are_clear_errors(url, message):
    with pytest.raises(sl.ScalingLabError, match=message):
        Store(url)


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(sl.ScalingLabError, match="folder .* does not exist"):
        Store(str(tmp_path / "nope" / "s.db"))


def test_passwords_are_never_shown():
    url = "postgresql://alice:s3cr3t-pw@127.0.0.1:1/db"        # nothing listens on port 1
    assert "s3cr3t" not in hide_password(url) and "***" in hide_password(url)
    with pytest.raises(sl.ScalingLabError) as info:
        Store(url)
    assert "s3cr3t" not in str(info.value) and "alice:***@127.0.0.1" in str(info.value)
    with pytest.raises(sl.ScalingLabError) as info:
        Store("mysql://alice:s3cr3t-pw@host/db")
    assert "s3cr3t" not in str(info.value)


# -- schema versions ------------------------------------------------------------------------------------
def test_an_old_schema_is_refused_with_the_upgrade_path_and_upgrade_keeps_the_runs(tmp_path):
    path = str(tmp_path / "old.db")
    write_v1_store(path, {"name": "old", "metric": "error"}, {("a", 10, 0): 0.5, ("a", 20, 0): 0.4})
    for read_only in (False, True):
        with pytest.raises(sl.ScalingLabError, match="schema 1.*scalinglab study upgrade"):
            Store(path, read_only=read_only)
    assert Store.upgrade(path) == (1, SCHEMA_VERSION)
    assert Store.upgrade(path) == (SCHEMA_VERSION, SCHEMA_VERSION)            # idempotent
    study = sl.Study.open(path, "old")
    assert study.status()["COMPLETE"] == 2 and list(study.curves()["a"].y) == [0.5, 0.4]


def test_a_newer_schema_is_refused(tmp_path):
    path = str(tmp_path / "new.db")
    Store(path)
    con = sqlite3.connect(path)
    con.execute("UPDATE scalinglab_meta SET value = '99'")
    con.commit()
    con.close()
    with pytest.raises(sl.ScalingLabError, match="schema 99, written by a newer scalinglab"):
        Store(path)


def _open_at_once(path, barrier, results):
    barrier.wait()
    try:
        store = Store(path)
        store.study_id("race", {"a": 1})
        results.put("ok")
    except Exception as error:  # noqa: BLE001 - reported to the test
        results.put(f"{type(error).__name__}: {error}")


def test_workers_creating_a_new_store_at_the_same_moment_all_succeed(tmp_path):
    """6 processes open a new SQLite store at one instant: the schema is created once, under
    the write lock (before: 'table already exists' and an IntegrityError on the version row)."""
    ctx = multiprocessing.get_context("fork")
    for attempt in range(3):
        path = str(tmp_path / f"new{attempt}.db")
        barrier, results = ctx.Barrier(6), ctx.Queue()
        procs = [ctx.Process(target=_open_at_once, args=(path, barrier, results)) for _ in range(6)]
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        assert outcomes == ["ok"] * 6, outcomes
        assert Store(path).study_names() == ["race"]


def test_a_transient_sqlite_lock_while_opening_is_retried(tmp_path, monkeypatch):
    """SQLite can answer 'database is locked' at once (no busy wait) while another process turns
    a new file to WAL: seen once in CI with 6 workers. Opening retries; other errors do not."""
    import sqlalchemy.exc
    real, calls = Store._read_or_create_schema, []

    def flaky(self):
        calls.append(1)
        if len(calls) < 3:
            locked = sqlite3.OperationalError("database is locked")
            raise sqlalchemy.exc.OperationalError("PRAGMA journal_mode=WAL", {}, locked)
        return real(self)

    monkeypatch.setattr(Store, "_read_or_create_schema", flaky)
    Store(str(tmp_path / "s.db"))
    assert len(calls) == 3

    def broken(self):
        raise sqlalchemy.exc.OperationalError("SELECT", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(Store, "_read_or_create_schema", broken)
    with pytest.raises(sl.ScalingLabError, match="disk I/O error"):
        Store(str(tmp_path / "t.db"))


# -- clocks and holders -----------------------------------------------------------------------------------
def test_timestamps_come_from_the_database_clock(tmp_path, monkeypatch):
    store = Store(str(tmp_path / "s.db"))
    sid = store.study_id("clock", {})
    monkeypatch.setattr(time, "time", lambda: 1_000.0)          # a worker whose clock is far off
    run = store.claim(sid, Cell("a", 10, 0), "w", lease=60)
    store.finish(run, status="COMPLETE", metric="error", value=0.1)
    row = store.frame(sid).iloc[0]
    db_now = store.now()
    for column in ("started_at", "heartbeat_at", "finished_at"):
        assert abs(row[column] - db_now) < 600, column


def test_a_dead_process_on_this_machine_is_provably_dead():
    proc = subprocess.Popen([sys.executable, "-c", "import os; print(open('/proc/self/stat').read() "
                             "if os.path.exists('/proc/self/stat') else '')"], stdout=subprocess.PIPE, text=True)
    stat = proc.communicate()[0]
    machine = process_identity().rsplit("|", 2)[0]
    started = stat.rpartition(")")[2].split()[19] if stat else ""
    assert provably_dead(f"{machine}|{proc.pid}|{started}")                   # exited and reaped
    assert not provably_dead(process_identity())                              # this process lives
    me = process_identity().rsplit("|", 1)[0]
    if started:
        assert provably_dead(f"{me}|1")                                       # my PID, another start time
    assert not provably_dead(f"other-host/boot/ns|{proc.pid}|{started}")      # other machines: the lease
    assert not provably_dead(None) and not provably_dead("garbage")


def test_a_run_of_a_dead_worker_is_reclaimed_at_once_and_counted_reclaimable(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    sid = store.study_id("dead", {})
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    dead = f"{process_identity().rsplit('|', 2)[0]}|{proc.pid}|"
    run = store.claim(sid, Cell("a", 10, 0), "dead:1", lease=3600, process=dead)
    store.claim(sid, Cell("a", 20, 0), "alive:1", lease=3600, process="another-machine/b/n|7|7")
    done = store.claim(sid, Cell("a", 40, 0), "me", lease=3600)
    store.finish(done, status="FAILED", metric="error", error="boom")
    assert store.counts(sid) == {"COMPLETE": 0, "FAILED": 1, "RUNNING": 1, "RECLAIMABLE": 1}
    assert store.reclaimable_cells(sid) == [Cell("a", 10, 0)]
    assert store.claim(sid, Cell("a", 10, 0), "me", lease=60) == run            # no wait for the hour
    assert store.claim(sid, Cell("a", 20, 0), "me", lease=60) is None           # a live holder keeps it
    assert store.heartbeat(run) and not store.heartbeat(run, process=dead)


def test_delete_failed_and_delete_study(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    sid = store.study_id("d", {})
    for size, status in ((10, "FAILED"), (20, "COMPLETE"), (40, "FAILED")):
        run = store.claim(sid, Cell("a", size, 0), "w", lease=60)
        store.finish(run, status=status, metric="error", value=0.1)
    other = store.study_id("keep", {})
    store.finish(store.claim(other, Cell("a", 10, 0), "w", lease=60), status="FAILED", metric="error")
    assert store.delete_failed(sid) == 2 and store.counts(sid)["FAILED"] == 0
    assert store.counts(other)["FAILED"] == 1                                  # other studies untouched
    assert store.delete_study("d") == 1 and store.study_names() == ["keep"]
    with pytest.raises(sl.ScalingLabError, match="no study named 'd'"):
        store.delete_study("d")
