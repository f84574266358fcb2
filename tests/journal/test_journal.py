"""The journal service on both real backends: owner-scoped cases, checked messages and their promises,
steps, export, the calendar, and forgetting a user in both channels."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import pytest
from sqlalchemy import func, select

from nakanaori.check.checker import check
from nakanaori.journal import Journal, NotFound, forget_users, today_tokyo
from nakanaori.plan.planner import plan
from nakanaori.store import (
    Case,
    JournalMessage,
    PlannedStep,
    Promise,
    User,
    get_engine,
    make_session_factory,
    upgrade_to_head,
)
from nakanaori.store.line_models import LineAccount, LineReminder


def _user(token: str) -> User:
    return User(token_hash=hashlib.sha256(token.encode()).hexdigest(), csrf_token="c" * 32)


@pytest.fixture
def session(db_url: str):
    engine = get_engine(db_url)
    upgrade_to_head(engine)
    with make_session_factory(engine)() as s:
        yield s
    engine.dispose()


def test_today_in_tokyo_is_the_japanese_date() -> None:
    assert today_tokyo(dt.datetime(2026, 11, 26, 15, 30, tzinfo=dt.UTC)) == dt.date(2026, 11, 27)
    assert today_tokyo(dt.datetime(2026, 11, 26, 14, 59, tzinfo=dt.UTC)) == dt.date(2026, 11, 26)


def test_cases_are_scoped_to_their_owner(session) -> None:
    alice, bob = _user("a"), _user("b")
    session.add_all([alice, bob])
    session.flush()
    case = Journal(session, alice).create_case(relationship="friend", stage="cold", title="t")
    session.flush()
    assert Journal(session, alice).case(case.id) is case
    for bad in (case.id + 1000, 0, -1, 2**70):
        with pytest.raises(NotFound):
            Journal(session, alice).case(bad)
    with pytest.raises(NotFound):
        Journal(session, bob).case(case.id)


def test_a_timeline_becomes_the_steps_that_are_not_past(session) -> None:
    user = _user("t")
    session.add(user)
    timeline = plan("friend", "no_reply", dt.date(2026, 11, 20), today=dt.date(2026, 11, 27))
    case = Journal(session, user).create_case(
        relationship="friend", stage="no_reply", title="t", apologized_on=dt.date(2026, 11, 20), timeline=timeline
    )
    session.flush()
    assert [s.title for s in case.steps] == [s.title for s in timeline.steps if s.status != "past"]
    assert case.steps


def test_a_checked_message_keeps_its_promises_and_they_toggle(session) -> None:
    user = _user("m")
    session.add(user)
    j = Journal(session, user)
    case = j.create_case(relationship="partner", stage="just_apologized", title="t")
    report = check("昨日はごめん。次からは早めに出るね。", relationship="partner")
    j.save_checked_message(case, report, dt.date(2026, 11, 27))
    session.flush()
    (promise,) = case.promises
    assert promise.text == "次からは早めに出るね。" and promise.kept is False
    assert j.toggle_promise(case, promise.id) is promise and promise.kept is True
    assert j.toggle_promise(case, promise.id + 99) is None
    step = j.add_step(case, dt.date(2026, 11, 28), "お礼を言う")
    session.flush()
    assert j.toggle_step(case, step.id) is step and step.done and step.done_at is not None
    assert j.toggle_step(case, 2**64) is None
    data = j.export()
    assert data["format"] == "nakanaori-journal/1"
    assert data["cases"][0]["messages"][0]["good"] == list(report.good)
    ics = j.steps_ics(case).decode()
    assert "SUMMARY:✓ お礼を言う" in ics and "DTSTART;VALUE=DATE:20261128" in ics


def test_forgetting_a_user_leaves_nothing_of_them_in_either_channel(session) -> None:
    keep, gone = _user("keep"), _user("gone")
    session.add_all([keep, gone])
    session.flush()
    for u in (keep, gone):
        j = Journal(session, u)
        case = j.create_case(relationship="friend", stage="cold", title="t")
        j.save_checked_message(case, check("次からは気をつけるね。"), None)
        step = j.add_step(case, dt.date(2026, 11, 28), "連絡する")
        session.flush()
        session.add(LineAccount(user_id=u.id, line_user_id=f"U{uuid.uuid4().hex}", step="idle"))
        session.add(
            LineReminder(
                user_id=u.id,
                step_id=step.id,
                line_user_id="U",
                title="t",
                text="t",
                due_at=dt.datetime(2026, 11, 28, 3, tzinfo=dt.UTC),
                retry_key=str(uuid.uuid4()),
            )
        )
    session.flush()
    gone_id = gone.id
    forget_users(session, [gone_id])
    session.commit()
    for model in (Case, JournalMessage, Promise, PlannedStep, LineAccount, LineReminder):
        assert session.scalar(select(func.count()).select_from(model)) == 1, model.__name__
    assert session.get(User, gone_id) is None and session.get(User, keep.id) is not None
