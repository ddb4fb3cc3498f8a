"""A real PostgreSQL server for the test run: a throw-away cluster in a temporary directory.

The server refuses to run as root, and tests (and CI) often run as root: then the cluster
belongs to the unprivileged ``postgres`` user and every server binary runs through
``runuser``. Otherwise the binaries run as the current user. Tests that need the server
are skipped, saying why, only when no PostgreSQL binaries are installed.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

SERVER_USER = "postgres"  # the Debian package's system user; owns the cluster when we are root
SUPERUSER = "postgres"  # the database role initdb creates


def bindir() -> Path | None:
    """Where initdb and pg_ctl are: ``pg_config --bindir``, else the newest Debian layout, else PATH."""
    candidates: list[Path] = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out:
            candidates.append(Path(out))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb") or "").parent)
    return next((d for d in candidates if (d / "initdb").exists() and (d / "pg_ctl").exists()), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    """A running cluster; ``database()`` hands out a fresh, empty database per test."""

    host: str
    port: int
    _names: Iterator[int]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def database(self) -> str:
        name = f"test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(host=self.host, port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _run(*command: str) -> None:
    """A server binary, as the unprivileged server user when we are root (PostgreSQL refuses root)."""
    prefix = ["runuser", "-u", SERVER_USER, "--"] if os.geteuid() == 0 else []
    try:
        subprocess.run([*prefix, *command], check=True, capture_output=True, text=True, timeout=120)
    except subprocess.CalledProcessError as error:
        raise RuntimeError(f"{Path(command[0]).name} failed: {error.stderr}{error.stdout}") from error


def start_server() -> Iterator[PostgresServer]:
    """initdb, start on a free loopback port (socket in the temp dir), yield, stop and remove everything."""
    binaries = bindir()
    if binaries is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine: PostgreSQL tests skipped")
    root = Path(tempfile.mkdtemp(prefix="fraud-bot-pg-"))
    data, log = root / "data", root / "server.log"
    if os.geteuid() == 0:
        user = pwd.getpwnam(SERVER_USER)
        os.chown(root, user.pw_uid, user.pw_gid)
    port = free_port()
    # Durability off: a test cluster is thrown away, and fsyncs would dominate on a shared CI disk.
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    pg_ctl = str(binaries / "pg_ctl")
    try:
        _run(str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C")
        try:
            _run(pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
        except RuntimeError as error:
            raise RuntimeError(f"{error}\n{log.read_text(errors='replace') if log.exists() else ''}") from error
        try:
            yield PostgresServer("127.0.0.1", port, itertools.count())
        finally:
            _run(pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    yield from start_server()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """A new empty database on the session's server, as a ``postgresql+psycopg://`` URL."""
    return postgres_server.database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """One empty database per engine (a SQLite file, a PostgreSQL database): the same test runs on both."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))
