"""The feedback service (``nakanaori.journal.feedback``) on real SQLite and PostgreSQL: what a row
holds, what it refuses, the reviewers' export and the statistics, and "delete all"."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from nakanaori.errors import InputError
from nakanaori.journal import Journal, NotFound, forget_users
from nakanaori.journal.feedback import export_records, feedback_stats, record_feedback, user_feedback
from nakanaori.labels import LABELS
from nakanaori.store import Feedback, PlannedStep, User, get_engine, make_session_factory, upgrade_to_head
from nakanaori.store.migrate import alembic_config

TEXT = "ごめんね😢 でもあの日は電車が止まってたんだよね"


def _user(token: str) -> User:
    return User(token_hash=hashlib.sha256(token.encode()).hexdigest(), csrf_token="c" * 32)


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    engine = get_engine(db_url)
    upgrade_to_head(engine)
    with make_session_factory(engine)() as s:
        yield s
    engine.dispose()


def test_rows_keep_the_text_and_span_only_when_given(session: Session) -> None:
    u = _user("a")
    session.add(u)
    session.flush()
    with_text = record_feedback(
        session,
        u,
        channel="web",
        kind="dispute",
        label="excuse",
        source="excuse.circumstance",
        register="casual",
        relationship="partner",
        stage="just_apologized",
        text=TEXT,
        span=(8, 24),
    )
    without = record_feedback(
        session, u, channel="line", kind="missed", label="rushing", register="polite", span=(0, 3)
    )
    session.commit()
    session.expire_all()
    a, b = session.get(Feedback, with_text.id), session.get(Feedback, without.id)
    assert a is not None and b is not None
    assert a.text == TEXT and (a.span_start, a.span_end) == (8, 24)  # emoji survive both backends
    assert b.text is None and b.span_start is None and b.span_end is None  # a span without text is dropped
    assert [f["label"] for f in user_feedback(session, u.id)] == ["excuse", "rushing"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"label": "sarcasm"}, "bad_option"),
        ({"kind": "praise"}, "bad_option"),
        ({"channel": "email"}, "bad_option"),
        ({"register": "keigo"}, "bad_option"),
        ({"relationship": "boss"}, "bad_option"),
        ({"stage": "later"}, "bad_option"),
        ({"kind": "missed", "source": "excuse.circumstance"}, "bad_source"),
        ({"span": (5, 5)}, "bad_span"),
        ({"span": (-1, 3)}, "bad_span"),
        ({"span": (0, len(TEXT) + 1)}, "bad_span"),
    ],
)
def test_bad_feedback_is_refused_and_nothing_is_written(session: Session, change: dict, code: str) -> None:
    u = _user("b")
    session.add(u)
    session.flush()
    args = {
        "channel": "web",
        "kind": "dispute",
        "label": "excuse",
        "source": "excuse.circumstance",
        "register": "casual",
        "text": TEXT,
        "span": (0, 4),
        **change,
    }
    with pytest.raises(InputError) as err:
        record_feedback(session, u, **args)
    assert err.value.code == code
    assert session.scalar(select(func.count()).select_from(Feedback)) == 0


def test_export_records_and_stats(session: Session) -> None:
    users = [_user(f"u{i}") for i in range(3)]
    session.add_all(users)
    session.flush()
    for u in users:
        record_feedback(
            session, u, channel="web", kind="dispute", label="excuse", source="excuse.circumstance", register="casual"
        )
    record_feedback(
        session, users[0], channel="line", kind="dispute", label="levity", source="model", register="casual", text=TEXT
    )
    record_feedback(session, users[1], channel="web", kind="dispute", label="apology", source=None, register="polite")
    record_feedback(
        session, users[2], channel="web", kind="missed", label="excuse", register="casual", text=TEXT, span=(8, 24)
    )
    session.commit()
    records = list(export_records(session))
    assert [r["kind"] for r in records] == ["dispute"] * 5 + ["missed"]
    missed = records[-1]
    assert missed["labels"] == ["excuse"] and missed["spans"] == {"excuse": [[8, 24]]}
    assert TEXT[8:24] == "あの日は電車が止まってたんだよね"
    assert records[3]["disputed"] == {"levity": []} and records[3]["text_included"] is True
    assert records[0]["text"] is None and records[0]["text_included"] is False
    assert len({r["id"] for r in records}) == 6
    for r in records:  # the corpus record's keys, and nothing that says who sent it
        assert {"id", "text", "relationship", "register", "labels", "spans"} <= set(r)
        assert not {"user", "user_id", "token_hash"} & set(r)
        assert r["review"] == "pending"
    stats = feedback_stats(session)
    assert (stats.total, stats.with_text) == (6, 2)
    assert [(d.source, d.label, d.disputed, d.with_text) for d in stats.disputes] == [
        ("excuse.circumstance", "excuse", 3, 0),
        ("model", "levity", 1, 1),
        ("unknown", "apology", 1, 0),
    ]
    assert list(stats.missed) == list(LABELS) and stats.missed["excuse"] == 1 and sum(stats.missed.values()) == 1


def test_forgetting_a_user_deletes_their_feedback_only(session: Session) -> None:
    keep, gone = _user("keep"), _user("gone")
    session.add_all([keep, gone])
    session.flush()
    for u in (keep, gone):
        record_feedback(session, u, channel="web", kind="missed", label="rushing", register="casual", text=TEXT)
    session.flush()
    forget_users(session, [gone.id])
    session.commit()
    assert session.scalars(select(Feedback.user_id)).all() == [keep.id]


def test_a_step_is_marked_sent_once_and_only_for_its_owner(session: Session) -> None:
    owner, other = _user("owner"), _user("other")
    session.add_all([owner, other])
    session.flush()
    j = Journal(session, owner)
    case = j.create_case(relationship="friend", stage="cold", title="t")
    step = j.add_step(case, dt.date(2026, 12, 5), "連絡する", template="この前はごめんね。")
    session.flush()
    with pytest.raises(NotFound):
        Journal(session, other).mark_step_sent(step.id)
    for bad in (0, -1, 2**63):
        with pytest.raises(NotFound):
            j.mark_step_sent(bad)
    first = j.mark_step_sent(step.id).sent_at
    session.commit()
    assert first is not None
    again = j.mark_step_sent(step.id)
    assert again.sent_at == first and again.done and again.done_at is not None
    session.commit()
    session.expire_all()
    stored = session.get(PlannedStep, step.id)
    assert stored is not None and stored.sent_at is not None and stored.done
    exported = j.export()["cases"][0]["steps"][0]
    assert exported["sent_at"] and exported["done"] is True


def test_migration_0003_goes_down_and_up_again(db_url: str) -> None:
    from alembic import command

    engine = get_engine(db_url)
    upgrade_to_head(engine)
    cols = {c["name"] for c in inspect(engine).get_columns("feedback")}
    assert {"text", "span_start", "span_end", "source", "register", "relationship", "stage", "channel"} <= cols
    assert "sent_at" in {c["name"] for c in inspect(engine).get_columns("planned_steps")}
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002_line")
    inspect(engine).clear_cache()
    assert "feedback" not in inspect(engine).get_table_names()
    assert "sent_at" not in {c["name"] for c in inspect(engine).get_columns("planned_steps")}
    upgrade_to_head(engine)
    with make_session_factory(engine)() as s:
        u = _user(str(uuid.uuid4()))
        s.add(u)
        s.flush()
        record_feedback(s, u, channel="web", kind="missed", label="forward", register="casual")
        s.commit()
        s.delete(u)  # the database cascade removes the feedback too
        s.commit()
        assert s.scalar(select(func.count()).select_from(Feedback)) == 0
    engine.dispose()
