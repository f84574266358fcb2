"""One voice per relationship: work stays work, family stays plausible, partners are not translated.

Word tables, run over every text the product writes for that relationship: templates, the guidance
as that relationship reads it, the plan's steps and notes.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from nakanaori import advise, check
from nakanaori.advise.guidance import load_guidance
from nakanaori.advise.templates import load_templates
from nakanaori.labels import Relationship, Stage
from nakanaori.plan.planner import plan
from nakanaori.plan.rules import load_plan_rules

TEMPLATES = load_templates()
APOLOGY = date(2025, 3, 3)

# wording of personal relationships, out of place with a boss, a colleague or a client
WORK_PERSONAL = [
    r"また一緒に",
    r"一緒に\w{0,6}(しよう|行こう|遊|笑|食べ)",
    r"前みたいに",
    r"話せたらうれしい",
    r"機嫌",
    r"仲良く",
    r"仲直り",
    r"二人",
    r"会いたい",
    r"寂し",
    r"大好き",
    r"ご飯|ごはん|散歩|遊び|飲みに",
    r"怒ってない",
    r"気持ちは変わらない",
    r"待ってるね",
]
# holding back business contact, which the work guidance says must go on
WORK_WITHHOLD = [
    r"(連絡|声をかける|話しかける)(の|こと)?(は|を|も)控え",
    r"ご連絡は控え",
    r"控えさせていただきます",
    r"連絡しない",
    r"何も送らず",
]
# family templates must not assume who in the family it is (the user rarely says)
FAMILY_ASSUMES = [
    r"育て",
    r"(お|義)?(母|父)(さん|ちゃん|親)?",
    r"お義",
    r"義理",
    r"(おばあ|おじい|ばあ|じい)ちゃん",
    r"祖(母|父)",
    r"実家",
    r"親孝行",
    r"(?<![兄姉])(息子|娘|兄|姉|弟|妹)(?![弟妹])",
]
# Japanese leaves the subject out between partners; these read as translated
PARTNER_TRANSLATED = [r"あなた", r"貴方", r"あんた", r"君(は|が|の|を|に)", r"きみ(は|が|の|を|に)"]


def _hits(table: list[str], text: str) -> list[str]:
    return [p for p in table if re.search(p, text)]


def _work_texts() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = [(t.id, t.text) for t in TEMPLATES if t.relationship is Relationship.work]
    g = load_guidance()
    for stage in Stage:
        sg = g.stages[stage].for_relationship(Relationship.work)
        where = f"guidance.stages.{stage.value}"
        out += [(where, sg.summary), (where, sg.why), (where, sg.timing.note)]
        out += [(where, x) for x in sg.do] + [(where, f"{d.what} {d.why}") for d in sg.dont]
    rg = g.relationships[Relationship.work]
    out += [("guidance.relationships.work", x) for x in (rg.focus, rg.tone, *rg.do)]
    rules = load_plan_rules()
    for stage in Stage:
        steps = [*rules.stages[stage].steps, *rules.relationship_steps.get(Relationship.work, [])]
        for st in steps:
            if st.applies(Relationship.work, stage):
                out += [(f"plan.{stage.value}.{st.id}", x) for x in st.wording(Relationship.work)]
        for gap in (0, 4, 9, 20, 40):
            p = plan(
                "work", stage.value, APOLOGY, today=APOLOGY + timedelta(days=gap), message="ご迷惑をおかけしました。"
            )
            out += [(f"plan output {stage.value}", x) for x in (p.summary, *p.notes)]
            out += [(f"plan output {s.id}", s.note or "") for s in p.steps]
    return out


WORK_TEXTS = _work_texts()


def test_work_texts_have_no_personal_relationship_wording() -> None:
    bad = [(where, text, _hits(WORK_PERSONAL, text)) for where, text in WORK_TEXTS if _hits(WORK_PERSONAL, text)]
    assert bad == []


def test_work_templates_never_hold_back_business_contact() -> None:
    work = [t for t in TEMPLATES if t.relationship is Relationship.work]
    bad = [(t.id, t.text) for t in work if _hits(WORK_WITHHOLD, t.text)]
    assert bad == []


def test_work_guidance_and_plan_keep_business_contact_going_when_they_say_to_hold_back() -> None:
    # 「控える」 in work guidance is about the matter itself (この件 / お詫び), and says business contact goes on
    held = [(w, t) for w, t in WORK_TEXTS if not w.startswith("work.") and ("控え" in t or "送らず" in t)]
    assert held  # the table reaches the texts it is about
    for where, text in held:
        assert not _hits(WORK_WITHHOLD, text), (where, text)


def test_work_wait_stages_tell_business_contact_to_go_on() -> None:
    g = load_guidance()
    for stage in g.wait_stages:
        if stage is Stage.rejected:
            continue
        a = advise(relationship="work", stage=stage.value)
        assert any("業務" in x for x in a.guidance.do), (stage.value, a.guidance.do)
        assert "業務の連絡" in a.guidance.channel, a.guidance.channel
    assert "業務" not in advise(relationship="friend", stage="distance").guidance.channel


@pytest.mark.parametrize("t", [t for t in TEMPLATES if t.relationship is Relationship.family], ids=lambda t: t.id)
def test_family_templates_assume_no_particular_member(t) -> None:  # type: ignore[no-untyped-def]
    assert _hits(FAMILY_ASSUMES, t.text) == [], t.text


@pytest.mark.parametrize("t", [t for t in TEMPLATES if t.relationship is Relationship.partner], ids=lambda t: t.id)
def test_partner_templates_leave_the_subject_out(t) -> None:  # type: ignore[no-untyped-def]
    assert _hits(PARTNER_TRANSLATED, t.text) == [], t.text


@pytest.mark.parametrize("t", TEMPLATES, ids=lambda t: t.id)
def test_every_template_gets_the_best_verdict_at_its_own_stage(t) -> None:  # type: ignore[no-untyped-def]
    r = check(t.text, relationship=t.relationship.value, stage=t.stage.value)
    assert r.verdict.level == "send", (r.verdict.headline, [n.code for n in r.notes])


def test_the_tables_catch_what_they_are_for() -> None:
    assert _hits(WORK_PERSONAL, "また一緒にランチしよう") and _hits(WORK_PERSONAL, "相手の機嫌がよさそうな日")
    assert _hits(WORK_WITHHOLD, "しばらくご連絡は控えます") and _hits(WORK_WITHHOLD, "話しかけるのは控えます")
    assert _hits(FAMILY_ASSUMES, "今まで育ててくれてありがとう") and _hits(FAMILY_ASSUMES, "お義父さん、すみません")
    assert not _hits(FAMILY_ASSUMES, "兄弟みたいに")
    assert _hits(PARTNER_TRANSLATED, "あなたの気持ちを大事にしたい")


@pytest.mark.parametrize(
    "text",
    [
        "母と喧嘩して謝ったけど、まだ口をきいてくれない",
        "父に謝ったけど、自分は悪くないと思う",
        "姉に謝った。今日のうちにお礼を送りたい",
    ],
)
def test_a_named_family_member_who_is_not_an_in_law_gets_no_in_law_example(text: str) -> None:
    a = advise(text, today=APOLOGY)
    assert a.relationship is Relationship.family
    assert a.templates
    assert all(t.audience is None for t in a.templates), [t.id for t in a.templates]
    assert not any(re.search(r"お義|義(母|父)", t.text) for t in a.templates)


@pytest.mark.parametrize(
    "text", ["義母に謝ったけど、まだ口をきいてくれない", "お義父さんに謝った。自分は悪くないと思う"]
)
def test_an_in_law_gets_the_polite_in_law_examples_first(text: str) -> None:
    a = advise(text, today=APOLOGY)
    assert a.relationship is Relationship.family
    assert a.templates[0].audience == "in_law" and a.templates[0].register.value == "polite"
    assert any(t.audience is None for t in a.templates)  # the everyday ones stay as alternatives
