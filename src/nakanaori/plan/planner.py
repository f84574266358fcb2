"""``plan``: the dated follow-up timeline after an apology, the promises to keep, and an .ics export.

The steps come from ``knowledge/plan.yaml`` (per stage, plus steps per relationship), the message
examples from ``knowledge/templates``, and the promises from the ``commitment`` findings of
:func:`nakanaori.check` on the user's own message.

Steps whose moment has passed on the planning day (``today``) are handled by each step's
``if_late`` policy: ``roll`` moves it to today (a light message is still worth sending late),
``skip`` marks it ``past`` (a same-day thank-you sent a week later reads oddly). A wait that is
still running is ``ongoing`` from today. Work steps that would fall on a Saturday or Sunday move to
the Monday (Japanese public holidays are not known). Only steps dated today or later go to the
calendar.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from ..advise.guidance import working_day
from ..errors import InputError
from ..labels import (
    LABEL_JA,
    RELATIONSHIP_JA,
    RELATIONSHIP_REGISTERS,
    STAGE_JA,
    Relationship,
    Stage,
    join_names,
    parse_relationship,
    parse_stage,
)
from .rules import PlanRules, StepKind, StepRule, load_plan_rules, tidy

if TYPE_CHECKING:
    from ..check.checker import CheckReport

_Date = date  # (inside PlanStep, ``date`` is a field)
TIMEZONE = "Asia/Tokyo"
MIN_DATE = date(1900, 1, 1)
MAX_TODAY = date(9000, 12, 31)  # later "today"s would push the planned steps past year 9999

_WEEKDAY_JA = "月火水木金土日"
KIND_JA: dict[str, str] = {"send": "送る", "wait": "待つ", "do": "行動", "check_in": "様子をうかがう"}
Status = Literal["upcoming", "today", "ongoing", "past"]
STATUS_JA: dict[str, str] = {"upcoming": "予定", "today": "今日", "ongoing": "継続中", "past": "済み・過ぎた"}


class PlanStep(BaseModel):
    """One dated step. ``date`` is when to act (for a wait: from when); the sensible window is
    ``earliest``–``latest`` as the knowledge base gives it, before any rolling."""

    id: str
    uid: str
    kind: StepKind
    kind_ja: str
    date: date
    earliest: _Date
    latest: _Date
    status: Status
    title: str
    reason: str
    purpose: str | None = None  # what the example is for (labels.Purpose), for a step that sends something
    template: str | None = None
    template_id: str | None = None
    occurrence: int | None = None  # 1-based, for steps that repeat
    note: str | None = None


class PromiseCheckIn(BaseModel):
    uid: str
    after_days: int
    date: date
    status: Status
    title: str
    reason: str


class Promise(BaseModel):
    """A commitment found in the user's message, with its "keep it" check-ins."""

    text: str  # the finding's text
    sentence: str  # the sentence around it, for the calendar
    start: int  # code points in the message, end-exclusive (as in check)
    end: int
    start_utf16: int
    end_utf16: int
    made_on: date
    check_ins: list[PromiseCheckIn]


class Plan(BaseModel):
    relationship: str
    relationship_ja: str
    stage: str
    stage_ja: str
    apologized_on: date
    last_contact: date | None
    today: date
    summary: str
    timezone: str = TIMEZONE
    event_time: str  # HH:MM local time of the calendar events
    steps: list[PlanStep]
    promises: list[Promise] = Field(default_factory=list)
    message_ng: list[str] = Field(default_factory=list)  # NG labels found in the message, if any
    notes: list[str] = Field(default_factory=list)

    def scheduled_steps(self) -> list[PlanStep]:
        """Steps dated today or later (the ones that go to the calendar)."""
        return [s for s in self.steps if s.status != "past"]

    def scheduled_check_ins(self) -> list[tuple[Promise, PromiseCheckIn]]:
        return [(p, c) for p in self.promises for c in p.check_ins if c.status != "past"]


