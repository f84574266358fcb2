"""``plan``: the dated timeline per relationship × stage, past steps, promises, bad input."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest

import nakanaori
from nakanaori.advise.templates import load_templates, templates_for
from nakanaori.check.checker import Finding
from nakanaori.check.rules import load_rules
from nakanaori.errors import InputError
from nakanaori.labels import Relationship, Stage
from nakanaori.plan.planner import Plan, _promises, plan
from nakanaori.plan.rules import load_plan_rules

APOLOGY = date(2025, 3, 3)  # a Monday
SEND_KINDS = ("send", "check_in")
PAIRS = [(r.value, s.value) for r in Relationship for s in Stage]
TEMPLATES = load_templates()


def _first_send(p: Plan) -> date:
    return min(s.date for s in p.steps if s.kind in SEND_KINDS and not s.id.startswith("work."))


@pytest.mark.parametrize(("rel", "stage"), PAIRS)
def test_every_pair_has_a_sorted_timeline_with_something_to_send(rel: str, stage: str) -> None:
    p = plan(rel, stage, APOLOGY, today=APOLOGY)
    assert p.steps, "an empty plan helps nobody"
    assert any(s.kind in SEND_KINDS for s in p.steps)
    dates = [s.date for s in p.steps]
    assert dates == sorted(dates)
    assert all(s.date >= APOLOGY and s.earliest <= s.latest for s in p.steps)
    assert all(s.status != "past" for s in p.steps)  # nothing is past on the day of the apology
    assert len({s.uid for s in p.steps}) == len(p.steps)
    assert all(s.title and s.reason for s in p.steps)
    assert p.event_time == ("09:30" if rel == "work" else "20:00")


@pytest.mark.parametrize("rel", [r.value for r in Relationship])
@pytest.mark.parametrize("gap", [0, 3, 10])
def test_no_reply_waits_at_least_a_week_after_the_apology_and_the_last_contact(rel: str, gap: int) -> None:
    contact = APOLOGY + timedelta(days=gap)
    today = contact
    p = plan(rel, "no_reply", APOLOGY, last_contact=contact if gap else None, today=today)
    sends = [s for s in p.steps if s.kind in SEND_KINDS]
    assert sends
    assert min(s.date for s in sends) >= APOLOGY + timedelta(days=7)
    assert min(s.date for s in sends) >= contact + timedelta(days=7)
    first_wait = next(s for s in p.steps if s.id == "no_reply.wait_a_week")
    assert first_wait.status == "ongoing" and first_wait.date == today
    assert first_wait.latest < min(s.date for s in sends)
    # exactly one message to someone who does not answer (work progress reports are left out here)
    assert len([s for s in sends if s.id.startswith("no_reply.")]) == 1
    assert not any(s.id.startswith("work.progress_report") for s in p.steps)


@pytest.mark.parametrize("rel", ["partner", "friend", "family"])
def test_distance_light_check_in_three_to_seven_days_after_the_last_contact(rel: str) -> None:
    contact = APOLOGY + timedelta(days=1)
    p = plan(rel, "distance", APOLOGY, last_contact=contact, today=contact)
    check_ins = [s for s in p.steps if s.kind == "check_in"]
    assert len(check_ins) == 1
    assert contact + timedelta(days=3) <= check_ins[0].date <= contact + timedelta(days=7)
    assert p.steps[0].kind == "wait"  # no chasing first


@pytest.mark.parametrize("rel", [r.value for r in Relationship])
def test_just_apologized_thanks_the_same_day(rel: str) -> None:
    p = plan(rel, "just_apologized", APOLOGY, today=APOLOGY)
    first = p.steps[0]
    assert first.kind == "send" and first.date == APOLOGY and first.status == "today"
    if templates_for(rel, "just_apologized"):
        assert first.template is not None and first.template_id is not None
        chosen = next(t for t in templates_for(rel, "just_apologized") if t.id == first.template_id)
        assert chosen.text == first.template


@pytest.mark.parametrize("rel", ["partner", "friend", "family"])
def test_days_later_sends_a_light_forward_message_two_to_five_days_after(rel: str) -> None:
    p = plan(rel, "days_later", APOLOGY, today=APOLOGY + timedelta(days=1))
    first = _first_send(p)
    assert APOLOGY + timedelta(days=2) <= first <= APOLOGY + timedelta(days=5)


@pytest.mark.parametrize("rel", [r.value for r in Relationship])
def test_rejected_accepts_and_thanks_then_no_contact_for_months(rel: str) -> None:
    p = plan(rel, "rejected", APOLOGY, today=APOLOGY)
    sends = [s for s in p.steps if s.kind in SEND_KINDS]
    assert [s.date for s in sends] == [APOLOGY]  # the thank-you, and nothing after it
    assert "rejected.no_reapproach" in {s.id for s in p.steps}
    wait = next(s for s in p.steps if s.id == "rejected.no_reapproach")
    assert (wait.latest - APOLOGY).days >= 60
    assert not any(s.id.startswith(("work.", "family.", "partner.", "friend.")) for s in p.steps)


def test_work_shares_prevention_reports_weekly_and_avoids_weekends() -> None:
    saturday = date(2025, 3, 1)
    p = plan("work", "days_later", saturday, today=saturday)
    ids = [s.id for s in p.steps]
    assert "work.share_prevention" in ids
    reports = [s for s in p.steps if s.id.startswith("work.progress_report.")]
    assert [s.occurrence for s in reports] == [1, 2, 3, 4]
    gaps = {(b.date - a.date).days for a, b in itertools.pairwise(reports)}
    assert gaps == {7}
    for s in p.steps:
        if s.kind != "wait":
            assert s.date.weekday() < 5, (s.id, s.date)
    moved = [s for s in p.steps if s.note and "土日" in s.note]
    assert moved and all(s.date.weekday() == 0 for s in moved)


def test_family_keeps_up_small_kindness_every_week() -> None:
    p = plan("family", "not_forgiven", APOLOGY, today=APOLOGY)
    acts = [s for s in p.steps if s.id.startswith("family.small_kindness.")]
    assert len(acts) == 4 and all(s.kind == "do" for s in acts)
    assert [(s.date - APOLOGY).days for s in acts] == [1, 8, 15, 22]


@pytest.mark.parametrize("rel", ["partner", "friend"])
def test_partner_and_friend_keep_the_promise_and_check_in_lightly_only_when_calm(rel: str) -> None:
    calm = plan(rel, "awkward", APOLOGY, today=APOLOGY)
    assert f"{rel}.keep_promise" in {s.id for s in calm.steps}
    assert f"{rel}.light_check_in" in {s.id for s in calm.steps}
    for stage in ("no_reply", "not_forgiven", "cold", "distance", "rejected"):
        tense = plan(rel, stage, APOLOGY, today=APOLOGY)
        assert f"{rel}.light_check_in" not in {s.id for s in tense.steps}, stage


def test_past_steps_are_rolled_to_today_or_marked_past_by_their_policy() -> None:
    today = APOLOGY + timedelta(days=20)
    p = plan("friend", "just_apologized", APOLOGY, today=today)
    by_id = {s.id: s for s in p.steps}
    thanks = by_id["just_apologized.same_day_thanks"]  # if_late: skip — a thank-you 20 days late reads oddly
    assert thanks.status == "past" and thanks.date == APOLOGY and "見送" in (thanks.note or "")
    forward = by_id["just_apologized.light_forward"]  # if_late: roll — still worth sending
    assert forward.status == "today" and forward.date == today and forward.earliest < today
    wait = by_id["just_apologized.let_them_be"]
    assert wait.status == "past"
    assert all(s.date >= today for s in p.scheduled_steps())
    assert any("days_later" in n for n in p.notes)  # the stage looks stale


def test_a_wait_in_progress_starts_today() -> None:
    p = plan("partner", "not_forgiven", APOLOGY, today=APOLOGY + timedelta(days=2))
    hold = next(s for s in p.steps if s.id == "not_forgiven.hold_back")
    assert hold.status == "ongoing" and hold.date == APOLOGY + timedelta(days=2)
    assert hold.earliest == APOLOGY


def test_templates_fit_the_step_and_are_not_repeated_while_others_fit() -> None:
    for rel in Relationship:
        for stage in Stage:
            p = plan(rel.value, stage.value, APOLOGY, today=APOLOGY)
            used = [s.template_id for s in p.steps if s.template_id and s.occurrence in (None, 1)]
            for s in p.steps:
                if s.template_id is None:
                    continue
                assert s.template_id.startswith(f"{rel.value}.")
                assert s.kind in SEND_KINDS
            for tid in set(used):
                if used.count(tid) > 1:  # reused only when no other template of that purpose is left
                    purpose = next(s.purpose for s in p.steps if s.template_id == tid)
                    assert len([t for t in TEMPLATES if t.relationship is rel and t.purpose == purpose]) == 1, tid


def test_plan_is_json_round_trippable() -> None:
    p = plan("work", "cold", APOLOGY, last_contact=APOLOGY + timedelta(days=1), today=APOLOGY + timedelta(days=4))
    again = Plan.model_validate_json(p.model_dump_json())
    assert again == p
    # ``nakanaori.plan`` is the plan package, and calling it calls plan()
    assert (
        nakanaori.plan(
            "work", "cold", APOLOGY, last_contact=APOLOGY + timedelta(days=1), today=APOLOGY + timedelta(days=4)
        )
        == p
    )


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"apologized_on": date(2025, 3, 10)}, "未来"),
        ({"apologized_on": date(1899, 12, 31)}, "1900"),
        ({"last_contact": date(2025, 3, 1)}, "より前"),
        ({"last_contact": date(2025, 3, 12)}, "未来"),
        ({"promised_on": date(2025, 2, 1)}, "より前"),
    ],
)
def test_bad_dates_raise_input_error_in_japanese(kwargs: dict, fragment: str) -> None:
    args = {"apologized_on": date(2025, 3, 3), **kwargs}
    with pytest.raises(InputError) as exc:
        plan("partner", "no_reply", args.pop("apologized_on"), today=date(2025, 3, 5), **args)
    assert exc.value.code == "bad_date" and exc.value.exit_code == 8
    assert fragment in exc.value.message_ja


@pytest.mark.parametrize(("rel", "stage"), [("boss", "no_reply"), ("work", "sulking"), ("", "no_reply")])
def test_unknown_relationship_or_stage_is_a_value_error(rel: str, stage: str) -> None:
    with pytest.raises(ValueError):
        plan(rel, stage, APOLOGY, today=APOLOGY)


def test_empty_message_is_rejected_like_check_does() -> None:
    with pytest.raises(InputError) as exc:
        plan("friend", "days_later", APOLOGY, message="   ", today=APOLOGY)
    assert exc.value.code == "empty"


# ----------------------------------------------------------------------------- promises

MESSAGE = "約束の時間に遅れてごめんね。次からは、出る30分前にアラームをかけるね。待っててくれてありがとう。"


def _commitment_finding(text: str, phrase: str) -> Finding:
    start = text.index(phrase)
    end = start + len(phrase)
    return Finding(
        label="commitment",
        label_ja="変化の意志・再発防止",
        kind="good",
        start=start,
        end=end,
        text=phrase,
        why="",
        severity="info",
        rule="test",
        start_utf16=start,
        end_utf16=end,
    )


def test_each_commitment_becomes_a_promise_with_keep_it_check_ins() -> None:
    report = nakanaori.check(MESSAGE, relationship="friend")
    phrase = "出る30分前にアラームをかける"
    findings = [f for f in report.findings if f.label != "commitment"]
    findings.append(_commitment_finding(MESSAGE, phrase))
    report = report.model_copy(update={"findings": findings})
    made = date(2025, 3, 3)
    promises = _promises(load_plan_rules(), Relationship.friend, report, made, today=made + timedelta(days=5))
    assert len(promises) == 1
    pr = promises[0]
    assert pr.text == phrase and MESSAGE[pr.start : pr.end] == phrase
    assert pr.sentence == "次からは、出る30分前にアラームをかけるね。"
    assert [c.after_days for c in pr.check_ins] == [3, 14, 30]
    assert [c.date for c in pr.check_ins] == [made + timedelta(days=d) for d in (3, 14, 30)]
    assert [c.status for c in pr.check_ins] == ["past", "upcoming", "upcoming"]
    assert len({c.uid for c in pr.check_ins}) == 3


def test_promises_come_from_check_on_a_real_message() -> None:
    if not any(r.label == "commitment" for r in load_rules()):
        pytest.skip("the analyser has no commitment rule yet")
    p = plan("friend", "just_apologized", APOLOGY, message=MESSAGE, today=APOLOGY)
    report = nakanaori.check(MESSAGE, relationship="friend")
    commitments = [f for f in report.findings if f.label == "commitment"]
    assert commitments, "the message makes a concrete promise"
    want = [(f.start, f.end, f.text) for f in commitments]
    assert [(pr.start, pr.end, pr.text) for pr in p.promises] == want
    assert all("アラーム" in pr.sentence for pr in p.promises)
    assert all(c.date > APOLOGY for pr in p.promises for c in pr.check_ins)


def test_advice_to_the_other_person_is_not_a_promise() -> None:
    p = plan("friend", "days_later", APOLOGY, message="次からは気をつけてね。", today=APOLOGY)
    assert p.promises == []
    assert any("約束" in n for n in p.notes)


def test_message_ng_labels_are_reported_with_a_note() -> None:
    text = "ごめんね。でも、もう許してくれた? 早く返事して。"
    p = plan("partner", "no_reply", APOLOGY, message=text, today=APOLOGY)
    report = nakanaori.check(text, relationship="partner")
    assert p.message_ng == report.ng
    assert any("nakanaori check" in n for n in p.notes) == bool(report.ng)


@pytest.mark.parametrize("rel", [r.value for r in Relationship])
def test_a_step_note_gives_one_date_and_one_reason(rel: str) -> None:
    seen_weekend_move = False
    for stage in Stage:
        for gap in range(0, 40, 3):
            today = APOLOGY + timedelta(days=gap)
            p = plan(rel, stage.value, APOLOGY, today=today)
            for s in p.steps:
                if not s.note:
                    continue
                assert s.note.count("。") == 1, s.note  # one sentence: one reason
                assert not re.search(r"(\d+/\d+)〜\1(?!\d)", s.note), s.note  # a one-day window is one day
                moved = re.findall(r"(\d+)/(\d+)\((.)\)にしています", s.note)
                assert len(moved) <= 1, s.note
                if moved:
                    seen_weekend_move = True
                    month, day, weekday = moved[0]
                    assert (s.date.month, s.date.day) == (int(month), int(day)), s.note
                    assert "月火水木金土日"[s.date.weekday()] == weekday
                if "今日にしています" in s.note:
                    assert s.date == today and s.status == "today", s.note
    assert seen_weekend_move == (rel == "work")  # only work steps move off the weekend
