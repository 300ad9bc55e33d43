"""A store that cannot lose work: every run is written the moment it finishes.

The pattern of Optuna's RDB storage: SQLAlchemy Core, one transaction helper, a unique
constraint on (study, estimator, size, seed, model size), a run inserted as RUNNING before it
starts and finished by compare-and-set, a heartbeat so that a later run of the study can
reclaim the runs of a dead worker, NaN/inf stored explicitly, a schema version from the start.
Default: a SQLite file in WAL mode; a PostgreSQL URL for many workers on many machines.

Clocks: every timestamp (start, heartbeat, finish) and every lease comparison uses the
database's clock, never a worker's, so workers whose clocks disagree cannot steal each other's
runs. A RUNNING run is *reclaimable* when its holder's heartbeat is older than the holder's
lease, or at once when the holder is provably dead: a process on this machine (same host, boot
and PID namespace) whose PID is gone or belongs to a process started at another time.

Schema versions: 1 (the first release) and 2 (this one: study fingerprints, the holder's
process identity and lease). An older store is refused with a message naming
:meth:`Store.upgrade` / ``scalinglab study upgrade``, which migrates it in one transaction.
"""

from __future__ import annotations

import json
import math
import os
import random
import socket
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import (Column, Float, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint,
                        cast, create_engine, delete, event, exc, extract, func, insert, inspect, literal_column,
                        select, text, update)
from sqlalchemy.engine import Engine, make_url

from ..errors import ScalingLabError

SCHEMA_VERSION = 2
RUNNING, COMPLETE, FAILED = "RUNNING", "COMPLETE", "FAILED"
#: Not a stored status: RUNNING runs whose holder is dead or whose lease expired.
RECLAIMABLE = "RECLAIMABLE"
#: Seconds without a heartbeat after which a RUNNING run is presumed dead and reclaimed (a
#: holder on this machine whose process is gone is reclaimed at once).
DEFAULT_LEASE = 60.0
DIALECTS = ("sqlite", "postgresql")
_SQLITE_MAGIC = b"SQLite format 3\x00"
# an arbitrary constant: the key of PostgreSQL's advisory lock that serialises schema creation
_SCHEMA_LOCK = 0x5CA11AB
_OPEN_PATIENCE_S = 60.0          # how long opening a store retries SQLite's transient 'locked' answers

metadata = MetaData()
meta_table = Table("scalinglab_meta", metadata, Column("key", String(64), primary_key=True),
                   Column("value", Text, nullable=False))
studies = Table("studies", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
                Column("name", String(255), nullable=False, unique=True), Column("spec", Text, nullable=False),
                Column("created_at", Float, nullable=False),
                Column("fingerprint", Text))           # v2: JSON of what determines a run's result
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
    Column("process", String(255)),            # v2: the holder's identity (see process_identity)
    Column("lease", Float),                    # v2: the holder's lease in seconds
    UniqueConstraint("study_id", "estimator", "size", "seed", "model_size", name="one_run_per_cell"),
)
trials = Table("trials", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
               Column("run_id", Integer, ForeignKey("runs.id"), nullable=False),
               Column("number", Integer, nullable=False), Column("params", Text, nullable=False),
               Column("value", Float), Column("value_special", String(8)), Column("state", String(16)))

#: Schema migrations: version -> statements that bring a store of that version to the next.
_MIGRATIONS = {
    1: ["ALTER TABLE studies ADD COLUMN fingerprint TEXT",
        "ALTER TABLE runs ADD COLUMN process VARCHAR(255)",
        "ALTER TABLE runs ADD COLUMN lease FLOAT"],
}


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


