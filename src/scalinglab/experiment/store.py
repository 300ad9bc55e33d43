"""A store that cannot lose work: every run is written the moment it finishes.

The pattern of Optuna's RDB storage: SQLAlchemy Core, one transaction helper, a unique
constraint on (study, estimator, size, seed, model size), a run inserted as RUNNING before it
starts and finished by compare-and-set, a heartbeat so that a later run of the study can
reclaim the runs of a dead worker, NaN/inf stored explicitly, a schema version from the start.
Default: a SQLite file in WAL mode; any SQLAlchemy URL (PostgreSQL) for many workers.
"""

from __future__ import annotations

import json
import math
import os
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import (Column, Float, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint,
                        create_engine, event, exc, insert, select, update)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from ..errors import ScalingLabError

SCHEMA_VERSION = 1
RUNNING, COMPLETE, FAILED = "RUNNING", "COMPLETE", "FAILED"

metadata = MetaData()
meta_table = Table("scalinglab_meta", metadata, Column("key", String(64), primary_key=True),
                   Column("value", Text, nullable=False))
studies = Table("studies", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
                Column("name", String(255), nullable=False, unique=True), Column("spec", Text, nullable=False),
                Column("created_at", Float, nullable=False))
runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("study_id", Integer, ForeignKey("studies.id"), nullable=False),
    Column("estimator", String(255), nullable=False),
    Column("size", Integer, nullable=False),
    Column("seed", Integer, nullable=False),
    Column("model_size", String(64), nullable=False, default=""),
    Column("status", String(16), nullable=False),
    Column("metric", String(64)),
    Column("value", Float),
    Column("value_special", String(8)),        # 'nan', 'inf', '-inf': SQL has no NaN
    Column("params", Text),                    # chosen hyperparameters (JSON)
    Column("train_time", Float),
    Column("eval_time", Float),
    Column("error", Text),
    Column("worker", String(255)),
    Column("host", String(255)),
    Column("started_at", Float),
    Column("finished_at", Float),
    Column("heartbeat_at", Float),
    UniqueConstraint("study_id", "estimator", "size", "seed", "model_size", name="one_run_per_cell"),
)
trials = Table("trials", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
               Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
               Column("number", Integer, nullable=False), Column("params", Text, nullable=False),
               Column("value", Float), Column("value_special", String(8)), Column("state", String(16)))


def encode(value: float | None) -> tuple[float | None, str | None]:
    """A float for SQL: (value, None), or (None, 'nan'|'inf'|'-inf')."""
    if value is None:
        return None, None
    value = float(value)
    if math.isnan(value):
        return None, "nan"
    if math.isinf(value):
        return None, "inf" if value > 0 else "-inf"
    return value, None


def decode(value: float | None, special: str | None) -> float:
    return float(special) if special else (math.nan if value is None else float(value))


_HOST = socket.gethostname()


def worker_id() -> str:
    return f"{_HOST}:{os.getpid()}"


@dataclass(frozen=True)
class Cell:
    """One training run of a study: an estimator at a data size, a seed and a model size."""

    estimator: str
    size: int
    seed: int
    model_size: str = ""


_OPEN: dict = {}


