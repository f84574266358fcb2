"""``advise``: read the situation, then give the guidance, the timing and the templates for it."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from ..errors import InputError
from ..labels import RELATIONSHIP_JA, STAGE_JA, Relationship, Stage
from .cues import load_situation_lexicon
from .guidance import Dont, load_guidance, working_day
from .situation import Evidence, Facts, read_situation
from .templates import Template, templates_for


class GuidanceOut(BaseModel):
    summary: str
    do: list[str]
    dont: list[Dont]
    why: str
    channel: str
    relationship_focus: str
    tone: str


class TimingOut(BaseModel):
    """When to send the next message. Dates are given when the apology date is known."""

    earliest_days: int
    latest_days: int
    basis: Literal["apology", "last_contact"]
    note: str
    apology_date: dt.date | None = None
    last_contact: dt.date | None = None
    earliest_date: dt.date | None = None
    latest_date: dt.date | None = None
    status: Literal["wait", "now", "late"] | None = None  # relative to today
    days_until: int | None = None  # days from today to the earliest date (0 when it has come)


class Advice(BaseModel):
    relationship: Relationship
    relationship_ja: str
    stage: Stage
    stage_ja: str
    facts: Facts
    confidence: float = Field(ge=0.0, le=1.0)
    relationship_confidence: float
    stage_confidence: float
    question: str | None
    ask: Literal["relationship", "stage"] | None  # what ``question`` asks about (Situation.ask)
    relationship_given: bool
    stage_given: bool
    guidance: GuidanceOut
    timing: TimingOut
    templates: list[Template]  # from nakanaori.advise.templates.templates_for
    evidence: list[Evidence] = Field(default_factory=list)


MIN_TODAY = dt.date(1900, 1, 1)
MAX_TODAY = dt.date(9000, 12, 31)


def _check_date(value: dt.date | None, what: str, today: dt.date) -> None:
    if value is None:
        return
    if value > today:
        raise InputError("bad_date", f"{what}が未来の日付です({value.isoformat()})。", "date in the future")
    if value.year < 1900:
        raise InputError("bad_date", f"{what}が古すぎます({value.isoformat()})。", "date before 1900")


def _channel(relationship: Relationship, stage: Stage, facts: Facts) -> str:
    g = load_guidance()
    ch = g.channels
    if stage in g.wait_stages:
        return ch.work_wait if relationship == Relationship.work else ch.wait
    if relationship == Relationship.work:
        return ch.work
    if facts.severity == "serious":
        return f"{ch.serious}{ch.message_only}"
    if facts.severity == "small":
        return ch.small
    return ch.unknown


def _timing(
    relationship: Relationship,
    stage: Stage,
    apology_date: dt.date | None,
    last_contact: dt.date | None,
    today: dt.date,
) -> TimingOut:
    t = load_guidance().stages[stage].for_relationship(relationship).timing
    out = TimingOut(
        earliest_days=t.earliest_days,
        latest_days=t.latest_days,
        basis=t.basis,
        note=t.note,
        apology_date=apology_date,
        last_contact=last_contact,
    )
    base = apology_date
    if t.basis == "last_contact" and last_contact is not None:
        base = last_contact
    if base is None:
        return out
    out.earliest_date = base + dt.timedelta(days=t.earliest_days)
    out.latest_date = base + dt.timedelta(days=t.latest_days)
    if today < out.earliest_date:
        out.status, out.days_until = "wait", (out.earliest_date - today).days
    elif today <= out.latest_date:
        out.status, out.days_until = "now", 0
    else:
        out.status, out.days_until = "late", 0
    if relationship is Relationship.work:
        # work contact waits for a working day, as the plan's steps do: the day to act moves off a weekend
        act = out.earliest_date if out.status == "wait" else today
        day = working_day(act)
        if day != act:
            out.earliest_date = day
            out.latest_date = max(out.latest_date, day)
            out.status, out.days_until = "wait", (day - today).days
            out.note = f"{out.note}土日を避けて、{day.month}月{day.day}日(月)からにしています。"
    return out


def names_in_law(relationship: Relationship, evidence: list[Evidence]) -> bool:
    """The situation names an in-law (義母, お義父さん …) as the other person."""
    if relationship is not Relationship.family:
        return False
    in_laws = set(load_situation_lexicon().relationships.in_laws)
    return any(e.kind == "relationship" and e.value == "family" and e.text in in_laws for e in evidence)


def templates_for_situation(relationship: Relationship, stage: Stage, evidence: list[Evidence]) -> list[Template]:
    """The stage's templates for this person: those written for in-laws only when the text names an
    in-law (then first); otherwise none that assumes who in the family it is."""
    found = templates_for(relationship.value, stage.value)
    general = [t for t in found if t.audience is None]
    if names_in_law(relationship, evidence):
        return [t for t in found if t.audience == "in_law"] + general
    return general


def advise(
    text: str | None = None,
    *,
    relationship: str | None = None,
    stage: str | None = None,
    today: dt.date | None = None,
    apologized_on: dt.date | None = None,
    last_contact: dt.date | None = None,
) -> Advice:
    """Understand the situation in *text* (and/or the explicit choices) and advise on it.

    Explicit ``relationship``/``stage`` override what the text suggests. ``apologized_on`` and
    ``last_contact`` (optional) override the dates read from the text. Raises
    :class:`~nakanaori.errors.InputError` for bad text or dates and ``ValueError`` for unknown
    relationship/stage values.
    """
    today = today or dt.date.today()
    if not MIN_TODAY <= today <= MAX_TODAY:  # dates counted from it must stay inside the calendar
        raise InputError(
            "bad_date",
            f"今日の日付({today.isoformat()})が範囲外です。1900年〜9000年の日付にしてください。",
            "today out of range",
        )
    _check_date(apologized_on, "謝った日", today)
    _check_date(last_contact, "最後にやり取りした日", today)
    if apologized_on and last_contact and last_contact < apologized_on:
        raise InputError(
            "bad_date", "最後にやり取りした日が、謝った日より前になっています。", "last contact before the apology"
        )
    sit = read_situation(text, relationship=relationship, stage=stage, today=today, apologized_on=apologized_on)
    facts = sit.facts
    g = load_guidance()
    sg = g.stages[sit.stage].for_relationship(sit.relationship)
    rg = g.relationships[sit.relationship]
    guidance = GuidanceOut(
        summary=sg.summary,
        # in the waiting stages the relationship's active to-dos would contradict "wait"
        do=[*sg.do, *([] if sit.stage in g.wait_stages else rg.do)],
        dont=[*sg.dont, *rg.dont],
        why=sg.why,
        channel=_channel(sit.relationship, sit.stage, facts),
        relationship_focus=rg.focus,
        tone=rg.tone,
    )
    return Advice(
        relationship=sit.relationship,
        relationship_ja=RELATIONSHIP_JA[sit.relationship.value],
        stage=sit.stage,
        stage_ja=STAGE_JA[sit.stage.value],
        facts=facts,
        confidence=sit.confidence,
        relationship_confidence=sit.relationship_confidence,
        stage_confidence=sit.stage_confidence,
        question=sit.question,
        ask=sit.ask,
        relationship_given=sit.relationship_given,
        stage_given=sit.stage_given,
        guidance=guidance,
        timing=_timing(sit.relationship, sit.stage, facts.apology_date, last_contact, today),
        templates=templates_for_situation(sit.relationship, sit.stage, sit.evidence),
        evidence=sit.evidence,
    )