# -- who holds a run ------------------------------------------------------------------------------
_HOST = socket.gethostname()


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def _machine() -> str:
    """This machine as processes see it: host name, boot id and PID namespace (Linux), so that
    two containers with one host name never judge each other's PIDs."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{_HOST}/{_read('/proc/sys/kernel/random/boot_id')}/{namespace}"


_MACHINE = _machine()


def _start_time(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, Linux), "" where /proc is absent,
    None when there is no such live process (a zombie is dead: it only waits to be reaped)."""
    if not Path("/proc/self/stat").exists():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return ""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return None
    fields = stat.rpartition(")")[2].split()      # the command name may hold spaces and parentheses
    if fields[0] in ("Z", "X"):
        return None
    return fields[19]


def process_identity() -> str:
    """``machine|pid|start time`` of this process: what :func:`provably_dead` checks."""
    pid = os.getpid()
    return f"{_MACHINE}|{pid}|{_start_time(pid)}"


def provably_dead(identity: str | None) -> bool:
    """True only when the process ``identity`` ran on this machine and is gone (its PID is free
    or now belongs to a process that started at another time). Another machine's process is
    never provably dead: its run waits for its lease to expire."""
    if not identity or identity.count("|") < 2:
        return False
    machine, pid, started = identity.rsplit("|", 2)
    if machine != _MACHINE or not pid.isdigit():
        return False
    now = _start_time(int(pid))
    return now is None or (started != "" and now != started)


def worker_id() -> str:
    """``host:pid``, for people reading the runs table."""
    return f"{_HOST}:{os.getpid()}"


@dataclass(frozen=True)
class Cell:
    """One training run of a study: an estimator at a data size, a seed and a model size."""

    estimator: str
    size: int
    seed: int
    model_size: str = ""