class Store:
    """Runs of studies in a database. ``url``: a SQLAlchemy URL or a path to a SQLite file."""

    @classmethod
    def shared(cls, url: str) -> "Store":
        """One Store (engine, connection pool) per URL and process, reused by every run a
        worker process executes."""
        key = (url, os.getpid())
        if key not in _OPEN:
            _OPEN[key] = cls(url)
        return _OPEN[key]

    def __init__(self, url: str):
        if "://" not in url:
            url = f"sqlite:///{url}"
        self.url = url
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            @event.listens_for(self.engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record):     # many processes on one file
                cur = dbapi_connection.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=60000")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()
        try:
            metadata.create_all(self.engine)
        except exc.OperationalError as error:
            raise ScalingLabError(f"cannot open the store {url}: {error.orig}") from None
        with self.transaction() as conn:
            row = conn.execute(select(meta_table.c.value).where(meta_table.c.key == "schema_version")).first()
            if row is None:
                conn.execute(insert(meta_table).values(key="schema_version", value=str(SCHEMA_VERSION)))
            elif int(row[0]) != SCHEMA_VERSION:
                raise ScalingLabError(f"{url} has store schema {row[0]}, this scalinglab writes {SCHEMA_VERSION}")

    @contextmanager
    def transaction(self):
        """One transaction: committed on success, rolled back on any exception (SQLite waits
        up to a minute for a lock held by another process: busy_timeout)."""
        with self.engine.begin() as conn:
            yield conn

    def _insert_new(self, values: dict, table=runs):
        """INSERT that does nothing when the row exists already (another worker won the race)."""
        name = self.engine.dialect.name
        if name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        elif name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:      # other databases: a plain INSERT; the unique constraint rejects duplicates
            return insert(table).values(**values)
        return dialect_insert(table).values(**values).on_conflict_do_nothing()

    # -- studies ----------------------------------------------------------------------------------
    def study_id(self, name: str, spec: dict) -> int:
        """The id of study ``name``, created with ``spec`` (JSON) if new. Workers starting the
        same study at once all get the one row: the INSERT does nothing if another won."""
        with self.engine.connect() as conn:
            row = conn.execute(select(studies.c.id).where(studies.c.name == name)).first()
        if row is not None:
            return int(row[0])
        values = dict(name=name, spec=json.dumps(spec, default=str), created_at=time.time())
        try:
            with self.transaction() as conn:
                conn.execute(self._insert_new(values, table=studies))
        except IntegrityError:          # databases without ON CONFLICT: the other worker's row stands
            pass
        return self.study_by_name(name)

    def study_spec(self, study: int) -> dict:
        """The spec stored with a study (plain data)."""
        with self.engine.connect() as conn:
            return json.loads(conn.execute(select(studies.c.spec).where(studies.c.id == study)).scalar_one())

    def study_names(self) -> list[str]:
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(select(studies.c.name).order_by(studies.c.id))]

    def study_by_name(self, name: str) -> int:
        with self.engine.connect() as conn:
            row = conn.execute(select(studies.c.id).where(studies.c.name == name)).first()
        if row is None:
            raise ScalingLabError(f"no study named {name!r} in {self.url}; have {self.study_names()}")
        return int(row[0])

    # -- the life of a run -----------------------------------------------------------------------
    def claim(self, study: int, cell: Cell, worker: str, lease: float) -> int | None:
        """Mark ``cell`` RUNNING for ``worker`` and return the run id, or None if it is finished
        or held by a live worker. A RUNNING run whose heartbeat is older than ``lease`` seconds
        belonged to a dead worker and is taken over (compare-and-set on the old heartbeat)."""
        now = time.time()
        key = dict(study_id=study, estimator=cell.estimator, size=cell.size, seed=cell.seed,
                   model_size=cell.model_size)
        with self.transaction() as conn:
            # fast path: a new cell is one INSERT that does nothing if the cell exists
            result = conn.execute(self._insert_new(dict(**key, status=RUNNING, worker=worker, host=_HOST,
                                                        started_at=now, heartbeat_at=now)))
            if result.rowcount == 1:
                return int(result.inserted_primary_key[0])
            row = conn.execute(select(runs.c.id, runs.c.status, runs.c.heartbeat_at).filter_by(**key)).first()
            if row is None:
                return None
            run_id, status, beat = row
            if status != RUNNING or (beat is not None and now - beat < lease):
                return None
            taken = conn.execute(update(runs).where(runs.c.id == run_id, runs.c.status == RUNNING,
                                                    runs.c.heartbeat_at == beat)
                                 .values(worker=worker, host=_HOST, started_at=now, heartbeat_at=now, error=None))
            return int(run_id) if taken.rowcount == 1 else None

    def heartbeat(self, run_id: int, worker: str) -> None:
        with self.transaction() as conn:
            conn.execute(update(runs).where(runs.c.id == run_id, runs.c.worker == worker,
                                            runs.c.status == RUNNING).values(heartbeat_at=time.time()))

    def finish(self, run_id: int, worker: str, *, status: str, metric: str, value: float | None = None,
               params: dict | None = None, train_time: float | None = None, eval_time: float | None = None,
               error: str | None = None, trial_rows: list[dict] | None = None) -> bool:
        """Compare-and-set RUNNING -> COMPLETE/FAILED for the worker that holds the run; the
        trials of a hyperparameter search are written in the same transaction."""
        val, special = encode(value)
        with self.transaction() as conn:
            done = conn.execute(update(runs).where(runs.c.id == run_id, runs.c.worker == worker,
                                                   runs.c.status == RUNNING)
                                .values(status=status, metric=metric, value=val, value_special=special,
                                        params=json.dumps(params or {}, default=str), train_time=train_time,
                                        eval_time=eval_time, error=error, finished_at=time.time()))
            if done.rowcount != 1:
                return False
            for t in trial_rows or []:
                v, s = encode(t.get("value"))
                conn.execute(insert(trials).values(run_id=run_id, number=t["number"],
                                                   params=json.dumps(t["params"], default=str), value=v,
                                                   value_special=s, state=t.get("state", "COMPLETE")))
            return True

    # -- reading -------------------------------------------------------------------------------------
    def counts(self, study: int) -> dict[str, int]:
        """Number of runs per status."""
        from sqlalchemy import func
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs.c.status, func.count()).where(runs.c.study_id == study)
                                .group_by(runs.c.status))
            return {status: int(n) for status, n in rows}

    def cells_with_status(self, study: int, statuses: list[str]) -> set[Cell]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(runs.c.estimator, runs.c.size, runs.c.seed, runs.c.model_size)
                                .where(runs.c.study_id == study, runs.c.status.in_(statuses)))
            return {Cell(e, int(n), int(s), m) for e, n, s, m in rows}

    def frame(self, study: int) -> pd.DataFrame:
        """Every run of a study as a DataFrame (value decoded, NaN/inf restored)."""
        with self.engine.connect() as conn:
            df = pd.read_sql(select(runs).where(runs.c.study_id == study).order_by(runs.c.id), conn)
        if len(df):
            df["value"] = [decode(v, s) for v, s in zip(df["value"], df["value_special"])]
        return df.drop(columns=["value_special"])

    def trial_frame(self, study: int) -> pd.DataFrame:
        with self.engine.connect() as conn:
            q = select(trials, runs.c.estimator, runs.c.size, runs.c.seed).join(runs, trials.c.run_id == runs.c.id) \
                .where(runs.c.study_id == study)
            return pd.read_sql(q, conn)
