"""The one place where the LINE bot calls the core (``check``, ``advise``, ``plan``).

The core's results are turned into small views that only carry what a chat message shows, so the
message builders in :mod:`nakanaori.line.flex` stay independent of the core's models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..labels import RELATIONSHIP_JA, STAGE_JA, Relationship, Stage

JST = dt.timezone(dt.timedelta(hours=9), "JST")


def today_jst() -> dt.date:
    return dt.datetime.now(JST).date()


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
        return "・".join(x for x in (rel, stg) if x)


@dataclass(frozen=True)
class StepView:
    date: dt.date
    kind: str
    title: str
    reason: str
    template: str


def _texts(value: Any) -> list[str]:
    """Strings out of a core field that may be a string, a list, or models with ``text``."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list | tuple):
        out: list[str] = []
        for v in value:
            out.extend(_texts(v))
        return out
    for attr in ("text", "message", "summary"):
        v = getattr(value, attr, None)
        if isinstance(v, str):
            return [v]
    return [str(value)]


def _enum_value(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


def advise_view(text: str | None, relationship: str | None, stage: str | None) -> AdviceView:
    """Advice for a situation text and/or explicit choices (``nakanaori.advisor.advise``)."""
    from ..advisor import advise

    advice = advise(text, relationship=relationship, stage=stage, today=today_jst())
    guidance = getattr(advice, "guidance", None)
    do = _texts(getattr(guidance, "do", None)) if guidance is not None else []
    avoid = _texts(getattr(guidance, "avoid", None) or getattr(guidance, "dont", None)) if guidance else []
    if guidance is not None and not do and not avoid:
        do = _texts(guidance)
    channel = " ".join(_texts(getattr(guidance, "channel", None))) if guidance is not None else ""
    timing = " ".join(_texts(getattr(advice, "timing", None)))
    facts = getattr(advice, "facts", None)
    days = getattr(facts, "days_since_apology", None) if facts is not None else None
    question = getattr(advice, "question", None)
    return AdviceView(
        relationship=_enum_value(getattr(advice, "relationship", None)) or relationship,
        stage=_enum_value(getattr(advice, "stage", None)) or stage,
        do=do,
        avoid=avoid,
        timing=timing,
        channel=channel,
        templates=_texts(getattr(advice, "templates", None))[:3],
        question=question if isinstance(question, str) and question.strip() else None,
        days_since_apology=days if isinstance(days, int) else None,
    )


def plan_steps(relationship: str, stage: str, apologized_on: dt.date, today: dt.date) -> list[StepView]:
    """The dated follow-up steps of ``nakanaori.planner.plan`` (today and later only)."""
    from ..planner import plan

    result = plan(Relationship(relationship), Stage(stage), apologized_on, today=today)
    out: list[StepView] = []
    for s in getattr(result, "steps", []):
        date = s.date if isinstance(s.date, dt.date) else dt.date.fromisoformat(str(s.date))
        if date < today:
            continue
        out.append(
            StepView(
                date=date,
                kind=str(getattr(s, "kind", "")),
                title=" ".join(_texts(getattr(s, "title", ""))),
                reason=" ".join(_texts(getattr(s, "reason", ""))),
                template=" ".join(_texts(getattr(s, "template", ""))),
            )
        )
    return out
