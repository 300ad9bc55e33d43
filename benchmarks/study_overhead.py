"""Runner overhead: a scalinglab study vs the bare training loop and vs scikit-learn's
learning_curve, same estimator, sizes and seeds, in one process (n_jobs = 1).

* bare: for each seed and size, clone, fit on the nested subset, score on the test set;
* scalinglab: a new Study in an existing SQLite store, run with executor="serial" (claims,
  heartbeats, every result committed as it finishes; study set-up and read-back included);
* learning_curve: sklearn.model_selection.learning_curve with ShuffleSplit(3 splits, 30 %
  test) and absolute train sizes (it also scores the training sets).

Target: scalinglab <= 1.05 × bare. Run: python benchmarks/study_overhead.py [--estimator logreg|forest]
[--blas-threads 1]. Note: on 2 cores, multi-threaded BLAS threads keep spinning for a moment
after each fit and slow the store's commit that follows it (about 0.4 ms per run here);
joblib's worker processes run BLAS single-threaded, so --blas-threads 1 measures that setting.
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import ShuffleSplit, learning_curve

import scalinglab as sl
from scalinglab.experiment.runner import seed_order, split
from scalinglab.experiment.store import Store


def spec(estimator: str):
    model = (LogisticRegression(max_iter=1000) if estimator == "logreg"
             else RandomForestClassifier(n_estimators=50, n_jobs=1))
    return sl.StudySpec(name="overhead", dataset="digits", sizes=[50, 100, 200, 400, 800, 1200], seeds=[0, 1, 2],
                        estimators={"model": model})


def bare(s):
    pool, test = split(s)
    X, y = s.X, s.y
    for seed in s.seeds:
        order = pool[seed_order(s, pool, seed)]
        for size in s.sizes:
            est = clone(s.estimators["model"]).set_params(random_state=seed)
            est.fit(X[order[:size]], y[order[:size]])
            np.mean(est.predict(X[test]) != y[test])


def ours(s, store):
    """A new study (new name) in an existing store: everything per study is counted."""
    s.name = f"overhead-{time.perf_counter_ns()}"
    sl.Study(s, store=store).run(executor="serial", progress=False)


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
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--estimator", choices=["logreg", "forest"], default="logreg",
                        help="logistic regression (~25 ms a fit) or a 50-tree random forest (~100 ms)")
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="limit BLAS threads (threadpoolctl) for both loops; 1 is what joblib's workers use")
    args = parser.parse_args()
    s = spec(args.estimator)
    if args.blas_threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.blas_threads)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(str(Path(folder) / "bench.db"))               # the database exists already
        ours(s, store)                                                # warm-up (imports, caches)
        t_bare = best_of(lambda: bare(s), args.repeat)
        t_ours = best_of(lambda: ours(s, store), args.repeat)
        t_lc = best_of(lambda: sklearn_curve(s), args.repeat)
    runs = len(s.sizes) * len(s.seeds)
    print(f"{runs} runs ({args.estimator} on digits, sizes {s.sizes}, 3 seeds), best of {args.repeat}, "
          f"BLAS threads: {args.blas_threads or 'default'}:")
    print(f"bare training loop:        {t_bare:7.3f} s")
    print(f"scalinglab Study (SQLite): {t_ours:7.3f} s   ratio to bare {t_ours / t_bare:.3f}x  "
          f"(overhead {(t_ours - t_bare) / runs * 1e3:.1f} ms per run)")
    print(f"sklearn learning_curve:    {t_lc:7.3f} s   ratio ours / learning_curve {t_ours / t_lc:.3f}x")


if __name__ == "__main__":
    main()
