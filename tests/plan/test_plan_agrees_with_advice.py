"""The plan's next message falls where advise's timing says to send it.

For every relationship × stage, each day of one week as "today" and the apology 0–3 days before: the first
step of the plan that sends something (``send`` or ``check_in``) from today on lies inside advise's window
(earliest…latest date) when advise says "wait" or "now", and from today on when the window has passed
("late": advise says a short message is still fine). Work contact waits for a working day in both.
"""

from __future__ import annotations

import datetime as dt

import pytest

from nakanaori.advise.advisor import advise
from nakanaori.advise.guidance import working_day
from nakanaori.labels import Relationship, Stage
from nakanaori.plan.planner import plan

MONDAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize("weekday", range(7))
def test_the_next_planned_message_is_inside_the_advised_window(weekday: int) -> None:
    today = MONDAY + dt.timedelta(days=weekday)
    checked = 0
    for ago in range(4):
        apologized = today - dt.timedelta(days=ago)
        for rel in Relationship:
            for stage in Stage:
                timing = advise(
                    None, relationship=rel.value, stage=stage.value, today=today, apologized_on=apologized
                ).timing
                steps = plan(rel.value, stage.value, apologized, today=today).steps
                sends = [s.date for s in steps if s.kind in ("send", "check_in") and s.date >= today]
                if not sends:
                    continue
                checked += 1
                first = sends[0]
                where = (rel.value, stage.value, ago, timing.status, timing.earliest_date, timing.latest_date, first)
                assert timing.earliest_date is not None and timing.latest_date is not None
                if timing.status == "late":
                    assert first >= today, where
                else:
                    assert timing.earliest_date <= first <= timing.latest_date, where
                if rel is Relationship.work:  # the day to act is a working day (past days are history)
                    act = {"wait": timing.earliest_date, "now": today}.get(timing.status or "", first)
                    assert first.weekday() < 5 and act.weekday() < 5, where
    assert checked >= 100


def test_working_day() -> None:
    friday, saturday, sunday, monday = (dt.date(2026, 12, d) for d in (4, 5, 6, 7))
    assert working_day(friday) == friday
    assert working_day(saturday) == monday
    assert working_day(sunday) == monday
    assert working_day(monday) == monday
