"""Running a study: cells -> workers -> store, resumable, in parallel, with progress.

Every cell (estimator × model size × size × seed) is claimed in the store before it runs
and finished there the moment it ends (``store.py``), so a killed study resumes where it
stopped: finished runs are skipped, runs that were in flight when their worker died are
reclaimed at once when the worker is provably dead (same machine, process gone) and otherwise
once its heartbeat is older than its lease (database clock), and two workers on one store never
store the same cell twice. A study re-run under the same name must have the same fingerprint
(everything that determines a run's result); extending sizes, seeds, model sizes or adding an
estimator is allowed, anything else is refused with what changed.

Exit statuses of ``scalinglab study run`` (:attr:`StudySummary.exit_code`): 0 every cell
complete; 1 some runs failed; 4 incomplete (runs held by live workers elsewhere, or left for a
later run).
"""

from __future__ import annotations

import json
import os
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import log_loss, mean_squared_error

from ..curves import Curve, CurveSet
from ..errors import ScalingLabError
from . import axes, executors
from .spec import METRICS, StudySpec, study_metric
from .spec import _is_estimator as is_estimator
from .store import (COMPLETE, DEFAULT_LEASE, FAILED, RECLAIMABLE, RUNNING, Cell, Store, process_identity,
                    worker_id)

PENDING, TOTAL = "PENDING", "TOTAL"
EXIT_COMPLETE, EXIT_FAILED_RUNS, EXIT_INCOMPLETE = 0, 1, 4
#: Columns of a failure listing.
FAILURE_COLUMNS = ["estimator", "model_size", "size", "seed", "error"]


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
    """The run's value of ``metric`` (a name in the spec, or a callable): scalinglab's own
    metrics and a callable are lower-is-better; a scikit-learn scorer gives its score, or its
    loss made positive (see :mod:`scalinglab.scorers` and :func:`.spec.study_metric`)."""
    if callable(metric):
        return float(metric(estimator, X, y))
    if metric not in METRICS:
        from ..scorers import scorer_metric
        return scorer_metric(metric).score(estimator, X, y)
    if metric == "error":
        return float(np.mean(estimator.predict(X) != y))
    if metric == "log_loss":
        return float(log_loss(y, estimator.predict_proba(X), labels=estimator.classes_))
    mse = float(mean_squared_error(y, estimator.predict(X)))
    return mse if metric == "mse" else float(np.sqrt(mse))


def make_estimator(template, model_size, seed: int, start=None):
    """A fresh estimator: a clone of the template (or the factory's output for a model size),
    with ``random_state`` set to the run's seed when it has one, then prepared for its
    ``start`` (a starts axis: parameters set, or the start's callable applied)."""
    if model_size != "":
        est = template(json.loads(model_size))
    elif is_estimator(template):
        est = clone(template)
    else:
        est = template()
    if "random_state" in est.get_params():
        est.set_params(random_state=seed)
    return axes.with_start(est, start)


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


def search_and_fit(template, model_size, seed, X, y, metric, search: Mapping, estimator_name: str, start=None):
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
    # a trial's value is the metric itself: maximised for a scorer's score (accuracy), else minimised
    higher = not callable(metric) and study_metric(metric).higher_is_better
    study = optuna.create_study(direction="maximize" if higher else "minimize",
                                sampler=optuna.samplers.TPESampler(seed=seed))

    def objective(trial):
        est = make_estimator(template, model_size, seed, start).set_params(**_suggest(trial, space))
        est.fit(X[fit_idx], y[fit_idx])
        return score(metric, est, X[val_idx], y[val_idx])

    study.optimize(objective, n_trials=int(search.get("trials", 10)), catch=(Exception,))
    rows = [{"number": t.number, "params": t.params, "value": t.value, "state": t.state.name} for t in study.trials]
    completed = [t for t in study.trials if t.state.name == "COMPLETE"]
    if not completed:
        raise RuntimeError("every hyperparameter trial failed")
    best = make_estimator(template, model_size, seed, start).set_params(**study.best_params)
    best.fit(X, y)
    return best, study.best_params, rows


