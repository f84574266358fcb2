"""Storage: SQLAlchemy 2 models and Alembic migrations (SQLite by default, PostgreSQL by URL).

Typical use::

    from nakanaori.store import get_engine, make_session_factory, upgrade_to_head

    engine = get_engine()            # NAKANAORI_DATABASE_URL, or SQLite under NAKANAORI_DATA_DIR
    upgrade_to_head(engine)          # idempotent; the web app runs it at start
    Session = make_session_factory(engine)
    with Session() as session, session.begin():
        ...
"""

from __future__ import annotations

from .db import (
    database_url,
    default_data_dir,
    get_engine,
    make_session_factory,
    session_scope,
)
from .feedback_models import Feedback
from .migrate import current_revision, head_revision, upgrade_to_head
from .models import Base, Case, JournalMessage, PlannedStep, Promise, User

__all__ = [
    "Base",
    "Case",
    "Feedback",
    "JournalMessage",
    "PlannedStep",
    "Promise",
    "User",
    "current_revision",
    "database_url",
    "default_data_dir",
    "get_engine",
    "head_revision",
    "make_session_factory",
    "session_scope",
    "upgrade_to_head",
]
