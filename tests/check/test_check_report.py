"""The check report: spans, reasons, suggestions, whole-message notes and the score."""

from __future__ import annotations

import pytest

from nakanaori import InputError, check


def test_spans_point_into_the_original_text() -> None:
    text = "ｺﾞﾒﾝ😂 昨日はほんとにごめんね(笑)"
    r = check(text)
    assert r.findings
    for f in r.findings:
        assert text[f.start : f.end] == f.text
        assert f.why
    assert {"apology", "levity"} <= set(r.labels)


def test_utf16_offsets_for_the_browser() -> None:
    text = "😂😂ごめん"
    r = check(text)
    f = next(f for f in r.findings if f.label == "apology")
    assert (f.start, f.end) == (2, 5)
    assert (f.start_utf16, f.end_utf16) == (4, 7)
    assert text.encode("utf-16-le")[f.start_utf16 * 2 : f.end_utf16 * 2].decode("utf-16-le") == "ごめん"


def test_ng_findings_carry_suggestions_in_the_messages_register() -> None:
    casual = check("気分を害したならごめん", relationship="friend")
    f = next(f for f in casual.findings if f.label == "conditional")
    assert f.suggestion and "ごめん" in f.suggestion
    work = check("ご不快に思われたのであれば、お詫び申し上げます。", relationship="work")
    g = next(f for f in work.findings if f.label == "conditional")
    assert g.suggestion and "申し訳ございません" in g.suggestion


def test_register_mismatch_work_casual_and_partner_honorific() -> None:
    r = check("昨日はすまん!次から気をつける", relationship="work")
    assert r.register == "casual" and r.register_ok is False
    assert any(n.code == "register_mismatch" for n in r.notes)
    p = check(
        "この度は私の不用意な発言により、ご不快な思いをおかけしましたことを、心よりお詫び申し上げます。",
        relationship="partner",
    )
    assert p.register == "honorific" and p.register_ok is False
    ok = check("昨日はごめんね。話を聞いてくれてありがとう", relationship="partner")
    assert ok.register_ok is True


def test_heavy_message_when_there_is_no_reply() -> None:
    long = ("この前のこと、本当にごめん。あれからずっと考えていて、" * 5) + "どう思ってる?"
    r = check(long, relationship="friend", stage="no_reply")
    codes = {n.code for n in r.notes}
    assert {"heavy_long", "heavy_question"} <= codes
    light = check("この前はごめんね。返信はいらないよ", relationship="friend", stage="no_reply")
    assert not {"heavy_long", "heavy_question", "stage_needs"} & {n.code for n in light.notes}


def test_piled_up_apologies() -> None:
    r = check("ごめん。ほんとにごめん。ごめんね。ごめんなさい")
    assert any(n.code == "piled_apology" for n in r.notes)


def test_missing_element_for_the_stage() -> None:
    r = check("昨日は遅れてごめんね", relationship="partner", stage="just_apologized")
    need = [n for n in r.notes if n.code == "stage_needs"]
    assert need and "ありがとう" in need[0].message
    thanks = check("昨日は遅れてごめんね。話を聞いてくれてありがとう", relationship="partner", stage="just_apologized")
    assert not any(n.code == "stage_needs" for n in thanks.notes)


def test_score_orders_good_above_bad_and_gives_three_edits() -> None:
    good = check(
        "昨日は約束に遅れてごめんね。寒い中待たせてつらかったよね。次からは早めに家を出るね。"
        "話を聞いてくれてありがとう",
        relationship="partner",
    )
    bad = check("もう謝ったじゃん。そんなに怒ること?てか、そっちも遅れたことあるよね笑", relationship="partner")
    assert good.score is not None and bad.score is not None
    assert good.score >= 80 > 30 >= bad.score
    assert 1 <= len(bad.next_edits) <= 3
    assert not good.ng


def test_english_only_text_is_a_result_not_a_crash() -> None:
    r = check("Sorry about yesterday, I was wrong.")
    assert r.japanese is False and r.labels == [] and r.score is None
    assert "日本語" in r.notes[0].message


@pytest.mark.parametrize(
    ("text", "code"), [("", "empty"), ("   \n\t", "empty"), ("あ" * 5001, "too_long"), ("ごめん\x00\x01\x02", "binary")]
)
def test_bad_input_is_a_clear_error(text: str, code: str) -> None:
    with pytest.raises(InputError) as exc:
        check(text)
    assert exc.value.code == code and exc.value.message_ja


def test_unknown_relationship_or_stage() -> None:
    with pytest.raises(ValueError, match="relationship"):
        check("ごめん", relationship="boss")
    with pytest.raises(ValueError, match="stage"):
        check("ごめん", stage="later")


def test_text_of_exactly_5000_characters_is_accepted() -> None:
    r = check("ごめんね。" * 1000)
    assert r.japanese and "apology" in r.labels


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("いつでも待ってるね", "excuse"),
        ("次からは気をつけてね", "commitment"),
        ("ごめんって言えば済むと思ってた自分が恥ずかしい", "apology"),
        ("大したことないって思ってた自分が恥ずかしい", "minimization"),
        ("返事はいつでもいいよ", "rushing"),
        ("ありがとうって言ってくれたのに、ひどいことを言った", "gratitude"),
        ("wifiの調子が戻った", "levity"),
        ("また一緒に笑える日が来たらいいな", "levity"),
    ],
)
def test_hard_negatives(text: str, absent: str) -> None:
    assert absent not in check(text).labels