def _bad_date(message_ja: str, message_en: str) -> InputError:
    return InputError("bad_date", message_ja, message_en)


def _validate_dates(apologized_on: date, last_contact: date | None, promised_on: date | None, today: date) -> None:
    if not MIN_DATE <= today <= MAX_TODAY:
        raise _bad_date(
            f"今日の日付({today.isoformat()})が範囲外です。1900年〜9000年の日付にしてください。", "today out of range"
        )
    for name_ja, name_en, d in (
        ("謝った日", "apologized_on", apologized_on),
        ("最後に連絡した日", "last_contact", last_contact),
        ("約束した日", "promised_on", promised_on),
    ):
        if d is None:
            continue
        if not isinstance(d, date) or isinstance(d, datetime):
            raise _bad_date(f"{name_ja}は日付で指定してください。", f"{name_en} must be a date")
        if d < MIN_DATE:
            raise _bad_date(
                f"{name_ja}が古すぎます({d.isoformat()})。1900年以降の日付にしてください。", f"{name_en} before 1900"
            )
        if d > today:
            raise _bad_date(
                f"{name_ja}({d.isoformat()})が未来の日付です。今日({today.isoformat()})までの日付にしてください。",
                f"{name_en} is in the future",
            )
    if last_contact is not None and last_contact < apologized_on:
        raise _bad_date(
            f"最後に連絡した日({last_contact.isoformat()})が謝った日({apologized_on.isoformat()})より前です。"
            "謝った日以降の日付にしてください。",
            "last_contact before apologized_on",
        )
    if promised_on is not None and promised_on < apologized_on:
        raise _bad_date(
            f"約束した日({promised_on.isoformat()})が謝った日({apologized_on.isoformat()})より前です。",
            "promised_on before apologized_on",
        )


def _uid(*parts: object) -> str:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:24]
    return f"{digest}@nakanaori"


class _TemplatePicker:
    """The example for a step: a template of the plan's relationship with the step's purpose, written for
    anyone in that relationship (no in-law-only text), in the relationship's main register; templates of
    the step's ``example_stage`` (default: the plan's stage) first. A template is not reused while another
    one of that purpose is left."""

    def __init__(self, relationship: Relationship, stage: Stage) -> None:
        self.relationship = relationship
        self.stage = stage
        self.used: set[str] = set()

    def pick(self, rule: StepRule) -> tuple[str | None, str | None]:
        purpose = rule.purpose_for(self.relationship)
        if purpose is None:
            return None, None
        from ..advise.templates import templates_of_purpose

        main = RELATIONSHIP_REGISTERS[self.relationship][0]
        prefer = rule.example_stage or self.stage
        pool = [t for t in templates_of_purpose(self.relationship.value, purpose.value) if t.audience is None]
        pool.sort(key=lambda t: (t.register != main, t.stage != prefer))
        if not pool:
            return None, None
        fresh = [t for t in pool if t.id not in self.used]
        chosen = (fresh or pool)[0]
        self.used.add(chosen.id)
        return chosen.text, chosen.id


def _md(d: date) -> str:
    return f"{d.month}/{d.day}"


def _window(earliest: date, latest: date) -> str:
    """The sensible window as the user reads it: one day is one date, not 「3/4〜3/4」."""
    return _md(earliest) if earliest == latest else f"{_md(earliest)}〜{_md(latest)}"


def _when(d: date, today: date) -> str:
    return "今日" if d == today else f"{_md(d)}({_WEEKDAY_JA[d.weekday()]})"


