"""The journal service: the one place cases, checked messages, promises and planned steps are created,
changed, exported and deleted — for the web app and the LINE bot alike.

Every read is scoped to the owner (a case of another user is :class:`NotFound`, never "forbidden": it
does not reveal that it exists). The privacy promise — "delete all" leaves nothing of the user behind —
is kept by :func:`forget_users`, with explicit deletes of every table that holds a user's data, so it
does not depend on the database enforcing ON DELETE CASCADE (SQLite needs a pragma for it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..plan.ics import AllDayEvent, all_day_calendar
from ..store import Case, Feedback, JournalMessage, PlannedStep, Promise, User
from ..store.line_models import LineAccount, LineReminder
from .feedback import user_feedback

if TYPE_CHECKING:
    from ..check.checker import CheckReport
    from ..plan.planner import Plan

TOKYO = ZoneInfo("Asia/Tokyo")
MAX_ID = 2**63 - 1  # ids are 64-bit integers in both databases; a larger one can name nothing
EXPORT_FORMAT = "nakanaori-journal/1"


def today_tokyo(now: dt.datetime | None = None) -> dt.date:
    """Today in Japan (the day the user lives in), for *now* (default: the current time)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(TOKYO).date()


class NotFound(LookupError):
    """No such case (or step, or promise) of this user."""


class Journal:
    """One user's journal."""

    def __init__(self, session: Session, user: User) -> None:
        self.session = session
        self.user = user

    # ------------------------------------------------------------ cases

    def case(self, case_id: int) -> Case:
        """The user's case *case_id*; :class:`NotFound` for another user's case or none."""
        if not 0 < case_id <= MAX_ID:
            raise NotFound(case_id)
        case = self.session.scalars(select(Case).where(Case.id == case_id, Case.user_id == self.user.id)).one_or_none()
        if case is None:
            raise NotFound(case_id)
        return case

    def create_case(
        self,
        *,
        relationship: str,
        stage: str | None,
        title: str,
        what_happened: str = "",
        apologized_on: dt.date | None = None,
        timeline: Plan | None = None,
    ) -> Case:
        """A new case; with a *timeline*, its steps that are not past become the case's planned steps."""
        case = Case(
            user=self.user,
            relationship_kind=relationship,
            stage=stage,
            title=title,
            what_happened=what_happened,
            apologized_on=apologized_on,
        )
        self.session.add(case)
        if timeline is not None:
            for step in timeline.steps:
                if step.status == "past":  # e.g. a same-day thank-you that is already too late
                    continue
                self.add_step(
                    case, step.date, step.title, kind=step.kind, reason=step.reason, template=step.template or ""
                )
        return case

    def delete_case(self, case: Case) -> None:
        self.session.delete(case)

    # ------------------------------------------------------------ messages and promises

    def save_checked_message(self, case: Case, report: CheckReport, sent_on: dt.date | None) -> JournalMessage:
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
        self.session.add(msg)
        for f in report.commitments():
            self.session.add(Promise(case=case, message=msg, text=report.sentence_around(f.start, f.end)))
        return msg

    def toggle_promise(self, case: Case, promise_id: int) -> Promise | None:
        """Flip a promise of *case* between kept and not kept; None when the case has no such promise."""
        if not 0 < promise_id <= MAX_ID:
            return None
        promise = self.session.scalars(
            select(Promise).where(Promise.id == promise_id, Promise.case_id == case.id)
        ).one_or_none()
        if promise is not None:
            promise.kept = not promise.kept
        return promise

    # ------------------------------------------------------------ steps

    def add_step(
        self, case: Case, due_on: dt.date, title: str, kind: str = "custom", reason: str = "", template: str = ""
    ) -> PlannedStep:
        step = PlannedStep(case=case, due_on=due_on, kind=kind, title=title, reason=reason, template=template)
        self.session.add(step)
        return step

    def toggle_step(self, case: Case, step_id: int) -> PlannedStep | None:
        """Flip a step of *case* between done and not done; None when the case has no such step."""
        if not 0 < step_id <= MAX_ID:
            return None
        step = self.session.scalars(
            select(PlannedStep).where(PlannedStep.id == step_id, PlannedStep.case_id == case.id)
        ).one_or_none()
        if step is not None:
            step.done = not step.done
            step.done_at = dt.datetime.now(dt.UTC) if step.done else None
        return step

    def step(self, step_id: int) -> PlannedStep:
        """The user's planned step *step_id* (of any of their cases); :class:`NotFound` otherwise."""
        if not 0 < step_id <= MAX_ID:
            raise NotFound(step_id)
        step = self.session.scalars(
            select(PlannedStep).join(Case).where(PlannedStep.id == step_id, Case.user_id == self.user.id)
        ).one_or_none()
        if step is None:
            raise NotFound(step_id)
        return step

    def mark_step_sent(self, step_id: int) -> PlannedStep:
        """The step's example was shared through 「LINEで送る」: the step is sent, and so done. Marking
        it again changes nothing (the first time counts). :class:`NotFound` for another user's step."""
        step = self.step(step_id)
        now = dt.datetime.now(dt.UTC)
        if step.sent_at is None:
            step.sent_at = now
        if not step.done:
            step.done, step.done_at = True, now
        return step

    def steps_ics(self, case: Case) -> bytes:
        """The case's planned steps as all-day events (Asia/Tokyo); done steps start with ✓."""
        events = [
            AllDayEvent(
                uid=f"nakanaori-step-{step.id}@nakanaori.local",
                day=step.due_on,
                summary=("✓ " if step.done else "") + step.title,
                description="\n\n".join(x for x in (step.reason, step.template) if x),
                category=step.kind,
            )
            for step in case.steps
        ]
        return all_day_calendar("-//nakanaori//journal//JA", f"仲直り: {case.title}", events)

    # ------------------------------------------------------------ export and forgetting

    def export(self) -> dict[str, Any]:
        """Everything the journal holds for the user, as JSON-ready data."""
        return export_user(self.user, self.session)

    def forget(self) -> None:
        """Delete the user and everything of theirs (see :func:`forget_users`)."""
        forget_users(self.session, [self.user.id])


