"""Storage on both real backends: migrations, cascades, ownership-scoped queries, JSON columns."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from nakanaori.store import (
    Case,
    JournalMessage,
    PlannedStep,
    Promise,
    User,
    current_revision,
    database_url,
    get_engine,
    head_revision,
    make_session_factory,
    session_scope,
    upgrade_to_head,
)

JOURNAL_TABLES = {"users", "cases", "messages", "promises", "planned_steps"}


def _user(token: str) -> User:
    return User(token_hash=hashlib.sha256(token.encode()).hexdigest(), csrf_token="c" * 32)


def test_upgrade_creates_tables_and_is_idempotent(db_url: str) -> None:
    engine = get_engine(db_url)
    assert current_revision(engine) is None
    assert upgrade_to_head(engine) == head_revision()
    assert upgrade_to_head(engine) == head_revision()  # second run: no error, nothing to do
    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) >= JOURNAL_TABLES
    engine.dispose()


def test_journal_roundtrip_and_cascade_delete(db_url: str) -> None:
    engine = get_engine(db_url)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as s:
        u = _user("token-a")
        case = Case(
            user=u,
            relationship_kind="partner",
            stage="no_reply",
            title="ゆいと喧嘩 😢",
            what_happened="約束の時間に遅れた",
            apologized_on=dt.date(2026, 11, 20),
        )
        msg = JournalMessage(
            case=case,
            text="ごめんね。次からは早めに出るね🙏",
            score=72,
            register="casual",
            register_ok=True,
            good=["apology", "commitment"],
            ng=[],
        )
        Promise(case=case, message=msg, text="次からは早めに出るね")
        PlannedStep(case=case, due_on=dt.date(2026, 11, 27), kind="wait", title="1週間待つ")
        PlannedStep(case=case, due_on=dt.date(2026, 11, 21), kind="thanks", title="お礼を送る")
        s.add(u)
    with factory() as s:
        case = s.scalars(select(Case)).one()
        assert case.title == "ゆいと喧嘩 😢"  # emoji survive both backends
        assert case.apologized_on == dt.date(2026, 11, 20)
        assert case.messages[0].good == ["apology", "commitment"]
        assert [p.text for p in case.promises] == ["次からは早めに出るね"]
        assert [st.title for st in case.steps] == ["お礼を送る", "1週間待つ"]  # ordered by date
        user_id = case.user_id
    with session_scope(factory) as s:
        s.delete(s.get(User, user_id))
    with engine.connect() as conn:
        for table in JOURNAL_TABLES:
            assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0, table
    engine.dispose()


def test_foreign_keys_are_enforced(db_url: str) -> None:
    engine = get_engine(db_url)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    with pytest.raises(IntegrityError), session_scope(factory) as s:
        s.add(Case(user_id=999_999, relationship_kind="friend", title="存在しない人"))
    engine.dispose()


def test_token_hash_is_unique(db_url: str) -> None:
    engine = get_engine(db_url)
    upgrade_to_head(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as s:
        s.add(_user("same"))
    with pytest.raises(IntegrityError), session_scope(factory) as s:
        s.add(_user("same"))
    engine.dispose()


def test_sqlite_default_location_and_wal(tmp_path, monkeypatch) -> None:
    data_dir = tmp_path / "fresh" / "data"
    monkeypatch.delenv("NAKANAORI_DATABASE_URL", raising=False)
    monkeypatch.setenv("NAKANAORI_DATA_DIR", str(data_dir))
    url = database_url()
    assert url == f"sqlite:///{(data_dir / 'nakanaori.sqlite3').resolve()}"
    engine = get_engine()
    upgrade_to_head(engine)
    assert (data_dir / "nakanaori.sqlite3").is_file()
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    engine.dispose()


def test_postgres_urls_use_psycopg3(monkeypatch) -> None:
    monkeypatch.setenv("NAKANAORI_DATABASE_URL", "postgres://u:p@db.example:5432/app")
    assert database_url() == "postgresql+psycopg://u:p@db.example:5432/app"
    assert database_url("postgresql://x@h/d") == "postgresql+psycopg://x@h/d"
