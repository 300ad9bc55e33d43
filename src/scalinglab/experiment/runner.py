"""Running a study: cells -> workers -> store, resumable, in parallel, with progress.

Every cell (estimator × model size × size × seed) is claimed in the store before it runs
and finished there the moment it ends (``store.py``), so a killed study resumes where it
stopped: finished runs are skipped, runs that were in flight when their worker died are
reclaimed once their heartbeat is older than the lease, and two workers on one store never
run the same cell twice.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import log_loss, mean_squared_error

from ..curves import Curve, CurveSet
from ..errors import ScalingLabError
from . import executors
from .spec import StudySpec
from .store import COMPLETE, FAILED, RUNNING, Cell, Store, worker_id

#: Seconds without a heartbeat after which a RUNNING run is presumed dead and reclaimed.
DEFAULT_LEASE = 60.0


# -- data splits -------------------------------------------------------------------------------------
def stratified_order(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A shuffled order whose every prefix keeps the class proportions (nested, stratified
    subsets): each sample's rank is (its position within its shuffled class + U(0,1)) divided
    by the class size; sorting by rank interleaves the classes proportionally."""
    rank = np.empty(len(y))
    for label in np.unique(y):
        idx = np.flatnonzero(y == label)
        rng.shuffle(idx)
        rank[idx] = (np.arange(len(idx)) + rng.uniform(size=len(idx))) / len(idx)
    return np.argsort(rank, kind="stable")


def split(spec: StudySpec) -> tuple[np.ndarray, np.ndarray]:
    """(training pool, test set) indices: one held-out test set for every size and seed."""
    rng = np.random.default_rng(spec.split_seed)
    n = len(spec.y)
    order = stratified_order(spec.y, rng) if spec.task == "classification" else rng.permutation(n)
    n_test = max(1, int(round(spec.test_fraction * n)))
    # every k-th sample of a stratified order is itself stratified
    test = np.zeros(n, bool)
    test[order[np.linspace(0, n - 1, n_test).round().astype(int)]] = True
    return np.flatnonzero(~test), np.flatnonzero(test)


def seed_order(spec: StudySpec, pool: np.ndarray, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y_pool = spec.y[pool]
    return stratified_order(y_pool, rng) if spec.task == "classification" else rng.permutation(len(pool))


# -- one run ----------------------------------------------------------------------------------------
def score(metric, estimator, X, y) -> float:
    """Lower is better."""
    if callable(metric):
        return float(metric(estimator, X, y))
    if metric == "error":
        return float(np.mean(estimator.predict(X) != y))
    if metric == "log_loss":
        return float(log_loss(y, estimator.predict_proba(X), labels=estimator.classes_))
    mse = float(mean_squared_error(y, estimator.predict(X)))
    return mse if metric == "mse" else float(np.sqrt(mse))


def make_estimator(template, model_size, seed: int):
    """A fresh estimator: a clone of the template (or the factory's output for a model size),
    with ``random_state`` set to the run's seed when it has one."""
    if model_size != "":
        est = template(json.loads(model_size))
    elif hasattr(template, "fit"):
        est = clone(template)
    else:
        est = template()
    if "random_state" in est.get_params():
        est.set_params(random_state=seed)
    return est


def _suggest(trial, space: Mapping):
    params = {}
    for name, rule in space.items():
        if isinstance(rule, Mapping):
            params[name] = trial.suggest_categorical(name, list(rule["choices"]))
        else:
            low, high, *kind = rule
            kind = kind[0] if kind else "linear"
            if kind == "int":
                params[name] = trial.suggest_int(name, int(low), int(high))
            else:
                params[name] = trial.suggest_float(name, float(low), float(high), log=kind == "log")
    return params


def search_and_fit(template, model_size, seed, X, y, metric, search: Mapping, estimator_name: str):
    """Optuna search on a validation split of the size-n set (the best model per size, as
    Hestness et al. did); returns the refitted best estimator, its params and every trial."""
    try:
        import optuna
    except ImportError:
        raise ScalingLabError("hyperparameter search needs optuna: pip install 'scalinglab[search]'") from None
    space = search.get("space", {}).get(estimator_name, {})
    n_val = max(1, int(round(0.2 * len(y))))
    fit_idx, val_idx = np.arange(n_val, len(y)), np.arange(n_val)    # the order is already shuffled
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))

    def objective(trial):
        est = make_estimator(template, model_size, seed).set_params(**_suggest(trial, space))
        est.fit(X[fit_idx], y[fit_idx])
        return score(metric, est, X[val_idx], y[val_idx])

    study.optimize(objective, n_trials=int(search.get("trials", 10)), catch=(Exception,))
    rows = [{"number": t.number, "params": t.params, "value": t.value, "state": t.state.name} for t in study.trials]
    completed = [t for t in study.trials if t.state.name == "COMPLETE"]
    if not completed:
        raise RuntimeError("every hyperparameter trial failed")
    best = make_estimator(template, model_size, seed).set_params(**study.best_params)
    best.fit(X, y)
    return best, study.best_params, rows