def empty_export() -> dict[str, Any]:
    return {"format": EXPORT_FORMAT, "cases": [], "feedback": []}


def export_user(user: User, session: Session) -> dict[str, Any]:
    def d(x: dt.date | dt.datetime | None) -> str | None:
        return x.isoformat() if x else None

    return {
        "format": EXPORT_FORMAT,
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
                    {"id": p.id, "text": p.text, "kept": p.kept, "message_id": p.message_id} for p in c.promises
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
                        "sent_at": d(s.sent_at),
                    }
                    for s in c.steps
                ],
            }
            for c in user.cases
        ],
        "feedback": user_feedback(session, user.id),
    }


def forget_users(session: Session, user_ids: Iterable[int]) -> None:
    """The privacy promise, in one place: delete these users and every row that holds their data, in
    both channels — LINE reminders and accounts, feedback, promises, messages, planned steps, cases, the
    users.
    Explicit deletes as well as ON DELETE CASCADE, so nothing depends on the SQLite pragma."""
    ids = set(user_ids)
    if not ids:
        return
    case_ids = select(Case.id).where(Case.user_id.in_(ids))
    session.execute(delete(LineReminder).where(LineReminder.user_id.in_(ids)))
    session.execute(delete(LineAccount).where(LineAccount.user_id.in_(ids)))
    session.execute(delete(Feedback).where(Feedback.user_id.in_(ids)))
    session.execute(delete(Promise).where(Promise.case_id.in_(case_ids)))
    session.execute(delete(JournalMessage).where(JournalMessage.case_id.in_(case_ids)))
    session.execute(delete(PlannedStep).where(PlannedStep.case_id.in_(case_ids)))
    session.execute(delete(Case).where(Case.user_id.in_(ids)))
    session.execute(delete(User).where(User.id.in_(ids)))
    session.expire_all()