class _Heartbeat:
    """One daemon thread per worker process refreshes the heartbeat of the runs it is
    executing every lease/3 seconds (a thread per run would cost a start-up per run)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._active: dict[int, Store] = {}
        self._thread: threading.Thread | None = None
        self._period = DEFAULT_LEASE / 3

    def start(self, store: Store, run_id: int, lease: float) -> None:
        with self._lock:
            self._active[run_id] = store
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
            me = process_identity()
            for run_id, store in active:
                try:
                    store.heartbeat(run_id, me)
                except Exception:                         # noqa: BLE001 - retried at the next beat
                    pass


_HEARTBEAT = _Heartbeat()
# a forked worker starts with no heartbeat thread and a fresh lock (the parent's thread may have
# held the lock at the instant of the fork, and the child has no thread to release it)
os.register_at_fork(after_in_child=_HEARTBEAT.__init__)


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs for one cell (picklable; its repr never shows the store URL,
    which may hold a password)."""

    store_url: str = field(repr=False)
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
    estimator: str = ""           # the estimator's own name (cell.estimator may carry an arm: NAME@noise=0.1)
    start: object = None          # the arm's start (a starts axis), None from scratch


def execute(task: RunTask) -> tuple[Cell, str]:
    """Claim, train, evaluate, finish; returns (cell, outcome) with outcome in "complete",
    "failed", "skipped" (finished, or held by a live worker) or "lost" (another worker
    reclaimed the run while this one trained it: this result is dropped, the other's counts).
    Never raises for a failing estimator: the error text is stored with the run."""
    store = Store.shared(task.store_url)
    me = process_identity()
    run_id = store.claim(task.study_id, task.cell, worker_id(), task.lease, process=me)
    if run_id is None:
        return task.cell, "skipped"
    _HEARTBEAT.start(store, run_id, task.lease)
    try:
        try:
            t0 = time.perf_counter()
            trials_rows, params = None, {}
            if task.search:
                est, params, trials_rows = search_and_fit(task.template, task.cell.model_size, task.cell.seed,
                                                          task.X_train, task.y_train, task.metric, task.search,
                                                          task.estimator or task.cell.estimator, task.start)
            else:
                est = make_estimator(task.template, task.cell.model_size, task.cell.seed, task.start)
                est.fit(task.X_train, task.y_train)
            t1 = time.perf_counter()
            if hasattr(est, "n_parameters_"):          # torch models report N for joint laws
                params = {**params, "n_parameters": int(est.n_parameters_)}
            value = score(task.metric, est, task.X_test, task.y_test)
            t2 = time.perf_counter()
        except Exception as exc:                                 # noqa: BLE001 - recorded, study goes on
            kept = store.finish(run_id, status=FAILED, metric=task.metric_name, process=me,
                                error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}")
            return task.cell, "failed" if kept else "lost"
        kept = store.finish(run_id, status=COMPLETE, metric=task.metric_name, value=value, params=params,
                            train_time=t1 - t0, eval_time=t2 - t1, trial_rows=trials_rows, process=me)
        return task.cell, "complete" if kept else "lost"
    finally:
        _HEARTBEAT.stop(run_id)


@dataclass(frozen=True)
class StudySummary:
    """What a call to :meth:`Study.run` did, and where the study stands: ``status`` counts
    COMPLETE, FAILED, RUNNING (held by live workers), RECLAIMABLE, PENDING (not started) and
    TOTAL cells; :attr:`complete` is True only when every cell has a completed run."""

    ran: int
    failed: int
    skipped: int
    seconds: float
    status: dict = field(default_factory=dict)
    failures: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    lost: int = 0
    already_done: int = 0      # cells finished (or failed) in the store before this call: resumed, not rerun

    @property
    def complete(self) -> bool:
        return self.status.get(COMPLETE, 0) >= self.status.get(TOTAL, 0) and not self.unfinished

    @property
    def unfinished(self) -> int:
        """Cells still without a finished run: in flight elsewhere, reclaimable or not started."""
        return sum(self.status.get(k, 0) for k in (RUNNING, RECLAIMABLE, PENDING))

    @property
    def exit_code(self) -> int:
        """0 every cell complete, 1 some runs failed, 4 incomplete (see the module docstring)."""
        if self.status.get(FAILED, 0):
            return EXIT_FAILED_RUNS
        return EXIT_COMPLETE if self.complete else EXIT_INCOMPLETE

    def __str__(self) -> str:
        counts = ", ".join(f"{k.lower()} {v}" for k, v in self.status.items())
        if self.ran == 0 and not self.skipped and self.already_done:
            text = (f"all {self.already_done} run(s) already done (resumed from the store, nothing retrained); "
                    f"study: {counts}")
        else:
            done = f", {self.already_done} already done in the store" if self.already_done else ""
            held = f", {self.skipped} done or held by another worker meanwhile" if self.skipped else ""
            text = f"ran {self.ran} run(s) in {self.seconds:.1f} s ({self.failed} failed{done}{held}); study: {counts}"
        if self.lost:
            text += (f"\nnote: {self.lost} run(s) finished here after another worker had reclaimed them; "
                     "their results were dropped (the other worker's count)")
        for note in self.notes:
            text += f"\nnote: {note}"
        if self.failures is not None and len(self.failures):
            for _, row in self.failures.iterrows():
                first = str(row["error"]).splitlines()[0] if str(row["error"]) else ""
                model = f" model {row['model_size']}" if row["model_size"] != "" else ""
                text += f"\nfailed: {row['estimator']}{model} size {row['size']} seed {row['seed']}: {first}"
        if self.unfinished:
            s = self.status
            text += (f"\nstudy INCOMPLETE: {s.get(RUNNING, 0)} run(s) held by live workers elsewhere, "
                     f"{s.get(RECLAIMABLE, 0)} reclaimable, {s.get(PENDING, 0)} not started; run it again "
                     "(or wait for the other workers) to finish it")
        elif self.status.get(FAILED, 0):
            text += (f"\nstudy finished with {self.status[FAILED]} failed run(s): fix the cause and run again "
                     "with retry_failed=True (--retry-failed)")
        else:
            text += "\nstudy complete"
        return text