def _schedule(
    kind: str, if_late: str, earliest: date, latest: date, today: date, *, weekdays_only: bool = False
) -> tuple[date, Status, str | None]:
    """The day to act, its status, and one note that gives one date and one reason for it."""
    if kind == "wait":
        if latest < today:
            return earliest, "past", None
        if earliest <= today:
            note = None if earliest == today else f"待つ期間の途中です({_md(latest)}まで)。"
            return today, "ongoing", note
        return earliest, "upcoming", None
    status: Status
    why: str | None
    if earliest > today:
        day, status, why = earliest, "upcoming", None
    elif latest >= today:
        day, status = today, "today"
        why = None if earliest == today else f"目安の期間({_window(earliest, latest)})に入っているので"
    elif if_late == "roll":
        day, status = today, "today"
        why = f"目安({_window(earliest, latest)})は過ぎましたが、今からでも遅くないので"
    else:
        return earliest, "past", f"目安({_window(earliest, latest)})を過ぎたので、この回は見送ります。"
    if weekdays_only and day.weekday() >= 5:
        monday = working_day(day)
        status = "upcoming" if monday > today else status
        lead = f"{why}、土日を避けて" if why else "土日を避けて"
        return monday, status, f"{lead}{_when(monday, today)}にしています。"
    return day, status, None if why is None else f"{why}、{_when(day, today)}にしています。"


def _steps(
    rules: PlanRules, rel: Relationship, stg: Stage, apologized_on: date, last_contact: date | None, today: date
) -> list[PlanStep]:
    stage_rules = [(f"{stg.value}.{r.id}", r) for r in rules.stages[stg].steps]
    rel_rules = [(f"{rel.value}.{r.id}", r) for r in rules.relationship_steps.get(rel, [])]
    picker = _TemplatePicker(rel, stg)
    out: list[tuple[date, int, PlanStep]] = []
    for order, (step_id, rule) in enumerate(stage_rules + rel_rules):
        if not rule.applies(rel, stg):
            continue
        anchor = apologized_on if rule.anchor == "apology" or last_contact is None else last_contact
        title, reason = rule.wording(rel)
        text, template_id = picker.pick(rule)
        purpose = rule.purpose_for(rel)
        occurrences = (
            [(None, 0)]
            if rule.repeat is None
            else [(k + 1, k * rule.repeat.every_days) for k in range(rule.repeat.count)]
        )
        for occ, shift in occurrences:
            earliest = anchor + timedelta(days=rule.offset_days + shift)
            latest = anchor + timedelta(days=rule.latest + shift)
            day, status, note = _schedule(
                rule.kind, rule.if_late, earliest, latest, today, weekdays_only=rel == Relationship.work
            )
            out.append(
                (
                    day,
                    order,
                    PlanStep(
                        id=step_id if occ is None else f"{step_id}.{occ}",
                        uid=_uid("step", rel.value, stg.value, apologized_on.isoformat(), step_id, occ or 0),
                        kind=rule.kind,
                        kind_ja=KIND_JA[rule.kind],
                        date=day,
                        earliest=earliest,
                        latest=latest,
                        status=status,
                        title=title if occ is None else f"{title}({occ}回目)",
                        reason=reason,
                        purpose=None if purpose is None else purpose.value,
                        template=text,
                        template_id=template_id,
                        occurrence=occ,
                        note=note,
                    ),
                )
            )
    out.sort(key=lambda x: (x[0], x[1]))
    return [step for _, _, step in out]


def _rule_id(step: PlanStep) -> str:
    return step.id if step.occurrence is None else step.id.rsplit(".", 1)[0]


def _steps_wanting_template(rules: PlanRules, rel: Relationship, stg: Stage) -> set[str]:
    stage_ids = {f"{stg.value}.{r.id}" for r in rules.stages[stg].steps if r.purpose_for(rel) is not None}
    rel_ids = {f"{rel.value}.{r.id}" for r in rules.relationship_steps.get(rel, []) if r.purpose_for(rel) is not None}
    return stage_ids | rel_ids