class _Heartbeat:
    """One daemon thread per worker process refreshes the heartbeat of the runs it is
    executing every lease/3 seconds (a thread per run would cost a start-up per run)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._active: dict[int, tuple] = {}
        self._thread: threading.Thread | None = None
        self._period = DEFAULT_LEASE / 3

    def start(self, store, run_id: int, worker: str, lease: float) -> None:
        with self._lock:
            self._active[run_id] = (store, worker)
            self._period = min(self._period, lease / 3)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, daemon=True, name="scalinglab-heartbeat")
                self._thread.start()

    def stop(self, run_id: int) -> None:
        with self._lock:
            self._active.pop(run_id, None)

    def _loop(self) -> None:
        while True:
            time.sleep(self._period)
            with self._lock:
                active = list(self._active.items())
            for run_id, (store, worker) in active:
                try:
                    store.heartbeat(run_id, worker)
                except Exception:                         # noqa: BLE001 - retried at the next beat
                    pass


_HEARTBEAT = _Heartbeat()


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one cell (picklable)."""

    store_url: str
    study_id: int
    cell: Cell
    template: object
    X_train: np.ndarray          # the first `size` samples of the seed's order
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    metric: object
    metric_name: str
    search: Mapping | None
    lease: float


def execute(task: RunTask) -> tuple[Cell, str]:
    """Claim, train, evaluate, finish; returns (cell, outcome) with outcome in
    "complete", "failed", "skipped". Never raises for a failing estimator: the error text is
    stored with the run."""
    store = Store.shared(task.store_url)
    me = worker_id()
    run_id = store.claim(task.study_id, task.cell, me, task.lease)
    if run_id is None:
        return task.cell, "skipped"
    _HEARTBEAT.start(store, run_id, me, task.lease)
    try:
        t0 = time.perf_counter()
        trials_rows, params = None, {}
        if task.search:
            est, params, trials_rows = search_and_fit(task.template, task.cell.model_size, task.cell.seed,
                                                      task.X_train, task.y_train, task.metric, task.search,
                                                      task.cell.estimator)
        else:
            est = make_estimator(task.template, task.cell.model_size, task.cell.seed)
            est.fit(task.X_train, task.y_train)
        t1 = time.perf_counter()
        if hasattr(est, "n_parameters_"):          # torch models report N for joint laws
            params = {**params, "n_parameters": int(est.n_parameters_)}
        value = score(task.metric, est, task.X_test, task.y_test)
        t2 = time.perf_counter()
        store.finish(run_id, me, status=COMPLETE, metric=task.metric_name, value=value, params=params,
                     train_time=t1 - t0, eval_time=t2 - t1, trial_rows=trials_rows)
        return task.cell, "complete"
    except Exception as exc:                                     # noqa: BLE001 - recorded, study goes on
        store.finish(run_id, me, status=FAILED, metric=task.metric_name,
                     error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}")
        return task.cell, "failed"
    finally:
        _HEARTBEAT.stop(run_id)


@dataclass(frozen=True)
class StudySummary:
    """What a call to :meth:`Study.run` did, and where the study stands."""

    ran: int
    failed: int
    skipped: int
    seconds: float
    status: dict = field(default_factory=dict)
    failures: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()

    def __str__(self) -> str:
        counts = ", ".join(f"{k.lower()} {v}" for k, v in self.status.items())
        text = (f"ran {self.ran} run(s) in {self.seconds:.1f} s ({self.failed} failed, {self.skipped} already done "
                f"or held by another worker); study: {counts}")
        for note in self.notes:
            text += f"\nnote: {note}"
        if self.failures is not None and len(self.failures):
            for _, row in self.failures.iterrows():
                first = str(row["error"]).splitlines()[0]
                text += f"\nfailed: {row['estimator']} size {row['size']} seed {row['seed']}: {first}"
        return text


def curves_from_runs(df: pd.DataFrame, metric: str | None = None, name: str = "") -> CurveSet:
    """Completed, finite runs of a store's frame as one Curve per estimator (and model size)."""
    df = df[(df["status"] == COMPLETE) & np.isfinite(df["value"].astype(float))] if len(df) else df
    if not len(df):
        raise ScalingLabError(f"study {name!r} has no completed runs yet")
    out = {}
    for (estimator, model), part in df.groupby(["estimator", "model_size"], sort=False):
        key = estimator if model == "" else f"{estimator}[{model}]"
        out[key] = Curve(part["size"].to_numpy(float), part["value"].to_numpy(float), seed=part["seed"].to_numpy(),
                         metric=metric or str(part["metric"].iloc[0]))
    return CurveSet(out)


