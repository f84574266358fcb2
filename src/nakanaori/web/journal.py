"""Journal helpers used by the pages: owner-scoped loading, saving checked messages, export, .ics."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import HTTPException
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..check.checker import CheckReport
from ..store import Case, JournalMessage, PlannedStep, Promise, User

TOKYO = ZoneInfo("Asia/Tokyo")


def today_tokyo() -> dt.date:
    return dt.datetime.now(TOKYO).date()


MAX_ID = 2**63 - 1  # ids are 64-bit integers in both databases; a larger one can name nothing


def owned_case(session: Session, user: User | None, case_id: int) -> Case:
    """The case if it belongs to *user*; 404 otherwise (never reveal that it exists)."""
    if user is None or not 0 < case_id <= MAX_ID:
        raise HTTPException(status_code=404)
    case = session.scalars(select(Case).where(Case.id == case_id, Case.user_id == user.id)).one_or_none()
    if case is None:
        raise HTTPException(status_code=404)
    return case


def save_checked_message(
    session: Session, case: Case, report: CheckReport, sent_on: dt.date | None
) -> JournalMessage:
    """Store the message with its check summary, and each commitment it makes as a promise."""
    msg = JournalMessage(
        case=case,
        text=report.text,
        sent_on=sent_on,
        score=report.score,
        register=report.register,
        register_ok=report.register_ok,
        good=list(report.good),
        ng=list(report.ng),
    )
    session.add(msg)
    for f in report.commitments():
        session.add(Promise(case=case, message=msg, text=report.sentence_around(f.start, f.end)))
    return msg


def export_user(user: User) -> dict[str, Any]:
    def d(x: dt.date | dt.datetime | None) -> str | None:
        return x.isoformat() if x else None

    return {
        "format": "nakanaori-journal/1",
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "user": {"created_at": d(user.created_at)},
        "cases": [
            {
                "id": c.id,
                "relationship": c.relationship_kind,
                "stage": c.stage,
                "title": c.title,
                "what_happened": c.what_happened,
                "apologized_on": d(c.apologized_on),
                "created_at": d(c.created_at),
                "messages": [
                    {
                        "id": m.id,
                        "text": m.text,
                        "sent_on": d(m.sent_on),
                        "score": m.score,
                        "register": m.register,
                        "register_ok": m.register_ok,
                        "good": m.good,
                        "ng": m.ng,
                        "created_at": d(m.created_at),
                    }
                    for m in c.messages
                ],
                "promises": [
                    {"id": p.id, "text": p.text, "kept": p.kept, "message_id": p.message_id}
                    for p in c.promises
                ],
                "steps": [
                    {
                        "id": s.id,
                        "date": d(s.due_on),
                        "kind": s.kind,
                        "title": s.title,
                        "reason": s.reason,
                        "template": s.template,
                        "done": s.done,
                        "done_at": d(s.done_at),
                    }
                    for s in c.steps
                ],
            }
            for c in user.cases
        ],
    }


def steps_to_ics(case: Case) -> bytes:
    """The case's planned steps as all-day events (Asia/Tokyo); done steps start with ✓."""
    cal = Calendar()
    cal.add("prodid", "-//nakanaori//journal//JA")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"仲直り: {case.title}")
    cal.add("x-wr-timezone", "Asia/Tokyo")
    stamp = dt.datetime.now(dt.UTC)
    for step in case.steps:
        ev = Event()
        ev.add("uid", f"nakanaori-step-{step.id}@nakanaori.local")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", step.due_on)
        ev.add("dtend", step.due_on + dt.timedelta(days=1))
        ev.add("summary", ("✓ " if step.done else "") + step.title)
        if step.reason or step.template:
            ev.add("description", "\n\n".join(x for x in (step.reason, step.template) if x))
        ev.add("status", "CONFIRMED")
        ev.add("categories", [step.kind])
        cal.add_component(ev)
    return cal.to_ical()


def add_step(
    session: Session,
    case: Case,
    due_on: dt.date,
    title: str,
    kind: str = "custom",
    reason: str = "",
    template: str = "",
) -> PlannedStep:
    step = PlannedStep(case=case, due_on=due_on, kind=kind, title=title, reason=reason, template=template)
    session.add(step)
    return step


def toggle_step(session: Session, case: Case, step_id: int) -> PlannedStep | None:
    """Flip a step of *case* between done and not done; None when the case has no such step."""
    if not 0 < step_id <= MAX_ID:
        return None
    step = session.scalars(
        select(PlannedStep).where(PlannedStep.id == step_id, PlannedStep.case_id == case.id)
    ).one_or_none()
    if step is not None:
        step.done = not step.done
        step.done_at = dt.datetime.now(dt.UTC) if step.done else None
    return step


def toggle_promise(session: Session, case: Case, promise_id: int) -> Promise | None:
    """Flip a promise of *case* between kept and not kept; None when the case has no such promise."""
    if not 0 < promise_id <= MAX_ID:
        return None
    promise = session.scalars(
        select(Promise).where(Promise.id == promise_id, Promise.case_id == case.id)
    ).one_or_none()
    if promise is not None:
        promise.kept = not promise.kept
    return promise