def _metric_columns(metric: str | None) -> dict:
    """Curve keywords for the metric named ``metric`` in a spec: name, direction and bounds."""
    info = study_metric(metric)
    return {"metric": info.name, "higher_is_better": info.higher_is_better, "bounds": info.bounds}


def curves_from_runs(df: pd.DataFrame, metric: str | None = None, name: str = "") -> CurveSet:
    """Completed, finite runs of a store's frame as one Curve per estimator (and model size),
    rows sorted by (estimator, model size, size, seed): the same runs give the same curves
    whatever order they finished in. ``metric``: the spec's metric name (direction and range
    from :func:`.spec.study_metric`); None: the runs' own metric name, lower is better."""
    if len(df):
        df = df[(df["status"] == COMPLETE) & np.isfinite(df["value"].astype(float))]
    if not len(df):
        raise ScalingLabError(f"study {name!r} has no completed runs yet")
    df = df.sort_values(["estimator", "model_size", "size", "seed"], kind="stable")
    out = {}
    for (estimator, model), part in df.groupby(["estimator", "model_size"], sort=True):
        key = estimator if model == "" else f"{estimator}[{model}]"
        out[key] = Curve(part["size"].to_numpy(float), part["value"].to_numpy(float), seed=part["seed"].to_numpy(),
                         **_metric_columns(metric or str(part["metric"].iloc[0])))
    return CurveSet(out)


def spec_changes(old: Mapping, new: Mapping) -> list[str]:
    """What differs between two study fingerprints, in words; a new estimator is not a change
    (it only adds runs)."""
    changes = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) == new.get(key) or (key.startswith(("estimator ", "start ")) and key not in old):
            continue
        if key not in new:
            changes.append(f"{key} removed")
        elif key == "data":
            changes.append("the data (X, y) differ")
        else:
            changes.append(f"{key}: {_short(old.get(key))} -> {_short(new[key])}")
    return changes


def _short(text, width: int = 160) -> str:
    text = str(text)
    return text if len(text) <= width else text[:width - 3] + "..."


# what a schema-1 store kept of a spec that also determines results (it stored no fingerprint)
_V1_FIELDS = ("dataset", "n", "task", "metric", "test_fraction", "search", "split_seed")


def _v1_changes(stored: Mapping, spec: StudySpec) -> list[str]:
    now = spec.describe()
    changes = [f"{k}: {_short(stored.get(k))} -> {_short(now.get(k))}" for k in _V1_FIELDS
               if json.dumps(stored.get(k), default=str) != json.dumps(now.get(k), default=str)]
    old_estimators = stored.get("estimators") or {}
    changes += [f"estimator {k}: {_short(v)} -> {_short(now['estimators'].get(k))}"
                for k, v in old_estimators.items() if now["estimators"].get(k) != v]
    return changes