class Study:
    """A study bound to a store.

    >>> # study = Study(spec, store="study.db"); study.run(n_jobs=2); study.curves()
    """

    def __init__(self, spec: StudySpec, store: str | Store = "scalinglab-study.db", *, lease: float = DEFAULT_LEASE):
        if not isinstance(spec, StudySpec):
            raise ScalingLabError(f"expected a StudySpec, got {type(spec).__name__}")
        self.spec = spec
        self.store = store if isinstance(store, Store) else Store(store)
        self.lease = float(lease)
        self.study_id = self.store.study_id(spec.name, spec.describe())
        self.pool, self.test = split(spec)
        self.notes: list[str] = []
        # sizes are capped by the data available: larger ones become one run on the whole pool
        too_big = [s for s in spec.sizes if s > len(self.pool)]
        self.sizes = sorted({min(s, len(self.pool)) for s in spec.sizes})
        if too_big:
            self.notes.append(f"sizes {too_big} exceed the training pool of {len(self.pool)} samples: "
                              f"capped to {len(self.pool)}")

    def cells(self) -> list[Cell]:
        models = [""] if self.spec.model_sizes is None else [json.dumps(m) for m in self.spec.model_sizes]
        return [Cell(name, size, seed, model) for name in self.spec.estimators for model in models
                for seed in self.spec.seeds for size in self.sizes]

    def _tasks(self, cells: list[Cell]) -> list[RunTask]:
        orders = {seed: self.pool[seed_order(self.spec, self.pool, seed)] for seed in self.spec.seeds}
        X, y = self.spec.X, self.spec.y
        X_test, y_test = X[self.test], y[self.test]
        return [RunTask(self.store.url, self.study_id, c, self.spec.estimators[c.estimator],
                        X[orders[c.seed][:c.size]], y[orders[c.seed][:c.size]], X_test, y_test, self.spec.metric,
                        self.spec.metric_name, self.spec.search, self.lease) for c in cells]

    def pending(self, retry_failed: bool = False) -> list[Cell]:
        """Cells without a finished run (and failed ones with ``retry_failed``)."""
        done = self.store.cells_with_status(self.study_id, [COMPLETE] + ([] if retry_failed else [FAILED]))
        return [c for c in self.cells() if c not in done]

    def run(self, *, n_jobs: int = 1, executor: str = "joblib", progress: bool = True, client=None,
            retry_failed: bool = False) -> StudySummary:
        """Run every pending cell. ``executor``: "joblib" (local processes, default), "serial"
        (in this process), or "dask" (``client``, or a LocalCluster of ``n_jobs`` workers)."""
        if retry_failed:
            self._reset_failed()
        cells = self.pending(retry_failed)
        t0 = time.perf_counter()
        outcomes = executors.run(execute, self._tasks(cells), executor=executor, n_jobs=n_jobs,
                                 progress=progress, client=client, label=f"study {self.spec.name}")
        counts = pd.Series([o for _, o in outcomes], dtype=object).value_counts()
        status = self.status()
        failures = None
        if status[FAILED]:
            df = self.frame()
            failures = df[df["status"] == FAILED][["estimator", "size", "seed", "model_size", "error"]]
        return StudySummary(ran=int(counts.get("complete", 0) + counts.get("failed", 0)),
                            failed=int(counts.get("failed", 0)), skipped=int(counts.get("skipped", 0)),
                            seconds=time.perf_counter() - t0, status=status, failures=failures,
                            notes=tuple(self.notes))

    def _reset_failed(self) -> None:
        from sqlalchemy import delete
        from .store import runs
        with self.store.transaction() as conn:
            conn.execute(delete(runs).where(runs.c.study_id == self.study_id, runs.c.status == FAILED))

    def status(self) -> dict:
        """Counts of runs by status, and the cells not started yet."""
        counts = self.store.counts(self.study_id)
        total = len(self.cells())
        return {COMPLETE: counts.get(COMPLETE, 0), FAILED: counts.get(FAILED, 0), RUNNING: counts.get(RUNNING, 0),
                "PENDING": total - sum(counts.values()), "TOTAL": total}

    def frame(self) -> pd.DataFrame:
        return self.store.frame(self.study_id)

    def curves(self) -> CurveSet:
        """One curve per estimator (per estimator and model size when there is a model-size
        axis) from the completed runs: x = training-set size, y = the metric, seeds kept."""
        return curves_from_runs(self.frame(), self.spec.metric_name, self.spec.name)

    def joint_curve(self, estimator: str) -> Curve:
        """(model size, data size) -> metric for an estimator with a model-size axis; the model
        size is the trained parameter count N when the estimator reports one (torch adapter),
        else the product of the model-size value."""
        df = self.frame()
        df = df[(df["status"] == COMPLETE) & (df["estimator"] == estimator)]
        if not len(df) or (df["model_size"] == "").any():
            raise ScalingLabError(f"no completed model-size runs for {estimator!r}")
        model = np.array([float(json.loads(p).get("n_parameters", np.prod(json.loads(m))))
                          for p, m in zip(df["params"], df["model_size"])])
        return Curve(np.c_[model, df["size"].to_numpy(float)], df["value"].to_numpy(float),
                     seed=df["seed"].to_numpy(), metric=self.spec.metric_name, x_names=("model_size", "n"))