# -- URLs -------------------------------------------------------------------------------------------
def hide_password(url: str) -> str:
    """The URL as it may be shown: any password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return url


def _sqlite_busy(error: exc.DBAPIError) -> bool:
    message = str(getattr(error, "orig", error)).lower()
    return "database is locked" in message or "database is busy" in message


def _scrub(message: str, url: str) -> str:
    """A driver's message with the URL's password (if any) removed."""
    try:
        password = make_url(url).password
    except exc.ArgumentError:
        password = None
    message = " ".join(str(message).split())
    return message.replace(str(password), "***") if password else message


def _sqlite_path(url: str) -> str | None:
    """The file behind a SQLite URL (None for an in-memory database)."""
    database = make_url(url).database
    return None if database in (None, "", ":memory:") else database


def _absolute_sqlite(url: str) -> str:
    """``url`` with a relative SQLite file path made absolute (other URLs unchanged)."""
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        return url                      # refused with a clear message by _engine
    path = _sqlite_path(url) if parsed.get_backend_name() == "sqlite" else None
    if path is None or path.startswith("file:") or Path(path).is_absolute():
        return url
    return parsed.set(database=str(Path(path).absolute())).render_as_string(hide_password=False)


_OPEN: dict = {}


class Store:
    """Runs of studies in a database.

    The password of a URL is never shown: ``url`` (and every message) hides it;
    ``connect_url`` is the real one, handed to worker processes.

    Parameters
    ----------
    url : str
        A path to a SQLite file, or a SQLAlchemy URL (``sqlite:///...``, ``postgresql://...``,
        ``postgresql+psycopg://...``, ``postgresql+psycopg2://...``).
    read_only : bool
        Open an existing store for reading only: a missing file is an error ("not found"),
        never a new empty database.
    """

    @classmethod
    def shared(cls, url: str) -> "Store":
        """One Store (engine, connection pool) per URL and process, reused by every run a
        worker process executes."""
        key = (url, os.getpid())
        if key not in _OPEN:
            _OPEN[key] = cls(url)
        return _OPEN[key]

    def __init__(self, url: str, *, read_only: bool = False):
        if not isinstance(url, str) or not url.strip():
            raise ScalingLabError(f"store must be a SQLite file path or a database URL, got {url!r}")
        if "://" not in url:
            url = f"sqlite:///{url}"
        self.url = hide_password(url)
        # Worker processes open the store from ``connect_url``: a relative SQLite path would be
        # read against *their* working folder (a reused joblib worker keeps the folder it was
        # started in), so they get the absolute path of the file this process means.
        self.connect_url = _absolute_sqlite(url)
        self.read_only = bool(read_only)
        self.engine: Engine = self._engine(url)
        self._prepare()

    def __repr__(self) -> str:
        return f"Store({self.url!r}{', read_only=True' if self.read_only else ''})"

    # -- opening --------------------------------------------------------------------------------------
    def _engine(self, url: str) -> Engine:
        try:
            dialect = make_url(url).get_backend_name()
        except exc.ArgumentError:
            raise ScalingLabError(f"store {self.url!r} is not a database URL; give a SQLite file path or a URL "
                                  "such as sqlite:///study.db or postgresql://user@host/db") from None
        if dialect not in DIALECTS:
            raise ScalingLabError(f"store {self.url}: unknown or unsupported database {dialect!r}; scalinglab "
                                  f"stores work on {', '.join(DIALECTS)}")
        if dialect == "sqlite":
            url = self._sqlite_url(url)
        try:
            engine = create_engine(url)
        except (exc.NoSuchModuleError, exc.ArgumentError) as error:
            raise ScalingLabError(f"store {self.url}: {_scrub(error, url)}") from None
        except ImportError as error:
            raise ScalingLabError(f"store {self.url} needs the database driver {error.name!r}: "
                                  "pip install 'scalinglab[postgres]' (psycopg 3; psycopg2 works too)") from None
        if dialect == "sqlite":
            self._sqlite_events(engine)
        return engine

    def _sqlite_url(self, url: str) -> str:
        path = _sqlite_path(url)
        if path is None:
            if self.read_only:
                raise ScalingLabError("an in-memory SQLite store has nothing to read")
            return url
        file = Path(path)
        if file.is_dir():
            raise ScalingLabError(f"store {path} is a folder, not a SQLite file")
        if file.exists():
            with file.open("rb") as fh:
                head = fh.read(16)
            if head and head != _SQLITE_MAGIC:
                raise ScalingLabError(f"store {path} is not a scalinglab store (not a SQLite database)")
            if self.read_only and not head:
                raise ScalingLabError(f"store {path} is an empty file, not a scalinglab store")
        elif self.read_only:
            raise ScalingLabError(f"store not found: {path}")
        elif not file.parent.exists():
            raise ScalingLabError(f"cannot create the store {path}: folder {file.parent} does not exist")
        if self.read_only:      # SQLite's own read-only mode: nothing can create or change the file
            return f"sqlite:///file:{file.resolve()}?mode=ro&uri=true"
        return url

    def _sqlite_events(self, engine: Engine) -> None:
        read_only = self.read_only

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):       # many processes on one file
            # SQLAlchemy, not the sqlite3 module, decides when transactions begin (below): the
            # module's own rule leaves DDL outside transactions, which made schema creation racy
            dbapi_connection.isolation_level = None
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA busy_timeout=60000")     # wait up to a minute for another writer
            if not read_only:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # a writer takes the write lock when it begins, so it waits (busy_timeout) instead of
            # failing when it upgrades a read lock another writer made stale
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writes") else "BEGIN")

    def _fail_open(self, error: Exception):
        raise ScalingLabError(f"cannot open the store {self.url}: "
                              f"{_scrub(getattr(error, 'orig', None) or error, self.connect_url)}") from None

    def _version(self, conn) -> int | None:
        """The schema version written in the store, None for a database without scalinglab's tables."""
        names = set(inspect(conn).get_table_names())
        if meta_table.name not in names:
            if names & {studies.name, runs.name}:
                raise ScalingLabError(f"{self.url} has tables named studies/runs but no scalinglab_meta: "
                                      "not a scalinglab store")
            return None
        row = conn.execute(select(meta_table.c.value).where(meta_table.c.key == "schema_version")).first()
        if row is None or not str(row[0]).isdigit():
            raise ScalingLabError(f"{self.url}: the store's schema version is missing or unreadable")
        return int(row[0])

    def _version_under_schema_lock(self, conn) -> int | None:
        """The schema version, read in a write transaction that holds the schema lock until it
        commits (SQLite's write lock by BEGIN IMMEDIATE; PostgreSQL's advisory lock here)."""
        if self.engine.dialect.name == "postgresql":
            conn.execute(select(func.pg_advisory_xact_lock(_SCHEMA_LOCK)))
        return self._version(conn)

    def _prepare(self) -> None:
        """Check (read-only) or create the schema. Creation is serialised: SQLite's write lock
        or PostgreSQL's advisory lock is held from the check to the commit, so workers opening
        a new store at the same moment create it once and all see it."""
        deadline = time.monotonic() + _OPEN_PATIENCE_S
        while True:
            try:
                version = self._read_or_create_schema()
                break
            except exc.DBAPIError as error:
                # SQLite answers 'database is locked' without waiting for its busy timeout in a few
                # cases (switching a new file to WAL, recovering the WAL index while another
                # process opens it): those are transient, so try again for a while with jitter
                if not (_sqlite_busy(error) and time.monotonic() < deadline):
                    self._fail_open(error)
                self.engine.dispose()
                time.sleep(random.uniform(0.02, 0.2))
        self._check_version(version)

    def _read_or_create_schema(self) -> int:
        if self.read_only:
            with self.engine.connect() as conn:
                version = self._version(conn)
            if version is None:
                raise ScalingLabError(f"{self.url} is not a scalinglab store (no scalinglab tables)")
        else:
            with self.transaction() as conn:
                version = self._version_under_schema_lock(conn)
                if version is None:
                    metadata.create_all(conn)
                    conn.execute(insert(meta_table).values(key="schema_version", value=str(SCHEMA_VERSION)))
                    version = SCHEMA_VERSION
        return version

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise ScalingLabError(f"{self.url} has store schema {version}, written by a newer scalinglab "
                                  f"(this one reads and writes {SCHEMA_VERSION}); upgrade scalinglab")
        if version < SCHEMA_VERSION:
            raise ScalingLabError(f"{self.url} has store schema {version}; this scalinglab reads and writes "
                                  f"{SCHEMA_VERSION}. Upgrade the store (back it up first) with "
                                  f"`scalinglab study upgrade STORE` or scalinglab.experiment.Store.upgrade(url)")

    @classmethod
    def upgrade(cls, url: str) -> tuple[int, int]:
        """Migrate a store written by an older scalinglab to this schema, in one transaction;
        returns (old version, new version). A store that is current is left as it is."""
        shell = cls.__new__(cls)
        if "://" not in url:
            url = f"sqlite:///{url}"
        shell.connect_url, shell.url, shell.read_only = url, hide_password(url), False
        path = _sqlite_path(url) if make_url(url).get_backend_name() == "sqlite" else None
        if path is not None and not Path(path).exists():
            raise ScalingLabError(f"store not found: {path}")
        shell.engine = shell._engine(url)
        try:
            with shell.transaction() as conn:
                old = shell._version_under_schema_lock(conn)
                if old is None:
                    raise ScalingLabError(f"{shell.url} is not a scalinglab store (no scalinglab tables)")
                version = old
                while version < SCHEMA_VERSION:
                    for statement in _MIGRATIONS[version]:
                        conn.execute(text(statement))
                    version += 1
                conn.execute(update(meta_table).where(meta_table.c.key == "schema_version")
                             .values(value=str(max(version, old))))
        except exc.DBAPIError as error:
            shell._fail_open(error)
        finally:
            shell.engine.dispose()
        shell._check_version(max(version, old))
        return old, max(version, old)

    @contextmanager
    def transaction(self):
        """One write transaction: committed on success, rolled back on any exception (SQLite
        takes the write lock at BEGIN and waits up to a minute for another process's)."""
        if self.read_only:
            raise ScalingLabError(f"{self.url} was opened read-only")
        with self.engine.connect() as conn:
            conn.execution_options(writes=True)
            with conn.begin():
                yield conn

    @contextmanager
    def _reading(self):
        with self.engine.connect() as conn:
            try:
                yield conn
            except exc.DBAPIError as error:
                raise ScalingLabError(f"cannot read the store {self.url}: "
                                      f"{_scrub(getattr(error, 'orig', None) or error, self.connect_url)}") from None

    def _now(self):
        """The database's clock in seconds since the epoch (a SQL expression)."""
        if self.engine.dialect.name == "sqlite":
            return literal_column("((julianday('now') - 2440587.5) * 86400.0)", Float)
        return cast(extract("epoch", func.clock_timestamp()), Float)

    def now(self) -> float:
        """The database's clock, as workers' leases see it."""
        with self._reading() as conn:
            return float(conn.execute(select(self._now())).scalar_one())

    def _insert_new(self, values: dict, table=runs):
        """INSERT that does nothing when the row exists already (another worker won the race)."""
        if self.engine.dialect.name == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        return dialect_insert(table).values(**values).on_conflict_do_nothing()

    # -- studies ----------------------------------------------------------------------------------
    def study_id(self, name: str, spec: dict, fingerprint: dict | None = None) -> int:
        """The id of study ``name``, created with ``spec`` (JSON) and ``fingerprint`` if new.
        Workers starting the same study at once all get the one row: the INSERT does nothing
        if another won. Checking a fingerprint against the stored one is the caller's job
        (:meth:`study_record`)."""
        row = self._study_row(name)
        if row is not None:
            return int(row["id"])
        values = dict(name=name, spec=json.dumps(spec, default=str), created_at=self._now(),
                      fingerprint=None if fingerprint is None else json.dumps(fingerprint, sort_keys=True))
        with self.transaction() as conn:
            conn.execute(self._insert_new(values, table=studies))
        return self.study_by_name(name)

    def _study_row(self, name: str):
        with self._reading() as conn:
            return conn.execute(select(studies).where(studies.c.name == name)).mappings().first()

    def study_record(self, name: str) -> dict | None:
        """{"id", "spec", "fingerprint"} of a stored study (plain data), None if absent."""
        row = self._study_row(name)
        if row is None:
            return None
        return {"id": int(row["id"]), "spec": json.loads(row["spec"]),
                "fingerprint": None if row["fingerprint"] is None else json.loads(row["fingerprint"])}

    def update_study(self, study: int, spec: dict, fingerprint: dict) -> None:
        """Record the spec and fingerprint a study now runs under (after an allowed extension)."""
        with self.transaction() as conn:
            conn.execute(update(studies).where(studies.c.id == study)
                         .values(spec=json.dumps(spec, default=str), fingerprint=json.dumps(fingerprint, sort_keys=True)))

    def study_spec(self, study: int) -> dict:
        """The spec stored with a study (plain data)."""
        with self._reading() as conn:
            return json.loads(conn.execute(select(studies.c.spec).where(studies.c.id == study)).scalar_one())

    def study_names(self) -> list[str]:
        with self._reading() as conn:
            return [r[0] for r in conn.execute(select(studies.c.name).order_by(studies.c.id))]

    def study_by_name(self, name: str) -> int:
        row = self._study_row(name)
        if row is None:
            raise ScalingLabError(f"no study named {name!r} in {self.url}; have {self.study_names()}")
        return int(row["id"])

    def delete_study(self, name: str) -> int:
        """Delete study ``name`` with its runs and trials (one transaction); returns the number
        of runs deleted."""
        study = self.study_by_name(name)
        with self.transaction() as conn:
            run_ids = select(runs.c.id).where(runs.c.study_id == study)
            conn.execute(delete(trials).where(trials.c.run_id.in_(run_ids)))
            n = len(conn.execute(delete(runs).where(runs.c.study_id == study).returning(runs.c.id)).all())
            conn.execute(delete(studies).where(studies.c.id == study))
        return n

    def delete_failed(self, study: int) -> int:
        """Delete a study's FAILED runs (and their trials) so that they run again; returns how many."""
        with self.transaction() as conn:
            failed = select(runs.c.id).where(runs.c.study_id == study, runs.c.status == FAILED)
            conn.execute(delete(trials).where(trials.c.run_id.in_(failed)))
            return len(conn.execute(delete(runs).where(runs.c.study_id == study, runs.c.status == FAILED)
                                    .returning(runs.c.id)).all())

    # -- the life of a run -----------------------------------------------------------------------
    def claim(self, study: int, cell: Cell, worker: str, lease: float, process: str | None = None) -> int | None:
        """Mark ``cell`` RUNNING for ``worker`` and return the run id, or None if it is finished
        or held by a live worker. A RUNNING run whose holder is provably dead, or whose
        heartbeat is older than the holder's lease (database clock), is taken over by
        compare-and-set on the old holder and heartbeat."""
        process = process or process_identity()
        key = dict(study_id=study, estimator=cell.estimator, size=cell.size, seed=cell.seed,
                   model_size=cell.model_size)
        holder = dict(worker=worker, host=_HOST, process=process, lease=float(lease))
        with self.transaction() as conn:
            now = self._now()
            # fast path: a new cell is one INSERT that does nothing if the cell exists. RETURNING
            # says whether it inserted (psycopg 3 reports rowcount -1 for this statement)
            new = conn.execute(self._insert_new(dict(**key, **holder, status=RUNNING, started_at=now,
                                                     heartbeat_at=now)).returning(runs.c.id)).first()
            if new is not None:
                return int(new[0])
            expired = (runs.c.heartbeat_at + func.coalesce(runs.c.lease, DEFAULT_LEASE) < now).label("expired")
            row = conn.execute(select(runs.c.id, runs.c.status, runs.c.heartbeat_at, runs.c.process, expired)
                               .filter_by(**key)).first()
            if row is None or row.status != RUNNING:
                return None
            if not (row.expired or provably_dead(row.process)):
                return None
            old_process = runs.c.process.is_(None) if row.process is None else runs.c.process == row.process
            taken = conn.execute(update(runs).where(runs.c.id == row.id, runs.c.status == RUNNING, old_process,
                                                    runs.c.heartbeat_at == row.heartbeat_at)
                                 .values(**holder, started_at=now, heartbeat_at=now, error=None)
                                 .returning(runs.c.id)).first()
            return None if taken is None else int(taken[0])

    def heartbeat(self, run_id: int, process: str | None = None) -> bool:
        """Refresh the heartbeat of a run this process holds; False if it no longer holds it."""
        with self.transaction() as conn:
            return conn.execute(update(runs).where(runs.c.id == run_id, runs.c.process == (process or process_identity()),
                                                   runs.c.status == RUNNING).values(heartbeat_at=self._now())
                                .returning(runs.c.id)).first() is not None

    def finish(self, run_id: int, worker: str | None = None, *, status: str, metric: str, value: float | None = None,
               params: dict | None = None, train_time: float | None = None, eval_time: float | None = None,
               error: str | None = None, trial_rows: list[dict] | None = None, process: str | None = None) -> bool:
        """Compare-and-set RUNNING -> COMPLETE/FAILED for the process that holds the run; False
        (and nothing written) when another worker reclaimed it meanwhile. The trials of a
        hyperparameter search are written in the same transaction."""
        val, special = encode(value)
        with self.transaction() as conn:
            done = conn.execute(update(runs).where(runs.c.id == run_id, runs.c.process == (process or process_identity()),
                                                   runs.c.status == RUNNING)
                                .values(status=status, metric=metric, value=val, value_special=special,
                                        params=json.dumps(params or {}, default=str), train_time=train_time,
                                        eval_time=eval_time, error=error, finished_at=self._now())
                                .returning(runs.c.id)).first()
            if done is None:
                return False
            for t in trial_rows or []:
                v, s = encode(t.get("value"))
                conn.execute(insert(trials).values(run_id=run_id, number=t["number"],
                                                   params=json.dumps(t["params"], default=str), value=v,
                                                   value_special=s, state=t.get("state", "COMPLETE")))
            return True

    # -- reading -------------------------------------------------------------------------------------
    def counts(self, study: int) -> dict[str, int]:
        """Runs per state: COMPLETE, FAILED, RUNNING (held by a live worker) and RECLAIMABLE
        (RUNNING, but the holder is provably dead or its lease expired: the next run of the
        study takes it over)."""
        out = {COMPLETE: 0, FAILED: 0, RUNNING: 0, RECLAIMABLE: 0}
        with self._reading() as conn:
            for status, n in conn.execute(select(runs.c.status, func.count()).where(runs.c.study_id == study,
                                                                                    runs.c.status != RUNNING)
                                          .group_by(runs.c.status)):
                out[status] = out.get(status, 0) + int(n)
        for _, reclaimable in self._running(study):
            out[RECLAIMABLE if reclaimable else RUNNING] += 1
        return out

    def _running(self, study: int) -> list[tuple[Cell, bool]]:
        """(cell, reclaimable) of every RUNNING run of a study."""
        with self._reading() as conn:
            expired = runs.c.heartbeat_at + func.coalesce(runs.c.lease, DEFAULT_LEASE) < self._now()
            rows = conn.execute(select(runs.c.estimator, runs.c.size, runs.c.seed, runs.c.model_size, runs.c.process,
                                       expired).where(runs.c.study_id == study, runs.c.status == RUNNING))
            return [(Cell(e, int(n), int(s), m), bool(gone) or provably_dead(p)) for e, n, s, m, p, gone in rows]

    def reclaimable_cells(self, study: int) -> list[Cell]:
        """Cells whose RUNNING run belongs to a dead worker or an expired lease."""
        return [cell for cell, reclaimable in self._running(study) if reclaimable]

    def cells_with_status(self, study: int, statuses: list[str]) -> set[Cell]:
        with self._reading() as conn:
            rows = conn.execute(select(runs.c.estimator, runs.c.size, runs.c.seed, runs.c.model_size)
                                .where(runs.c.study_id == study, runs.c.status.in_(statuses)))
            return {Cell(e, int(n), int(s), m) for e, n, s, m in rows}

    def frame(self, study: int, status: str | None = None) -> pd.DataFrame:
        """The runs of a study (only those with ``status`` if given) as a DataFrame, value
        decoded (NaN/inf restored), in a fixed order (estimator, model size, size, seed) that
        does not depend on which worker finished first."""
        query = select(runs).where(runs.c.study_id == study)
        if status is not None:
            query = query.where(runs.c.status == status)
        with self._reading() as conn:
            df = pd.read_sql(query, conn)
        df = df.sort_values(["estimator", "model_size", "size", "seed"], kind="stable").reset_index(drop=True)
        df["value"] = [decode(v, s) for v, s in zip(df["value"], df["value_special"])]
        return df.drop(columns=["value_special"])

    def trial_frame(self, study: int) -> pd.DataFrame:
        with self._reading() as conn:
            q = select(trials, runs.c.estimator, runs.c.size, runs.c.seed).join(runs, trials.c.run_id == runs.c.id) \
                .where(runs.c.study_id == study)
            df = pd.read_sql(q, conn)
        return df.sort_values(["estimator", "size", "seed", "number"], kind="stable").reset_index(drop=True)