class StoredStudy:
    """A study's runs as stored, read without its spec: what ``report``, ``study status`` and
    ``study export`` need. Get one with :meth:`Study.open`."""

    def __init__(self, store: Store, name: str):
        self.store = store
        self.name = name
        self.study_id = store.study_by_name(name)

    @property
    def stored_spec(self) -> dict:
        """The spec the study last ran under (plain data)."""
        return self.store.study_spec(self.study_id)

    @property
    def metric_name(self) -> str | None:
        return self.stored_spec.get("metric")

    def frame(self, status: str | None = None) -> pd.DataFrame:
        """The study's runs (only those with ``status`` if given), sorted by estimator, model
        size, size and seed."""
        return self.store.frame(self.study_id, status)

    def failures(self) -> pd.DataFrame:
        """The FAILED runs: estimator, model size, size, seed and the error text."""
        return self.frame(FAILED)[FAILURE_COLUMNS].reset_index(drop=True)

    def status(self) -> dict:
        """Runs by state (COMPLETE, FAILED, RUNNING, RECLAIMABLE), PENDING cells of the last
        spec without a run, and TOTAL."""
        counts = self.store.counts(self.study_id)
        total = max(int(self.stored_spec.get("cells", 0)), sum(counts.values()))
        return {**counts, PENDING: total - sum(counts.values()), TOTAL: total}

    def curves(self) -> CurveSet:
        """One curve per estimator (per estimator and model size when there is a model-size
        axis) from the completed runs: x = training-set size, y = the metric, seeds kept."""
        return curves_from_runs(self.frame(COMPLETE), self.metric_name, self.name)

    def joint_curve(self, estimator: str) -> Curve:
        """(model size, data size) -> metric for an estimator with a model-size axis; the model
        size is the trained parameter count N when the estimator reports one (torch adapter),
        else the product of the model-size value."""
        df = self.frame(COMPLETE)
        df = df[df["estimator"] == estimator]
        if not len(df) or (df["model_size"] == "").any():
            raise ScalingLabError(f"no completed model-size runs for {estimator!r}")
        model = np.array([float(json.loads(p).get("n_parameters", np.prod(json.loads(m))))
                          for p, m in zip(df["params"], df["model_size"])])
        return Curve(np.c_[model, df["size"].to_numpy(float)], df["value"].to_numpy(float),
                     seed=df["seed"].to_numpy(), x_names=("model_size", "n"), **_metric_columns(self.metric_name))


    def curves_by(self, axis: str, estimator: str | None = None, *, model_size=None, **fixed) -> dict:
        """The curves of one estimator along a study axis, keyed by the axis value:
        ``axis="quality"`` gives {level: Curve} (what :func:`scalinglab.quality.stack` takes),
        ``axis="start"`` gives {start name: Curve}. ``estimator`` may be left out when the study
        has one; ``model_size`` picks one model size of a model-size axis; ``fixed`` pins the
        other axis (``start="pretrained"`` in a study with both)."""
        if axis not in ("quality", "start"):
            raise ScalingLabError(f"axis must be 'quality' or 'start', got {axis!r}")
        df = self.frame(COMPLETE)
        if not len(df):
            raise ScalingLabError(f"study {self.name!r} has no completed runs yet")
        split = {key: axes.split_key(key) for key in df["estimator"].unique()}
        names = sorted({name for name, coords in split.values() if axis in coords})
        if not names:
            raise ScalingLabError(f"study {self.name!r} has no {axis} axis (its curves: "
                                  f"{sorted(df['estimator'].unique())})")
        if estimator is None:
            if len(names) > 1:
                raise ScalingLabError(f"study {self.name!r} has several estimators {names}: name one")
            estimator = names[0]
        elif estimator not in names:
            raise ScalingLabError(f"no estimator {estimator!r} with a {axis} axis in study {self.name!r}; have {names}")
        model = "" if model_size is None else json.dumps(model_size)
        if model_size is None and (df["model_size"] != "").any():
            raise ScalingLabError(f"study {self.name!r} has a model-size axis: give model_size= (one of "
                                  f"{sorted(set(df['model_size']) - {''})})")
        out = {}
        for key, (name, coords) in split.items():
            if name != estimator or any(coords.get(k) != v for k, v in fixed.items()):
                continue
            part = df[(df["estimator"] == key) & (df["model_size"] == model)]
            if not len(part):
                continue
            value = coords[axis]
            if value in out:
                others = sorted(set(coords) - {axis, "quality_tag"} - set(fixed))
                raise ScalingLabError(f"several curves have {axis} {value!r}: pin the other axis ({', '.join(others)}=...)")
            out[value] = curves_from_runs(part, self.metric_name, self.name)[key]
        if not out:
            raise ScalingLabError(f"no completed runs of {estimator!r} match model_size={model_size!r}, {fixed}")
        return dict(sorted(out.items()))


