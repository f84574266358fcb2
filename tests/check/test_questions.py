"""Questions: care is not pressure (issue 11 §2). A question that only asks how the other person is counts as
care; one that asks for a reply, a meeting, a decision or forgiveness demands an answer."""

from __future__ import annotations

import pytest

from nakanaori import check
from nakanaori.check.questions import questions, releases_reply
from nakanaori.text.analysis import analyze

CARE = [
    "少しは落ち着いた?",
    "体調大丈夫?",
    "元気にしてる?",
    "無理してない?",
    "最近どう?",
    "ちゃんと眠れてる?",
    "ご飯食べてる?",
    "風邪ひいてない?",
    "仕事、忙しい?",
    "疲れてない?",
    "お変わりありませんか。",
    "お体の具合はいかがですか。",
    "その後、体調はいかがでしょうか。",
    "寒くなったけど、元気?",
    "少しは休めてる?",
]
DEMAND = [
    "許してくれる?",
    "いつ会える?",
    "まだ怒ってる?",
    "どう思ってる?",
    "落ち着いたら連絡くれる?",
    "返事くれる?",
    "少し話せる?",
    "ご回答はいつ頃いただけますでしょうか。",
    "ご検討いただけましたでしょうか。",
    "もう機嫌は直った?",
    "電話してもいい?",
    "今度の週末、会えないかな?",
    "いつまで待てばいい?",
    "やり直せないかな?",
    "既読なのに、なんで返さないの?",
]


@pytest.mark.parametrize("text", CARE)
def test_care_questions(text: str) -> None:
    assert [q.kind for q in questions(analyze(text))] == ["care"]


@pytest.mark.parametrize("text", DEMAND)
def test_questions_that_ask_for_an_answer(text: str) -> None:
    assert [q.kind for q in questions(analyze(text))] == ["demand"]


@pytest.mark.parametrize(
    "text",
    ["返事はいらないよ", "ありがとう。", "待ってるね", "「いつ会える?」って聞かれた", "落ち着いたら声をかけてね"],
)
def test_statements_and_quoted_questions_are_not_the_senders_questions(text: str) -> None:
    assert questions(analyze(text)) == []


@pytest.mark.parametrize(
    ("text", "released"),
    [
        ("返事はいらないよ", True),
        ("返信は不要です。", True),
        ("返信不要です。", True),
        ("返事しなくていいからね", True),
        ("返事はいつでもいいよ", True),
        ("既読スルーでも気にしないで", True),
        ("お返事はお気になさらないでください。", True),
        ("返事はしなくても構わないよ", True),
        ("ご返信には及びません。", False),  # not in the table: the cautious reading
        ("返事ちょうだい", False),
        ("返事くれる?", False),
        ("返事がなくて寂しい", False),
        ("返事を気にしてる", False),
        ("返事はいらないって言われた", False),
        ("連絡してもいい?", False),
    ],
)
def test_what_frees_the_other_from_replying(text: str, released: bool) -> None:
    assert releases_reply(analyze(text)) is released


@pytest.mark.parametrize("stage", ["distance", "no_reply", "not_forgiven", "cold", "rejected"])
@pytest.mark.parametrize("text", ["少しは落ち着いた? 返事はいらないよ。", "体調大丈夫?返事はいらないからね。"])
def test_a_care_question_that_frees_from_replying_is_fine_at_a_distance(text: str, stage: str) -> None:
    r = check(text, relationship="partner", stage=stage)
    assert "heavy_question" not in {n.code for n in r.notes}
    assert "rushing" not in r.labels
    if stage in ("distance", "no_reply", "not_forgiven", "cold"):
        assert "stage_needs" not in {n.code for n in r.notes}
        assert r.verdict.level == "send", r.verdict


@pytest.mark.parametrize("text", ["少しは落ち着いた?", "元気にしてる?", "体調大丈夫?"])
def test_a_light_check_in_is_what_the_distance_stage_asks_for(text: str) -> None:
    r = check(text, relationship="partner", stage="distance")
    assert not {"heavy_question", "stage_needs"} & {n.code for n in r.notes}
    assert r.verdict.level == "send"


def test_a_care_question_alone_at_no_reply_still_lacks_the_release() -> None:
    r = check("元気にしてる?", relationship="friend", stage="no_reply")
    codes = {n.code for n in r.notes}
    assert "heavy_question" not in codes and "stage_needs" in codes
    assert r.verdict.level == "improve"


@pytest.mark.parametrize("text", ["どう思ってる?", "今度の週末、会えないかな?", "少し話せる?"])
def test_a_question_that_asks_for_an_answer_is_a_place_to_fix_at_a_distance(text: str) -> None:
    r = check(text + "返事はいらないよ。", relationship="friend", stage="distance")
    assert r.verdict.level in ("improve", "counter")
    assert "heavy_question" in {n.code for n in r.notes} or "rushing" in r.labels
    note = next((n.message for n in r.notes if n.code == "heavy_question"), "")
    assert "返信はいらないよ」と添え" not in note  # never asks for what the text already has
