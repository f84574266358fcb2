"""Shared fixtures: a real throwaway PostgreSQL server, and ``db_url`` parametrised over SQLite and it.

The PostgreSQL server is Debian's (``/usr/lib/postgresql/*/bin``, installed by
``scripts/system-deps.sh``), started once per test session with ``initdb`` + ``pg_ctl`` in a temporary
directory, on a free loopback port, with trust authentication. As root (CI) it runs as the
``postgres`` system user, because ``initdb`` refuses to run as root. Each test that asks for
``postgresql_url`` gets a fresh, empty database that is dropped afterwards.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    if not found:
        pytest.fail("PostgreSQL is not installed: run `make system-deps` (scripts/system-deps.sh).")
    return Path(found[-1]).parent


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bindir = _pg_bin()
    root = Path(tempfile.mkdtemp(prefix="nakanaori-pg-"))
    run_as: str | None = None
    if os.geteuid() == 0:
        run_as = "postgres"
        try:
            pw = pwd.getpwnam(run_as)
        except KeyError:
            pytest.fail("running as root needs the 'postgres' system user (from the postgresql package)")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    data, sock, log = root / "data", root / "sock", root / "server.log"
    for d in (data, sock):
        d.mkdir()
        if run_as:
            shutil.chown(d, run_as, run_as)
    port = free_port()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(a) for a in args],
            user=run_as,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=root,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
        )

    res = run(
        bindir / "initdb",
        "-D",
        data,
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--no-locale",
        "--no-sync",
    )
    if res.returncode != 0:
        pytest.fail(f"initdb failed: {res.stderr.strip()}")
    options = (
        f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
    )
    res = run(bindir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start")
    if res.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        pytest.fail(f"pg_ctl start failed: {res.stderr.strip()}\n{tail}")
    try:
        yield PgServer(host="127.0.0.1", port=port, user="postgres")
    finally:
        run(bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgresql_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh empty database on the throwaway server (dropped after the test)."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = f"host={pg_server.host} port={pg_server.port} user={pg_server.user} dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_server.url(name)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL for an empty database: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return str(request.getfixturevalue("postgresql_url"))
