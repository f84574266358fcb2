"""A stated apology date decides between "just apologised" and "days later": the stage agrees with the date the
timing counts from (a note written earlier, saying さっき, pasted days later)."""

from __future__ import annotations

import datetime as dt

import pytest

from nakanaori.advise.advisor import advise
from nakanaori.advise.models import Stage

TODAY = dt.date(2026, 12, 3)  # a Thursday
JUST = {
    "partner": "さっき彼女に遅刻したことを謝った",
    "friend": "さっき友達に約束を忘れてたことを謝った",
    "work": "さっき上司に報告漏れのことを謝りました",
    "family": "さっき母に言いすぎたことを謝った",
}


@pytest.mark.parametrize("relationship", sorted(JUST))
def test_just_apologised_today_stays(relationship: str) -> None:
    a = advise(JUST[relationship], today=TODAY, apologized_on=TODAY)
    assert a.stage == Stage.just_apologized
    assert a.timing.status == "now"


@pytest.mark.parametrize("days", [2, 3, 6, 13])
@pytest.mark.parametrize("relationship", sorted(JUST))
def test_a_date_days_back_is_not_just_apologised(relationship: str, days: int) -> None:
    a = advise(JUST[relationship], today=TODAY, apologized_on=TODAY - dt.timedelta(days=days))
    assert a.stage == Stage.days_later
    assert a.facts.days_since_apology == days
    # the advice of the stage and its timing agree: days_later's window counts from the stated date
    assert a.timing.apology_date == TODAY - dt.timedelta(days=days)
    assert a.timing.earliest_date is not None
    assert a.timing.earliest_date >= a.timing.apology_date + dt.timedelta(days=2)


def test_the_text_alone_still_reads_just_apologised() -> None:
    assert advise(JUST["partner"], today=TODAY).stage == Stage.just_apologized


def test_a_stated_stage_is_never_overridden() -> None:
    a = advise(JUST["friend"], stage="just_apologized", today=TODAY, apologized_on=TODAY - dt.timedelta(days=5))
    assert a.stage == Stage.just_apologized
