"""``to_ics``: RFC 5545 output that Google Calendar and Apple Calendar import.

Re-parsed with icalendar; checked on the bytes: CRLF line endings, folded lines of at most
75 octets, a VTIMEZONE for Asia/Tokyo, one VALARM per VEVENT, stable UIDs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from nakanaori.check.checker import check
from nakanaori.labels import Relationship, Stage
from nakanaori.plan.ics import to_ics
from nakanaori.plan.planner import Plan, _promises, plan
from nakanaori.plan.rules import load_plan_rules

APOLOGY = date(2025, 3, 3)
TOKYO = ZoneInfo("Asia/Tokyo")


def _with_promise(p: Plan, text: str, phrase: str) -> Plan:
    """The plan plus one promise built from a real check report (for when no commitment rule exists)."""
    from nakanaori.check.checker import Finding

    report = check(text, relationship=p.relationship)
    start = text.index(phrase)
    f = Finding(
        label="commitment",
        label_ja="変化の意志・再発防止",
        kind="good",
        start=start,
        end=start + len(phrase),
        text=phrase,
        why="",
        severity="info",
        rule="test",
        start_utf16=start,
        end_utf16=start + len(phrase),
    )
    report = report.model_copy(update={"findings": [f]})
    promises = _promises(load_plan_rules(), Relationship(p.relationship), report, p.today, p.today)
    return p.model_copy(update={"promises": promises})


def _lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


@pytest.mark.parametrize(("rel", "stage"), [(r.value, s.value) for r in Relationship for s in Stage])
def test_every_plan_exports_a_valid_calendar(rel: str, stage: str) -> None:
    p = plan(rel, stage, APOLOGY, today=APOLOGY + timedelta(days=2))
    data = to_ics(p)
    # RFC 5545 §3.1: CRLF everywhere, content lines folded at 75 octets
    assert data.count(b"\n") == data.count(b"\r\n")
    assert max(len(line) for line in _lines(data)) <= 75
    cal = Calendar.from_ical(data)
    assert str(cal["VERSION"]) == "2.0" and "nakanaori" in str(cal["PRODID"])
    zones = [c for c in cal.walk("VTIMEZONE")]
    assert [str(z["TZID"]) for z in zones] == ["Asia/Tokyo"]
    events = cal.walk("VEVENT")
    assert len(events) == len(p.scheduled_steps()) + len(p.scheduled_check_ins())
    assert len(events) >= 1
    for ev in events:
        alarms = ev.walk("VALARM")
        assert len(alarms) == 1
        assert str(alarms[0]["ACTION"]) == "DISPLAY" and str(alarms[0]["DESCRIPTION"])
        assert alarms[0].decoded("TRIGGER") == timedelta(minutes=-30)
        start = ev.decoded("DTSTART")
        assert isinstance(start, datetime) and start.tzinfo is not None
        assert start.utcoffset() == timedelta(hours=9)
        assert (start.hour, start.minute) == ((9, 30) if rel == "work" else (20, 0))
        assert ev.decoded("DTEND") - start == timedelta(minutes=15)
        assert ev.decoded("DTSTAMP").utcoffset() == timedelta(0)
        assert str(ev["UID"]).endswith("@nakanaori")
    assert len({str(ev["UID"]) for ev in events}) == len(events)
    assert b"TZID=Asia/Tokyo" in data


def test_summaries_and_descriptions_are_the_plan_in_japanese() -> None:
    p = plan("partner", "just_apologized", APOLOGY, today=APOLOGY)
    cal = Calendar.from_ical(to_ics(p))
    events = cal.walk("VEVENT")
    by_day = {ev.decoded("DTSTART").date(): ev for ev in events}
    first = p.scheduled_steps()[0]
    ev = by_day[first.date]
    assert str(ev["SUMMARY"]) == f"[{first.kind_ja}] {first.title}"
    description = str(ev["DESCRIPTION"])
    assert first.reason in description
    if first.template:
        assert first.template in description  # the message example survives folding and escaping


def test_past_steps_stay_out_of_the_calendar() -> None:
    today = APOLOGY + timedelta(days=20)
    p = plan("friend", "just_apologized", APOLOGY, today=today)
    assert any(s.status == "past" for s in p.steps)
    cal = Calendar.from_ical(to_ics(p))
    starts = [ev.decoded("DTSTART").date() for ev in cal.walk("VEVENT")]
    assert starts and min(starts) >= today
    assert len(starts) == len(p.scheduled_steps())


def test_uids_are_stable_across_exports_and_dtstamp_follows_the_clock() -> None:
    p = plan("work", "improve", APOLOGY, today=APOLOGY)
    a = Calendar.from_ical(to_ics(p, stamp=datetime(2025, 3, 3, 1, 0, tzinfo=UTC)))
    b = Calendar.from_ical(to_ics(p, stamp=datetime(2025, 3, 4, 1, 0, tzinfo=UTC)))
    assert [str(e["UID"]) for e in a.walk("VEVENT")] == [str(e["UID"]) for e in b.walk("VEVENT")]
    assert a.walk("VEVENT")[0].decoded("DTSTAMP") == datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
    other = plan("work", "improve", APOLOGY - timedelta(days=1), today=APOLOGY)
    c = Calendar.from_ical(to_ics(other))
    assert not {str(e["UID"]) for e in a.walk("VEVENT")} & {str(e["UID"]) for e in c.walk("VEVENT")}


def test_promise_check_ins_become_events_with_alarms() -> None:
    text = "遅刻してごめん。これからは待ち合わせの15分前に着くようにするね。"
    p = _with_promise(plan("friend", "days_later", APOLOGY, today=APOLOGY), text, "待ち合わせの15分前に着く")
    data = to_ics(p)
    cal = Calendar.from_ical(data)
    promise_events = [ev for ev in cal.walk("VEVENT") if str(ev["SUMMARY"]).startswith("[約束]")]
    assert len(promise_events) == 3
    assert sorted(ev.decoded("DTSTART").date() for ev in promise_events) == [
        APOLOGY + timedelta(days=d) for d in (3, 14, 30)
    ]
    for ev in promise_events:
        assert "待ち合わせの15分前に着く" in str(ev["DESCRIPTION"])
        assert len(ev.walk("VALARM")) == 1
    assert max(len(line) for line in _lines(data)) <= 75


def test_long_japanese_lines_fold_on_character_boundaries() -> None:
    p = plan("work", "not_my_fault", APOLOGY, today=APOLOGY)
    data = to_ics(p)
    data.decode("utf-8")  # every folded line is still valid UTF-8 as a whole file
    for line in _lines(data):
        line.decode("utf-8")  # folding never splits a multi-byte character
        assert len(line) <= 75
