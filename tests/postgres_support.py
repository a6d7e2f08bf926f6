"""A throw-away PostgreSQL server for the tests: a cluster in a temporary directory, on a free loopback
port, started once per test session and stopped (by its data directory) in a `finally`.

The server binaries come from Debian's `postgresql` package (`make postgres`, part of `make test`), or
from $POSTGRES_BIN. Without them the PostgreSQL tests skip with the reason, except under CI=true, where
they fail: CI must run them. Each test gets a database of its own (`createdb`).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from browser_support import free_port

USER = "planner"


def find_postgres_bin() -> Path | None:
    """$POSTGRES_BIN, the newest /usr/lib/postgresql/<n>/bin, or initdb on the PATH."""
    candidates = [os.environ.get("POSTGRES_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))[::-1]
    which = shutil.which("initdb")
    candidates.append(str(Path(which).parent) if which else "")
    return next((Path(c) for c in candidates if c and (Path(c) / "initdb").is_file()), None)


def require_postgres_bin() -> Path:
    found = find_postgres_bin()
    if found is None:
        reason = "no PostgreSQL server binaries: install Debian's postgresql (make postgres) or set POSTGRES_BIN"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL tests must run in CI: {reason}")
        pytest.skip(reason)
    return found


class Cluster:
    """One server: `url(database)`, `createdb()`, `stop()`/`start()` (to test a database going away)."""

    def __init__(self, bin_dir: Path, root: Path, port: int):
        self.bin, self.root, self.port = bin_dir, root, port
        self.data = root / "data"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # initdb and the server refuse to run as root
            command = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(map(_quote, command))]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", USER, "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def createdb(self) -> str:
        """A new, empty database; its URL."""
        name = f"t{uuid.uuid4().hex[:12]}"
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name)
        return self.url(name)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


@contextmanager
def running_cluster():
    bin_dir = require_postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="planner-pg-"))
    cluster = Cluster(bin_dir, root, free_port())
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        try:
            if (cluster.data / "postmaster.pid").exists():
                cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    """The session's PostgreSQL server (a Cluster)."""
    with running_cluster() as cluster:
        yield cluster
