"""Runner overhead: runs per second of a scalinglab study and its ratio to the bare training
loop, with 1, 2 and 4 workers, on SQLite and PostgreSQL; and, with one worker, against
scikit-learn's learning_curve.

* bare: for each seed and size, clone, fit on the nested subset, score on the test set; with
  k > 1 workers the same function in joblib's worker processes (Parallel(n_jobs=k));
* scalinglab: a new Study (new name) in an existing store, so study set-up and read-back are
  counted: executor="serial" with one worker, executor="joblib" with n_jobs=k otherwise (each
  run claimed, heart-beaten and committed as it finishes);
* learning_curve: sklearn.model_selection.learning_curve with ShuffleSplit(seeds splits, 30 %
  test) and absolute train sizes (it also scores the training sets), one worker.

Worker processes are started by a warm-up call first (joblib reuses them), so start-up is not
counted. The machine's cores bound the speed-up: on 2 cores, 4 workers cannot beat 2.

Run: python benchmarks/study_overhead.py [--estimator logreg|forest|dummy] [--seeds 8] [--repeat 3]
[--postgres (start a throw-away server, as the tests do) | --pg-url URL] [--blas-threads 1].
"""

import argparse
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import ShuffleSplit, learning_curve

import scalinglab as sl
from scalinglab.experiment.runner import seed_order, split
from scalinglab.experiment.store import Store

SIZES = [50, 100, 200, 400, 800, 1200]


def spec(estimator: str, seeds: int):
    model = {"logreg": LogisticRegression(max_iter=1000), "forest": RandomForestClassifier(n_estimators=50, n_jobs=1),
             "dummy": DummyClassifier(strategy="stratified")}[estimator]
    return sl.StudySpec(name="overhead", dataset="digits", sizes=SIZES, seeds=list(range(seeds)),
                        estimators={"model": model})


def _one(s, pool, test, seed, size):
    order = pool[seed_order(s, pool, seed)]
    est = clone(s.estimators["model"]).set_params(random_state=seed)
    est.fit(s.X[order[:size]], s.y[order[:size]])
    return float(np.mean(est.predict(s.X[test]) != s.y[test]))


def bare(s, workers: int):
    pool, test = split(s)
    cells = [(seed, size) for seed in s.seeds for size in s.sizes]
    if workers == 1:
        return [_one(s, pool, test, seed, size) for seed, size in cells]
    return Parallel(n_jobs=workers)(delayed(_one)(s, pool, test, seed, size) for seed, size in cells)


def ours(s, store: str, workers: int):
    """A new study (new name) in an existing store: everything per study is counted."""
    s.name = f"overhead-{uuid.uuid4().hex[:12]}"
    summary = sl.Study(s, store=store).run(executor="serial" if workers == 1 else "joblib", n_jobs=workers,
                                           progress=False)
    assert summary.complete, str(summary)


def sklearn_curve(s):
    learning_curve(s.estimators["model"], s.X, s.y, train_sizes=s.sizes,
                   cv=ShuffleSplit(n_splits=len(s.seeds), test_size=0.3, random_state=0), n_jobs=1)


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--estimator", choices=["logreg", "forest", "dummy"], default="logreg",
                        help="logistic regression (~25 ms a fit on an idle core), a 50-tree random forest "
                             "(~100 ms), or a DummyClassifier (~0.1 ms: the runs/s of the store itself)")
    parser.add_argument("--postgres", action="store_true", help="also PostgreSQL: start a throw-away server")
    parser.add_argument("--pg-url", default=None, help="also PostgreSQL, on this (empty) database")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="limit BLAS threads (threadpoolctl) in this process; joblib's workers use 1")
    args = parser.parse_args()
    s = spec(args.estimator, args.seeds)
    runs = len(s.sizes) * len(s.seeds)
    if args.blas_threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.blas_threads)
    with ExitStack() as stack:
        folder = stack.enter_context(tempfile.TemporaryDirectory())
        stores = {"SQLite": str(Path(folder) / "bench.db")}
        if args.postgres:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
            from helpers_postgres import postgres_server
            stores["PostgreSQL"] = stack.enter_context(postgres_server()).new_database("psycopg")
        elif args.pg_url:
            stores["PostgreSQL"] = args.pg_url
        for url in stores.values():
            Store(url)                                             # the database exists already
        print(f"{runs} runs per study ({args.estimator} on digits, sizes {s.sizes}, {len(s.seeds)} seeds), "
              f"best of {args.repeat}; BLAS threads here: {args.blas_threads or 'default'}")
        print(f"{'store':<11} {'workers':>7} {'bare s':>8} {'study s':>8} {'runs/s':>8} {'ratio':>7} "
              f"{'ms/run over bare':>17}")
        for workers in args.workers:
            bare(s, workers)                                       # warm-up: imports, worker processes
            t_bare = best_of(lambda: bare(s, workers), args.repeat)
            for backend, url in stores.items():
                ours(s, url, workers)                              # warm-up
                t_ours = best_of(lambda: ours(s, url, workers), args.repeat)
                print(f"{backend:<11} {workers:>7} {t_bare:8.3f} {t_ours:8.3f} {runs / t_ours:8.1f} "
                      f"{t_ours / t_bare:6.3f}x {(t_ours - t_bare) / runs * 1e3 * workers:17.1f}")
        if 1 in args.workers:
            t_lc = best_of(lambda: sklearn_curve(s), args.repeat)
            print(f"sklearn learning_curve, 1 worker: {t_lc:.3f} s ({runs / t_lc:.1f} runs/s; it also scores the "
                  "training sets)")


if __name__ == "__main__":
    main()
