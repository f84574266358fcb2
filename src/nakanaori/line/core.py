"""The one place where the LINE bot calls the core (``check``, ``advise``, ``plan``).

The core's results are turned into small views that only carry what a chat message shows, so the
message builders in :mod:`nakanaori.line.flex` stay independent of the core's models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..journal import today_tokyo
from ..labels import RELATIONSHIP_JA, STAGE_JA

JST = dt.timezone(dt.timedelta(hours=9), "JST")  # reminder times (Japan has no daylight saving time)


@dataclass
class AdviceView:
    relationship: str | None
    stage: str | None
    do: list[str] = field(default_factory=list)
    avoid: list[str] = field(default_factory=list)
    timing: str = ""
    channel: str = ""
    templates: list[str] = field(default_factory=list)
    question: str | None = None  # what the advisor would need to know, when it is unsure
    days_since_apology: int | None = None

    @property
    def complete(self) -> bool:
        return self.relationship is not None and self.stage is not None

    @property
    def title(self) -> str:
        rel = RELATIONSHIP_JA.get(self.relationship or "", "")
        stg = STAGE_JA.get(self.stage or "", "")
        return " / ".join(x for x in (rel, stg) if x)


@dataclass(frozen=True)
class StepView:
    date: dt.date
    kind: str
    title: str
    reason: str
    template: str


WEEKDAY_JA = "月火水木金土日"


def md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日({WEEKDAY_JA[day.weekday()]})"


def _timing_text(timing: Any) -> str:
    parts: list[str] = []
    if timing.status == "now":
        parts.append("今送っても大丈夫なタイミングだよ。")
    elif timing.earliest_date is not None and timing.latest_date is not None:
        if timing.earliest_date == timing.latest_date:
            parts.append(f"{md(timing.earliest_date)}ごろが目安。")
        else:
            parts.append(f"{md(timing.earliest_date)}〜{md(timing.latest_date)}ごろが目安。")
    if timing.note:
        parts.append(timing.note)
    return "".join(parts)


def advise_view(text: str | None, relationship: str | None, stage: str | None) -> AdviceView:
    """Advice for a situation text and/or explicit choices (``nakanaori.advise.advisor.advise``).

    Raises :class:`~nakanaori.errors.InputError` when the text says nothing about a situation.
    The one thing advise would ask about (``Advice.ask``) comes back as ``None`` so the bot asks it, as the
    web app and the CLI do.
    """
    from ..advise.advisor import advise

    advice = advise(text, relationship=relationship, stage=stage, today=today_tokyo())
    # the one thing advise is unsure of comes back as None, so the bot asks it (and keeps the other guess)
    rel: str | None = None if advice.ask == "relationship" else advice.relationship.value
    stg: str | None = None if advice.ask == "stage" else advice.stage.value
    g = advice.guidance
    return AdviceView(
        relationship=rel,
        stage=stg,
        do=list(g.do),
        avoid=[f"{d.what}:{d.why}" for d in g.dont],
        timing=_timing_text(advice.timing),
        channel=g.channel,
        templates=[t.text for t in advice.templates[:3]],
        question=advice.question,
        days_since_apology=advice.facts.days_since_apology,
    )


def plan_steps(relationship: str, stage: str, apologized_on: dt.date, today: dt.date) -> list[StepView]:
    """The dated follow-up steps of ``nakanaori.plan.planner.plan`` (today and later only)."""
    from ..plan.planner import plan

    result = plan(relationship, stage, apologized_on, today=today)
    return [
        StepView(date=s.date, kind=s.kind, title=s.title, reason=s.reason, template=s.template or "")
        for s in result.scheduled_steps()
        if s.date >= today
    ]
