"""Engine and session factory.

The database URL comes from the argument, else ``NAKANAORI_DATABASE_URL``, else a SQLite file
``nakanaori.sqlite3`` under the data directory (``NAKANAORI_DATA_DIR``, default ``./data``), which is
created when missing. SQLite connections run in WAL mode with foreign keys enforced.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_FILENAME = "nakanaori.sqlite3"


def default_data_dir() -> Path:
    return Path(os.environ.get("NAKANAORI_DATA_DIR") or "./data")


def database_url(url: str | None = None) -> str:
    """The URL to use: *url*, else ``NAKANAORI_DATABASE_URL``, else the SQLite file in the data dir."""
    if url:
        return _normalise(url)
    env = os.environ.get("NAKANAORI_DATABASE_URL")
    if env:
        return _normalise(env)
    data_dir = default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(data_dir / SQLITE_FILENAME).resolve()}"


def _normalise(url: str) -> str:
    """Use psycopg 3 for bare ``postgresql://`` / ``postgres://`` URLs (the form hosting services give)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    try:
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=5000")
    finally:
        cur.close()


def get_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for *url* (see :func:`database_url`). Extra kwargs go to ``create_engine``."""
    resolved = database_url(url)
    parsed = make_url(resolved)
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:":
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False})
        engine = create_engine(resolved, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(resolved, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in a transaction: commit on success, roll back on error."""
    with factory() as session, session.begin():
        yield session
