"""pytest fixtures for a throwaway PostgreSQL server (loopback only, a free port, trust auth).

One cluster per test session: ``initdb`` into a temporary folder, ``postgres`` on 127.0.0.1, stopped and
removed at the end. As root (CI), both run as the ``postgres`` system user, because PostgreSQL refuses to
run as root. No system service is used or touched. Register with ``pytest_plugins = ["fixtures_postgres"]``.

- ``postgres_server``: the running server (``.url(database)``, ``.admin_url``, ``.port``).
- ``postgres_url``: a fresh, empty database for one test, as a SQLAlchemy URL
  (``postgresql+psycopg://postgres@127.0.0.1:PORT/newsbot_test_…``), dropped afterwards.

Missing binaries or driver FAIL the tests that need them, with the fix in the message: ``scripts/test``
installs both (Debian's ``postgresql`` and the ``psycopg`` driver of the ``test`` extra).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

SUPERUSER = "postgres"
START_TIMEOUT = 30.0
_FIX = "run scripts/test once (it installs Debian's postgresql and the psycopg driver), or apt-get install postgresql"


def find_bin_dir() -> Path | None:
    """The folder holding initdb and postgres: on PATH, else Debian's /usr/lib/postgresql/<newest>/bin."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("postgres"):
        return Path(os.path.realpath(on_path)).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
    )
    for candidate in reversed(candidates):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "postgres").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A private PostgreSQL cluster in a temporary folder. ``start()`` then ``stop()``."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="newsbot-pg-"))  # /tmp: reachable by the postgres user
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        # PostgreSQL will not run as root: drop to the postgres system user (Python's setuid, like runuser).
        self._as: dict[str, Any] = {}
        if os.geteuid() == 0:
            self._as = {"user": SUPERUSER, "group": SUPERUSER, "extra_groups": []}
            shutil.chown(self.root, SUPERUSER, SUPERUSER)
        self.root.chmod(0o700)

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]], capture_output=True, cwd=self.root, **self._as
        )
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")

    def start(self) -> PostgresServer:
        # Speed over durability: the cluster is thrown away after the session.
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
                  "--no-locale", "--no-sync", "--no-instructions")
        last_error = ""
        for _ in range(3):  # another process may take the free port between probe and bind
            self.port = _free_port()
            with self.log.open("ab") as log:
                self.process = subprocess.Popen(
                    [str(self.bin_dir / "postgres"), "-D", str(self.data), "-p", str(self.port),
                     "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.root}",
                     "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                     "-c", "max_connections=200"],
                    stdout=log, stderr=subprocess.STDOUT, cwd=self.root, **self._as,
                )
            if self._wait_ready():
                return self
            last_error = self.log.read_text(errors="replace")[-2000:]
            self._halt()
        raise RuntimeError(f"PostgreSQL did not start on 127.0.0.1; its log ends:\n{last_error}")

    def _wait_ready(self) -> bool:
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                return False
            try:
                psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres",
                                connect_timeout=2).close()
                return True
            except psycopg.OperationalError:
                time.sleep(0.05)
        return False

    def _halt(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # SIGINT is PostgreSQL's "fast shutdown": disconnect clients, stop at once. The postmaster runs
        # as another user, so signal it through the process handle we own.
        self.process.send_signal(2)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        self._halt()
        shutil.rmtree(self.root, ignore_errors=True)

    def execute(self, sql: str) -> None:
        """Run one statement on the maintenance database, outside a transaction (CREATE/DROP DATABASE)."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.fail(f"PostgreSQL's initdb/postgres are not installed (looked on PATH and in "
                    f"/usr/lib/postgresql/*/bin): {_FIX}", pytrace=False)
    try:
        import psycopg  # noqa: F401
    except ModuleNotFoundError:
        pytest.fail(f"the PostgreSQL driver psycopg is not installed in this environment: {_FIX}", pytrace=False)
    server = PostgresServer(bin_dir)
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    yield server
    server.stop()


_numbers = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A new empty database for this test; dropped (with any connections left open) afterwards."""
    name = f"newsbot_test_{os.getpid()}_{next(_numbers)}"
    postgres_server.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server.url(name)
    postgres_server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