def _promises(rules: PlanRules, rel: Relationship, report: CheckReport, made_on: date, today: date) -> list[Promise]:
    out: list[Promise] = []
    for f in report.commitments():
        check_ins = []
        for c in rules.promise_check_ins:
            day = made_on + timedelta(days=c.after_days)
            status: Status = "past" if day < today else ("today" if day == today else "upcoming")
            check_ins.append(
                PromiseCheckIn(
                    uid=_uid(
                        "promise",
                        rel.value,
                        made_on.isoformat(),
                        f.start,
                        f.end,
                        hashlib.sha256(f.text.encode("utf-8")).hexdigest()[:12],
                        c.after_days,
                    ),
                    after_days=c.after_days,
                    date=day,
                    status=status,
                    title=c.title,
                    reason=c.reason,
                )
            )
        out.append(
            Promise(
                text=f.text,
                sentence=report.sentence_around(f.start, f.end),
                start=f.start,
                end=f.end,
                start_utf16=f.start_utf16,
                end_utf16=f.end_utf16,
                made_on=made_on,
                check_ins=check_ins,
            )
        )
    return out


def plan(
    relationship: str,
    stage: str,
    apologized_on: date,
    *,
    last_contact: date | None = None,
    message: str | None = None,
    today: date | None = None,
    promised_on: date | None = None,
) -> Plan:
    """The dated follow-up plan for one relationship × stage.

    ``message`` (optional) is the user's own message; every ``commitment`` that :func:`nakanaori.check`
    finds in it becomes a :class:`Promise` with "keep it" check-ins counted from ``promised_on``
    (default: ``today``, the day the plan is made). ``today`` defaults to the date in Asia/Tokyo.

    Raises :class:`ValueError` for an unknown relationship or stage, and
    :class:`nakanaori.errors.InputError` (code ``bad_date``) for dates before 1900, in the future,
    or a last contact before the apology; message errors are those of ``check``.
    """
    rel = parse_relationship(relationship)
    stg = parse_stage(stage)
    if rel is None or stg is None:
        raise ValueError("relationship and stage are required")
    if today is None:
        today = datetime.now(ZoneInfo(TIMEZONE)).date()
    _validate_dates(apologized_on, last_contact, promised_on, today)
    rules = load_plan_rules()
    steps = _steps(rules, rel, stg, apologized_on, last_contact, today)
    wanted = _steps_wanting_template(rules, rel, stg)
    notes: list[str] = []
    promises: list[Promise] = []
    message_ng: list[str] = []
    if message is not None:
        from ..check.checker import check

        report = check(message, relationship=rel)
        promises = _promises(rules, rel, report, promised_on or today, today)
        message_ng = list(report.ng)
        if not report.japanese:
            notes.append("メッセージに日本語が見つからなかったため、約束は読み取れませんでした。")
        elif not promises:
            notes.append(
                "メッセージに具体的な約束(「次からは〜する」など)は見つかりませんでした。"
                "言葉に行動を添えると、信頼が戻りやすくなります。"
            )
        if message_ng:
            names = join_names([LABEL_JA[x] for x in message_ng])
            notes.append(f"メッセージに避けたい要素({names})があります。送る前に nakanaori check で確かめましょう。")
    elapsed = (today - apologized_on).days
    if stg == Stage.just_apologized and elapsed >= 2:
        notes.append(f"謝ってから{elapsed}日たっています。段階は「数日たった」(days_later)のほうが合うかもしれません。")
    if any(s.status != "past" and s.template is None and _rule_id(s) in wanted for s in steps):
        notes.append("文面の例がまだない手順があります。nakanaori compose で自分の言葉から文面をつくれます。")
    return Plan(
        relationship=rel.value,
        relationship_ja=RELATIONSHIP_JA[rel.value],
        stage=stg.value,
        stage_ja=STAGE_JA[stg.value],
        apologized_on=apologized_on,
        last_contact=last_contact,
        today=today,
        summary=tidy(rules.stages[stg].summary),
        event_time=rules.event_times[rel],
        steps=steps,
        promises=promises,
        message_ng=message_ng,
        notes=notes,
    )