class _Tasks(Sequence):
    """The run tasks of a list of cells, built when an executor asks for them (a task holds
    its training set: building them all up front would hold every training set at once)."""

    def __init__(self, study: "Study", cells: list[Cell]):
        self._study, self._cells = study, cells
        self._orders: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._cells)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        study, cell = self._study, self._cells[i]
        spec = study.spec
        name, coords = study.arm_of[cell.estimator]
        if cell.seed not in self._orders:
            self._orders[cell.seed] = study.pool[seed_order(spec, study.pool, cell.seed)]
        order = self._orders[cell.seed]
        if study.degrader is None:
            X_train, y_train = spec.X[order[:cell.size]], spec.y[order[:cell.size]]
        else:       # the arm's quality level: rows filtered, or labels/features degraded (training set only)
            train = study.degrader.order(order, coords["quality"])[:cell.size]
            X_train, y_train = study.degrader.training(train, coords["quality"], cell.seed)
        start = spec.starts[coords["start"]] if "start" in coords else None
        return RunTask(study.store.connect_url, study.study_id, cell, spec.estimators[name],
                       X_train, y_train, spec.X[study.test], spec.y[study.test], spec.metric,
                       spec.metric_info.name, spec.search, study.lease, estimator=name, start=start)


class Study(StoredStudy):
    """A study bound to a store.

    >>> # study = Study(spec, store="study.db"); study.run(n_jobs=2); study.curves()

    Re-running a name checks the spec's fingerprint against the stored one and refuses a
    changed experiment (other data, estimator parameters, metric, split or search) with what
    changed; sizes, seeds and model sizes may be extended and estimators added.
    """

    def __init__(self, spec: StudySpec, store: str | Store = "scalinglab-study.db", *, lease: float = DEFAULT_LEASE):
        if not isinstance(spec, StudySpec):
            raise ScalingLabError(f"expected a StudySpec, got {type(spec).__name__}")
        if isinstance(lease, bool) or not isinstance(lease, (int, float)) or not 0 < lease < float("inf"):
            raise ScalingLabError(f"lease must be a positive number of seconds, got {lease!r}")
        self.spec = spec
        self.name = spec.name
        self.store = store if isinstance(store, Store) else Store(store)
        self.lease = float(lease)
        self.pool, self.test = split(spec)
        self.notes: list[str] = []
        # sizes are capped by the data available: larger ones become one run on the whole pool
        too_big = [s for s in spec.sizes if s > len(self.pool)]
        self.sizes = sorted({min(s, len(self.pool)) for s in spec.sizes})
        if too_big:
            self.notes.append(f"sizes {too_big} exceed the training pool of {len(self.pool)} samples: "
                              f"capped to {len(self.pool)}")
        self.arm_of = {name + suffix: (name, coords) for name in spec.estimators
                       for suffix, coords in axes.arms(spec.quality, spec.starts)}
        self.degrader = None if spec.quality is None else axes.Degrader(spec.quality, spec.X, spec.y, self.pool)
        self._level_sizes = self._filtered_sizes()
        self.study_id = self._bind()

    def _filtered_sizes(self) -> dict[float, list[int]]:
        """Sizes per level of a quality filter: capped at the rows of the pool that pass it (as the
        study's sizes are at the pool; the notes say so); a level that keeps < 2 rows is refused."""
        quality = self.spec.quality
        if quality is None or quality["kind"] != "filter":
            return {}
        out = {}
        for level in quality["levels"]:
            available = int(np.sum(quality["scores"][self.pool] >= level))
            if available < 2:
                raise ScalingLabError(f"quality level {level:g}: only {available} training row(s) score >= {level:g}; "
                                      "a learning curve needs at least 2")
            out[level] = sorted({min(s, available) for s in self.sizes})
            capped = [s for s in self.sizes if s > available]
            if capped:
                self.notes.append(f"quality level {level:g}: sizes {capped} exceed the {available} training rows "
                                  f"scoring >= {level:g}: capped to {available}")
        return out

    def _bind(self) -> int:
        """The study's id, created if new; refuses a stored study whose fingerprint differs."""
        spec, store = self.spec, self.store
        described = {**spec.describe(), "cells": len(self.cells())}
        fingerprint = spec.fingerprint()
        record = store.study_record(spec.name)
        if record is None:
            store.study_id(spec.name, described, fingerprint)
            record = store.study_record(spec.name)          # another worker may have created it first
        stored = record["fingerprint"]
        changes = _v1_changes(record["spec"], spec) if stored is None else spec_changes(stored, fingerprint)
        if changes:
            raise ScalingLabError(
                f"study {spec.name!r} in {store.url} was run with a different spec; changed: {'; '.join(changes)}. "
                "Resuming it would mix two experiments in one curve. Extending sizes, seeds or model sizes, or adding "
                "an estimator, is allowed; to start a new study give it another name, or delete the old one "
                f"(`scalinglab study delete {store.url} {spec.name}` or Store.delete_study)")
        merged = {**(stored or {}), **fingerprint}
        if merged != stored or json.dumps(record["spec"], default=str, sort_keys=True) != \
                json.dumps(described, default=str, sort_keys=True):
            store.update_study(record["id"], described, merged)
        return record["id"]

    @property
    def metric_name(self) -> str:
        return self.spec.metric_name

    @classmethod
    def open(cls, store: str | Store, name: str | None = None) -> StoredStudy:
        """A stored study, read without its spec; ``store`` given as a path or URL is opened
        read-only (a missing file is "not found", never a new database). Without ``name``: the
        store's only study, or an error listing them."""
        store = store if isinstance(store, Store) else Store(store, read_only=True)
        if name is None:
            names = store.study_names()
            if len(names) != 1:
                raise ScalingLabError(f"{store.url} holds {len(names)} studies {names}: name one")
            name = names[0]
        return StoredStudy(store, name)

    def cells(self) -> list[Cell]:
        """Every (estimator and arm, model size, seed, size) cell of the spec; the estimator key
        carries the arm's quality level and start (``NAME@noise=0.1``)."""
        models = [""] if self.spec.model_sizes is None else [json.dumps(m) for m in self.spec.model_sizes]
        return [Cell(key, size, seed, model) for key, (_, coords) in self.arm_of.items() for model in models
                for seed in self.spec.seeds for size in self._level_sizes.get(coords.get("quality"), self.sizes)]

    def _tasks(self, cells: list[Cell]) -> _Tasks:
        return _Tasks(self, cells)

    def pending(self, retry_failed: bool = False) -> list[Cell]:
        """Cells without a finished run (and failed ones with ``retry_failed``)."""
        done = self.store.cells_with_status(self.study_id, [COMPLETE] + ([] if retry_failed else [FAILED]))
        return [c for c in self.cells() if c not in done]

    def run(self, *, n_jobs: int = 1, executor: str = "joblib", progress: bool = True, client=None,
            retry_failed: bool = False) -> StudySummary:
        """Run every pending cell. ``executor``: "joblib" (local processes, default), "serial"
        (in this process), or "dask" (``client``, or a LocalCluster of ``n_jobs`` workers).
        Runs of dead workers are taken over; a run that became reclaimable while this call
        ran (its worker died meanwhile) is taken in a second pass. The summary says whether
        the study is complete (``summary.complete``, ``summary.exit_code``)."""
        if retry_failed:
            self.store.delete_failed(self.study_id)
        t0 = time.perf_counter()
        outcomes: dict[Cell, str] = {}
        cells = self.pending()
        already_done = len(self.cells()) - len(cells)
        for _ in range(3):
            if not cells:
                break
            for cell, outcome in executors.run(execute, self._tasks(cells), executor=executor, n_jobs=n_jobs,
                                               progress=progress, client=client, label=f"study {self.spec.name}"):
                if outcomes.get(cell) in (None, "skipped"):
                    outcomes[cell] = outcome
            mine = set(self.cells())
            cells = [c for c in self.store.reclaimable_cells(self.study_id) if c in mine]
        counts = pd.Series(list(outcomes.values()), dtype=object).value_counts()
        status = self.status()
        return StudySummary(ran=int(counts.get("complete", 0) + counts.get("failed", 0)),
                            failed=int(counts.get("failed", 0)), skipped=int(counts.get("skipped", 0)),
                            lost=int(counts.get("lost", 0)), seconds=time.perf_counter() - t0, status=status,
                            failures=self.failures() if status[FAILED] else None, notes=tuple(self.notes),
                            already_done=already_done)

    def status(self) -> dict:
        """Runs by state (COMPLETE, FAILED, RUNNING held by live workers, RECLAIMABLE), the
        spec's cells not started yet (PENDING) and TOTAL."""
        counts = self.store.counts(self.study_id)
        started = self.store.cells_with_status(self.study_id, [COMPLETE, FAILED, RUNNING])
        cells = self.cells()
        return {**counts, PENDING: sum(c not in started for c in cells), TOTAL: len(cells)}
