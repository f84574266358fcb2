"""The plan as an iCalendar file (RFC 5545): Asia/Tokyo, one VEVENT per scheduled step and promise
check-in, each with a DISPLAY alarm."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .planner import Plan

EVENT_MINUTES = 15
ALARM_MINUTES_BEFORE = 30
PRODID = "-//nakanaori//follow-up plan//JA"


def _event_start(plan: Plan, day: date) -> datetime:
    hh, mm = (int(x) for x in plan.event_time.split(":"))
    return datetime.combine(day, time(hh, mm), tzinfo=ZoneInfo(plan.timezone))


def _make_event(uid: str, summary: str, description: str, start: datetime, stamp: datetime) -> Any:
    from icalendar import Alarm, Event

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=EVENT_MINUTES))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(minutes=-ALARM_MINUTES_BEFORE))
    event.add_component(alarm)
    return event


def to_ics(plan: Plan, *, stamp: datetime | None = None) -> bytes:
    """The plan as an iCalendar file (RFC 5545): one VEVENT per scheduled step and per scheduled
    promise check-in, at the plan's event time in Asia/Tokyo, each with a DISPLAY alarm 30 minutes
    before, and a VTIMEZONE for Asia/Tokyo. Past steps are left out."""
    from icalendar import Calendar

    stamp = (stamp or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"仲直りプラン: {plan.relationship_ja} × {plan.stage_ja}")
    cal.add("x-wr-timezone", plan.timezone)
    for s in plan.scheduled_steps():
        lines = [s.reason]
        if s.earliest != s.latest:
            lines.append(f"目安: {s.earliest.isoformat()} 〜 {s.latest.isoformat()}")
        if s.note:
            lines.append(s.note)
        if s.template:
            lines.append(f"文面の例:\n{s.template}")
        lines.append("(nakanaori の仲直りプランより)")
        cal.add_component(
            _make_event(s.uid, f"[{s.kind_ja}] {s.title}", "\n\n".join(lines), _event_start(plan, s.date), stamp)
        )
    for p, c in plan.scheduled_check_ins():
        description = f"約束:「{p.sentence}」\n\n{c.reason}\n\n(nakanaori の仲直りプランより)"
        cal.add_component(_make_event(c.uid, f"[約束] {c.title}", description, _event_start(plan, c.date), stamp))
    days = [s.date for s in plan.scheduled_steps()] + [c.date for _, c in plan.scheduled_check_ins()]
    first = min(days, default=plan.today)
    last = max(days, default=plan.today)
    cal.add_missing_timezones(
        first_date=min(first, date(1970, 1, 1)), last_date=max(last + timedelta(days=366), date(2038, 1, 1))
    )
    data: bytes = cal.to_ical()
    return data


@dataclass(frozen=True)
class AllDayEvent:
    """One all-day event of a calendar that is not a plan (the journal's planned steps)."""

    uid: str
    day: date
    summary: str
    description: str = ""
    category: str | None = None


def all_day_calendar(prodid: str, name: str, events: Iterable[AllDayEvent], *, stamp: datetime | None = None) -> bytes:
    """All-day events (Asia/Tokyo) as an iCalendar file: the journal's steps, done or not."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Tokyo")
    stamp = stamp or datetime.now(UTC)
    for e in events:
        ev = Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", stamp)
        ev.add("dtstart", e.day)
        ev.add("dtend", e.day + timedelta(days=1))
        ev.add("summary", e.summary)
        if e.description:
            ev.add("description", e.description)
        ev.add("status", "CONFIRMED")
        if e.category is not None:
            ev.add("categories", [e.category])
        cal.add_component(ev)
    data: bytes = cal.to_ical()
    return data
