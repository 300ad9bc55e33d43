"""Studies under the conditions users leave them in: a real PostgreSQL server through both
drivers, worker processes killed with SIGKILL at random moments (PostgreSQL with 4 workers,
SQLite with 2, at least 20 kills each), and a real Dask scheduler and workers as separate
processes on loopback with a worker killed mid-study. Slow: .ci/run runs them (-m slow)."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import scalinglab as sl
from helpers_postgres import DRIVERS, pg  # noqa: F401 - the fixture
from helpers_study import make_spec
from scalinglab.experiment.store import Cell, Store

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent
KEY = ["estimator", "model_size", "size", "seed"]


def reference_values(tmp_path, sizes, seeds) -> dict:
    """Metric per cell of an uninterrupted serial run with the same seeds."""
    study = sl.Study(make_spec("reference", "", sizes=sizes, seeds=seeds), store=str(tmp_path / "reference.db"))
    study.run(executor="serial", progress=False)
    return {tuple(r[k] for k in KEY): r["value"] for r in study.frame().to_dict("records")}


# -- PostgreSQL through both drivers ----------------------------------------------------------------------
@pytest.mark.parametrize("driver", DRIVERS)
def test_a_study_runs_on_postgresql_with_either_driver(pg, tmp_path, driver):
    """psycopg 3 reports rowcount -1 for the claim's INSERT ... ON CONFLICT: the first pass ran
    nothing, marked every cell RUNNING and exited 0."""
    url = pg.new_database(driver)
    spec = make_spec("pg", "", sizes=(30, 60), seeds=(0, 1))
    summary = sl.Study(spec, store=url).run(executor="serial", progress=False)
    assert summary.ran == 4 and summary.complete and summary.exit_code == 0, str(summary)
    store = Store(url)
    sid = store.study_by_name("pg")
    assert store.counts(sid) == {"COMPLETE": 4, "FAILED": 0, "RUNNING": 0, "RECLAIMABLE": 0}
    # claims, leases and the database clock, as on SQLite
    elsewhere = "another-machine/b/n|9|9"
    run = store.claim(sid, Cell("x", 10, 0), "w1", lease=0.05, process=elsewhere)
    assert run is not None and store.claim(sid, Cell("x", 10, 0), "w2", lease=60, process="w2") is None
    time.sleep(0.2)
    assert store.counts(sid)["RECLAIMABLE"] == 1
    assert store.claim(sid, Cell("x", 10, 0), "w2", lease=60, process="w2") == run
    assert not store.finish(run, status="COMPLETE", metric="error", value=0.1, process=elsewhere)
    assert store.finish(run, status="COMPLETE", metric="error", value=0.1, process="w2")
    assert abs(store.frame(sid)["finished_at"].max() - store.now()) < 600
    assert Store(url, read_only=True).study_names() == ["pg"]


def test_postgresql_passwords_are_hidden(pg):
    url = pg.url("psycopg", "no_such_database", password="hunter2-secret")
    with pytest.raises(sl.ScalingLabError) as info:
        Store(url)
    assert "hunter2" not in str(info.value) and "no_such_database" in str(info.value)


def _open_at_once(url, barrier, results):
    barrier.wait()
    try:
        Store(url).study_id("race", {})
        results.put("ok")
    except Exception as error:  # noqa: BLE001 - reported to the test
        results.put(f"{type(error).__name__}: {error}")


@pytest.mark.parametrize("driver", DRIVERS)
def test_workers_creating_a_postgresql_store_at_once_all_succeed(pg, driver):
    ctx = multiprocessing.get_context("fork")
    for _ in range(3):
        url = pg.new_database(driver)
        barrier, results = ctx.Barrier(4), ctx.Queue()
        procs = [ctx.Process(target=_open_at_once, args=(url, barrier, results)) for _ in range(4)]
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        assert outcomes == ["ok"] * 4, outcomes


# -- chaos: SIGKILL at random moments until the study completes -------------------------------------------
def _worker(url, log, delay, sizes, seeds):
    """One worker process: the study, serially, on the shared store."""
    study = sl.Study(make_spec("chaos", log, delay=delay, sizes=sizes, seeds=seeds), store=url)
    os._exit(study.run(executor="serial", progress=False).exit_code)


# 192 cells of >= 0.2 s each: >= 10 s of work for 4 workers on an idle machine, while 20 kills
# at 0.05-0.3 s intervals take about 4 s, so the kills always land before the study completes
SIZES, SEEDS = (30, 60, 120, 240), tuple(range(48))


def chaos(url: str, workers: int, tmp_path, *, kills_wanted: int = 20, delay: float = 0.2,
          sizes=SIZES, seeds=SEEDS, seed: int = 0) -> dict:
    """Run the study with ``workers`` forked worker processes on ``url``; SIGKILL a random
    worker every 0.05-0.3 s (a new one replaces it) until ``kills_wanted`` kills, then let
    the study finish. Returns what happened."""
    log = str(tmp_path / "fits.log")
    ctx = multiprocessing.get_context("fork")
    rng = random.Random(seed)
    Store(url)                                                  # the schema exists before the workers

    def start():
        p = ctx.Process(target=_worker, args=(url, log, delay, sizes, seeds))
        p.start()
        return p

    procs = [start() for _ in range(workers)]
    kills, restarts, t0 = 0, 0, time.time()
    while time.time() - t0 < 400:
        time.sleep(rng.uniform(0.05, 0.3))
        alive = [p for p in procs if p.is_alive()]
        if kills < kills_wanted and alive:
            victim = rng.choice(alive)
            os.kill(victim.pid, signal.SIGKILL)
            victim.join()
            kills += 1
        finished = [p for p in procs if not p.is_alive()]
        for p in finished:
            p.join()
            procs.remove(p)
        study = sl.Study(make_spec("chaos", log, delay=delay, sizes=sizes, seeds=seeds), store=url)
        if study.status()["COMPLETE"] == len(study.cells()):
            break
        while len(procs) < workers:                             # replace the killed and the finished
            procs.append(start())
            restarts += 1
    for p in procs:
        p.join(timeout=120)
    fits = Path(log).read_text().splitlines() if Path(log).exists() else []
    return {"kills": kills, "restarts": restarts, "seconds": time.time() - t0, "frame": study.frame(),
            "status": study.status(), "trainings": len([f for f in fits if len(f.split()) == 3])}


def check_chaos(outcome: dict, tmp_path, sizes=SIZES, seeds=SEEDS, label=""):
    df, cells = outcome["frame"], len(sizes) * len(seeds)
    lost = cells - df[KEY].drop_duplicates().shape[0]
    duplicated = len(df) - df[KEY].drop_duplicates().shape[0]
    print(f"\nchaos {label}: {outcome['kills']} SIGKILLs survived, {lost} runs lost, {duplicated} duplicated, "
          f"{outcome['trainings'] - cells} trainings repeated (in flight when killed), "
          f"{outcome['seconds']:.0f} s")
    assert outcome["kills"] >= 20, "the study finished before 20 kills: make it longer"
    assert lost == 0 and duplicated == 0 and len(df) == cells
    assert (df["status"] == "COMPLETE").all() and outcome["status"]["RUNNING"] == 0
    reference = reference_values(tmp_path, sizes, seeds)
    got = {tuple(r[k] for k in KEY): r["value"] for r in df.to_dict("records")}
    assert got == reference                                     # identical metrics, cell by cell


def test_chaos_postgresql_four_workers_twenty_sigkills(pg, tmp_path):
    outcome = chaos(pg.new_database("psycopg"), 4, tmp_path)
    check_chaos(outcome, tmp_path, label="PostgreSQL, 4 workers")


def test_chaos_sqlite_two_workers_twenty_sigkills(tmp_path):
    outcome = chaos(f"sqlite:///{tmp_path / 'chaos.db'}", 2, tmp_path)
    check_chaos(outcome, tmp_path, label="SQLite, 2 workers")


# -- a real Dask cluster: scheduler and workers as separate processes ---------------------------------------
def test_dask_scheduler_and_workers_as_processes_with_a_worker_killed(tmp_path):
    pytest.importorskip("distributed", reason="dask.distributed is an optional extra")
    from distributed import Client
    cli = Path(sys.executable).with_name("dask")             # `dask scheduler` / `dask worker`, as users run them
    dask = [str(cli), "scheduler"] if cli.exists() else [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    worker_cmd = [str(cli), "worker"] if cli.exists() else [sys.executable, "-m", "distributed.cli.dask_worker"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
           "OMP_NUM_THREADS": "1"}
    scheduler_file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(scheduler_file)], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.time() + 120
        while not scheduler_file.exists() and time.time() < deadline:
            time.sleep(0.2)
        workers = [subprocess.Popen([*worker_cmd, "--scheduler-file", str(scheduler_file), "--nthreads", "1",
                                     "--no-nanny", "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{i}"],
                                    env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                   for i in range(2)]
        procs += workers
        log, sizes, seeds = tmp_path / "fits.log", (30, 60, 120), (0, 1, 2, 3)
        with Client(scheduler_file=str(scheduler_file), timeout=120) as client:
            client.wait_for_workers(2, timeout=180)
            study = sl.Study(make_spec("dask", str(log), delay=0.5, sizes=sizes, seeds=seeds), store=str(tmp_path / "s.db"))

            def kill_when_busy():
                victim = workers[0]
                while time.time() < deadline + 300:
                    lines = log.read_text().splitlines() if log.exists() else []
                    if sum(line.split()[2:] == [str(victim.pid)] for line in lines) >= 2:
                        victim.send_signal(signal.SIGKILL)   # mid-run: its 2nd fit logged as it began, then sleeps 0.5 s
                        return
                    time.sleep(0.05)

            import threading
            killer = threading.Thread(target=kill_when_busy)
            killer.start()
            summary = study.run(executor="dask", client=client, progress=False)
            killer.join()
        assert workers[0].wait(timeout=30) == -signal.SIGKILL
        df = study.frame()
        assert summary.complete and len(df) == len(sizes) * len(seeds), str(summary)
        assert df[KEY].drop_duplicates().shape[0] == len(df)            # nothing stored twice
        pids = {line.split()[2] for line in log.read_text().splitlines() if len(line.split()) == 3}
        assert str(workers[0].pid) in pids and str(workers[1].pid) in pids   # both worked; one died working
        reference = reference_values(tmp_path, sizes, seeds)
        assert {tuple(r[k] for k in KEY): r["value"] for r in df.to_dict("records")} == reference
        hosts = json.loads(scheduler_file.read_text())["address"]
        assert hosts.startswith("tcp://127.0.0.1:")
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
