"""Every plan step shows an example of the step's purpose, and every template's purpose is real.

A step that sends something names the purpose of its message (labels.Purpose); the plan picks a
template of that purpose. The tables below hold the purposes to their meaning: a check-in asks after
the other person instead of announcing silence, an invitation invites, a light topic leaves the fight
alone, the no-reply message does not apologise again.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache

import pytest

from nakanaori import check
from nakanaori.advise.templates import Template, load_templates
from nakanaori.labels import RELATIONSHIP_REGISTERS, Purpose, Relationship, Stage
from nakanaori.plan.planner import plan
from nakanaori.plan.rules import load_plan_rules

APOLOGY = date(2025, 3, 3)
PAIRS = [(r, s) for r in Relationship for s in Stage]
TEMPLATES = load_templates()
BY_ID = {t.id: t for t in TEMPLATES}
SENDS = ("send", "check_in")


@cache
def labels_of(template_id: str) -> frozenset[str]:
    t = BY_ID[template_id]
    return frozenset(check(t.text, relationship=t.relationship.value, stage=t.stage.value).labels)


@pytest.mark.parametrize(("rel", "stage"), PAIRS, ids=[f"{r.value}-{s.value}" for r, s in PAIRS])
def test_each_step_shows_an_example_of_its_purpose(rel: Relationship, stage: Stage) -> None:
    main = RELATIONSHIP_REGISTERS[rel][0]
    # on the apology day, and a month later (rolled and past steps keep their example)
    for today in (APOLOGY, APOLOGY + timedelta(days=30)):
        p = plan(rel.value, stage.value, APOLOGY, today=today)
        sends = [s for s in p.steps if s.kind in SENDS]
        assert sends
        for s in sends:
            assert s.purpose is not None, s.id
            assert s.template_id is not None and s.template is not None, (s.id, s.purpose)
            t = BY_ID[s.template_id]
            assert t.purpose.value == s.purpose, (s.id, s.purpose, t.id, t.purpose.value)
            assert t.relationship is rel
            assert t.register is main, (s.id, t.id, t.register)  # the relationship's own register
            assert t.audience is None, (s.id, t.id)  # the plan does not know who in the family it is
            assert t.text == s.template
        assert not any("文面の例がまだない" in n for n in p.notes)


def test_every_purpose_a_step_needs_has_a_template_per_relationship_in_its_register() -> None:
    rules = load_plan_rules()
    for rel in Relationship:
        main = RELATIONSHIP_REGISTERS[rel][0]
        needed: set[Purpose] = set()
        for stage, sp in rules.stages.items():
            steps = [*sp.steps, *rules.relationship_steps.get(rel, [])]
            needed |= {p for r in steps if r.applies(rel, stage) and (p := r.purpose_for(rel)) is not None}
        for purpose in sorted(needed):
            have = [
                t
                for t in TEMPLATES
                if t.relationship is rel and t.purpose is purpose and t.register is main and t.audience is None
            ]
            assert have, (rel.value, purpose.value)


def test_wait_and_do_steps_have_no_purpose_and_send_steps_always_do() -> None:
    rules = load_plan_rules()
    steps = [st for sp in rules.stages.values() for st in sp.steps]
    steps += [st for sts in rules.relationship_steps.values() for st in sts]
    for st in steps:
        for rel in Relationship:
            assert (st.purpose_for(rel) is not None) == (st.kind in SENDS), (st.id, rel.value)


# --- what each purpose means, held on every template of that purpose -----------------------------

# words that bring the fight back; a light topic and a check-in stay away from them
FIGHT_WORDS = re.compile(
    r"ごめん|謝|許|ケンカ|喧嘩|反省|悪かった|申し訳|すみません|詫び|ご迷惑|あの件|先日の件|この前|あのとき|あの日|話せてよかった"
)
CHECK_IN = re.compile(r"落ち着いた|元気|どうしてる|お変わり|過ごし|大丈夫\?")
STEP_BACK = re.compile(r"控え|連絡しない|そっとしておく|一人にしておく")
INVITATION = re.compile(r"行こう|行かない\?|しよう|どう\?|集まろう|食べよう|行ってみよう")
NO_REPLY = re.compile(r"(返事|返信)(は|も)?(いらない|不要|しなくて|無理にしなくて|大丈夫|なくて大丈夫|には及びません)")
QUESTION_PRESSURE = re.compile(r"許して(くれる|もらえる)|いつまで|どうして")


def _of(purpose: Purpose) -> list[Template]:
    return [t for t in TEMPLATES if t.purpose is purpose]


@pytest.mark.parametrize("t", _of(Purpose.check_in), ids=lambda t: t.id)
def test_a_check_in_asks_after_the_other_and_does_not_announce_silence(t: Template) -> None:
    assert CHECK_IN.search(t.text), t.text
    assert not STEP_BACK.search(t.text), t.text
    assert not labels_of(t.id) & {"apology", "responsibility"}, t.text


@pytest.mark.parametrize("t", _of(Purpose.invitation), ids=lambda t: t.id)
def test_an_invitation_invites(t: Template) -> None:
    assert INVITATION.search(t.text), t.text
    assert "forward" in labels_of(t.id)


@pytest.mark.parametrize("t", _of(Purpose.light_topic), ids=lambda t: t.id)
def test_a_light_topic_leaves_the_fight_alone(t: Template) -> None:
    assert not FIGHT_WORDS.search(t.text), t.text
    assert not labels_of(t.id) & {"apology", "responsibility", "empathy", "gratitude"}, (t.text, labels_of(t.id))


@pytest.mark.parametrize("t", _of(Purpose.no_reply_needed), ids=lambda t: t.id)
def test_the_no_reply_message_releases_from_answering_without_apologising_again(t: Template) -> None:
    assert NO_REPLY.search(t.text), t.text
    assert "apology" not in labels_of(t.id), t.text
    assert not re.search(r"ごめん|謝|詫び|申し訳|すみません", t.text), t.text


@pytest.mark.parametrize("t", _of(Purpose.step_back), ids=lambda t: t.id)
def test_stepping_back_leaves_room(t: Template) -> None:
    assert "patience" in labels_of(t.id), t.text


@pytest.mark.parametrize("purpose", [Purpose.thanks, Purpose.acceptance])
def test_thanks_and_acceptance_thank(purpose: Purpose) -> None:
    for t in _of(purpose):
        assert "gratitude" in labels_of(t.id), t.text
        assert not QUESTION_PRESSURE.search(t.text), t.text


def test_apologies_apologise_and_learning_looks_ahead() -> None:
    for t in _of(Purpose.apology):
        assert "apology" in labels_of(t.id), t.text
    for t in _of(Purpose.learning):
        assert {"commitment", "forward"} <= labels_of(t.id), t.text
    for t in _of(Purpose.progress_report):
        assert t.relationship is Relationship.work
        assert re.search(r"報告|進め|運用|進捗", t.text), t.text


def test_the_no_reply_step_does_not_contradict_its_example() -> None:
    # the step says the apology is not repeated; its example (held above) has none
    for rel in Relationship:
        p = plan(rel.value, "no_reply", APOLOGY, today=APOLOGY)
        (one,) = [s for s in p.steps if s.id == "no_reply.one_light_message"]
        assert one.template is not None
        assert "apology" not in labels_of(one.template_id or "")
