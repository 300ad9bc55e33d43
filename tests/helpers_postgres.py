"""A throw-away PostgreSQL server for the tests: Debian's ``postgresql`` package, started on
127.0.0.1 in a temporary folder (as the ``postgres`` user when the tests run as root, since
PostgreSQL refuses to run as root), stopped and deleted at the end.

Where PostgreSQL or a driver is missing the tests skip with the reason, except under CI
(``CI`` set: ``.ci/run`` installs the package), where a server that cannot start fails them.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

DRIVERS = ("psycopg", "psycopg2")


def _binary(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is needed in CI: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, port: int):
        self.port = port
        self._names = itertools.count()

    def url(self, driver: str = "psycopg", database: str = "postgres", password: str = "") -> str:
        auth = f"postgres:{password}" if password else "postgres"
        return f"postgresql+{driver}://{auth}@127.0.0.1:{self.port}/{database}"

    def new_database(self, driver: str = "psycopg") -> str:
        """A fresh, empty database; its URL for ``driver``."""
        import psycopg
        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(driver, name)


@contextlib.contextmanager
def postgres_server():
    """Yield a running :class:`Server`; stop and delete it afterwards."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        _unavailable("PostgreSQL is not installed (.ci/run installs Debian's postgresql; or apt-get install "
                     "postgresql)")
    for driver in DRIVERS:
        try:
            __import__(driver)
        except ImportError:
            _unavailable(f"the {driver} driver is not installed (it is in the test extra)")
    folder = Path(tempfile.mkdtemp(prefix="scalinglab-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            _unavailable("running as root without runuser: cannot start PostgreSQL as another user")
        try:
            shutil.chown(folder, user="postgres")
        except LookupError:
            _unavailable("running as root and there is no 'postgres' user to run PostgreSQL as")
        run_as = [runuser, "-u", "postgres", "--"]
    data, log, port = folder / "data", folder / "server.log", _free_port()
    try:
        subprocess.run([*run_as, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
                       check=True, capture_output=True, cwd=folder, timeout=180)
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run([*run_as, pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "120", "start"],
                       check=True, capture_output=True, cwd=folder, timeout=180)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        detail = getattr(error, "stderr", b"") or b""
        tail = log.read_text()[-500:] if log.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        _unavailable(f"PostgreSQL did not start: {error} {detail.decode(errors='replace')[-300:]} {tail}")
    try:
        yield Server(port)
    finally:
        subprocess.run([*run_as, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True,
                       cwd=folder, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def pg():
    with postgres_server() as server:
        yield server
