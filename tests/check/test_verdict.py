"""The verdict for the stage (issue 11 §1) and the score inside it; notes never ask for what the text has; praise
for a promise is earned (§6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nakanaori import check
from nakanaori.check.notes import MESSAGE_CHECKS_FILE, load_message_checks, load_message_checks_from
from nakanaori.knowledge import KnowledgeError

BANDS = load_message_checks().score.bands


def _band(level: str) -> tuple[int, int]:
    return getattr(BANDS, level) if level != "none" else (0, 100)


@pytest.mark.parametrize(
    ("text", "rel", "stage", "level"),
    [
        # a light check-in needs no apology or promise
        ("少しは落ち着いた?", "partner", "distance", "send"),
        ("この前は話せてよかった。また近いうちにご飯行こうね。", "friend", "days_later", "send"),
        # one excuse beside a real apology: improve, not a catastrophe
        ("遅れてごめんね。電車が止まってたから。話を聞いてくれてありがとう。", "partner", "just_apologized", "improve"),
        # nothing the stage needs: improve
        ("明日の件だけど、10時で大丈夫。", "friend", "just_apologized", "improve"),
        # a rejection needs acceptance, not persuasion
        ("わかった。今までありがとう。これからは毎日連絡するようにするね。", "partner", "rejected", "improve"),
        ("わかった。受け止めるね。今までありがとう。", "partner", "rejected", "send"),
        # reopening the apology once things are fine again
        ("この前は本当にごめんね。また前みたいに話そう。", "friend", "awkward", "improve"),
        # pressing while they need space backfires
        ("いつになったら返事くれるの?", "friend", "no_reply", "counter"),
        ("謝ったんだから、もういいでしょ?", "partner", "not_forgiven", "counter"),
        ("ごめんごめん(笑)次から気をつける", "friend", "just_apologized", "counter"),
        ("ごめんね、私も悪かったけど、そっちにも原因があると思う。", "partner", None, "counter"),
    ],
)
def test_the_verdict_weighs_what_the_stage_needs(text: str, rel: str, stage: str | None, level: str) -> None:
    r = check(text, relationship=rel, stage=stage)
    assert r.verdict.level == level, (r.verdict, r.labels, [n.code for n in r.notes])


@pytest.mark.parametrize(
    ("text", "rel", "stage"),
    [
        ("少しは落ち着いた?", "partner", "distance"),
        ("遅れてごめんね。電車が止まってたから。話を聞いてくれてありがとう。", "partner", "just_apologized"),
        ("明日の件だけど、10時で大丈夫。", "friend", None),
        ("もう謝ったじゃん。そんなに怒ること?てか、そっちも遅れたことあるよね笑", "partner", None),
        ("いつになったら返事くれるの?", "friend", "no_reply"),
        ("Sorry about yesterday.", None, None),
    ],
)
def test_the_score_lies_inside_the_verdicts_band_and_is_explained(
    text: str, rel: str | None, stage: str | None
) -> None:
    r = check(text, relationship=rel, stage=stage)
    if r.verdict.level == "none":
        assert r.score is None
        return
    lo, hi = _band(r.verdict.level)
    assert r.score is not None and lo <= r.score <= hi
    assert r.score_note and f"{lo}〜{hi}" in r.score_note
    if r.verdict.level == "improve":
        assert r.verdict.headline.startswith(f"{r.verdict.fix_count} か所")


def test_one_excuse_costs_less_than_pressing() -> None:
    excuse = check("遅れてごめんね。電車が止まってたから。話を聞いてくれてありがとう。", "partner", "just_apologized")
    pressing = check("遅れてごめんね。話を聞いてくれてありがとう。もう許してくれた?", "partner", "just_apologized")
    nothing = check("明日の件だけど、10時で大丈夫。", "partner", "just_apologized")
    assert excuse.score is not None and pressing.score is not None and nothing.score is not None
    assert excuse.score >= 70 > 49 >= pressing.score
    assert excuse.verdict.fix_count == nothing.verdict.fix_count == 1


def test_bands_do_not_overlap() -> None:
    assert BANDS.counter[1] < BANDS.improve[0] and BANDS.improve[1] < BANDS.send[0]


# ---------------------------------------------------------------- no note asks for what the text has


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("この前はごめんね。返信はいらないよ。", "no_reply"),
        ("この前はごめんね。返事はいつでもいいからね。", "no_reply"),
        ("体調は大丈夫?返事はしなくていいからね。", "no_reply"),
        ("話せるようになるまで待ってるね。", "not_forgiven"),
        ("落ち着いたら声をかけてね。", "distance"),
        ("今日はありがとう。", "just_apologized"),
        ("また一緒にご飯行こうね。", "days_later"),
        ("また前みたいに話せたらうれしいな。", "awkward"),
        ("この前はありがとう。これまで通り、気軽に声をかけてね。", "awkward"),
    ],
)
def test_no_note_asks_for_what_the_text_already_has(text: str, stage: str) -> None:
    r = check(text, relationship="friend", stage=stage)
    assert "stage_needs" not in {n.code for n in r.notes}, [n.message for n in r.notes]
    assert not any("返信はいらないよ」と添え" in e for e in r.next_edits)


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("この前はごめんね。", "no_reply"),
        ("この前はごめんね。", "distance"),
        ("昨日は遅れてごめんね。", "just_apologized"),
        ("この前はごめんね。", "awkward"),
    ],
)
def test_the_stage_note_appears_when_the_text_lacks_it(text: str, stage: str) -> None:
    r = check(text, relationship="friend", stage=stage)
    assert "stage_needs" in {n.code for n in r.notes}


def test_apology_without_change_is_not_asked_when_a_promise_is_there() -> None:
    bare = check("昨日は遅れてごめんね。話を聞いてくれてありがとう。", "partner", "just_apologized")
    assert "apology_without_change" in {n.code for n in bare.notes}
    promised = check("昨日は遅れてごめんね。次からは出る前に時間を確かめるね。", "partner", "just_apologized")
    assert "apology_without_change" not in {n.code for n in promised.notes}


# ---------------------------------------------------------------- §6: praise is earned


@pytest.mark.parametrize(
    "text", ["ごめんね。今後は気をつけます。", "次からは気をつけるね。", "もう二度と同じことはしないから。"]
)
def test_a_will_to_change_keeps_its_label_but_asks_for_the_concrete_change(text: str) -> None:
    r = check(text, relationship="friend")
    f = next(f for f in r.findings if f.label == "commitment")  # labels.md: the label may still apply
    assert "具体的" not in f.why.split("。")[0] or "まだ" in f.why
    assert f.hint and "具体的" in f.hint
    assert "vague_commitment" in {n.code for n in r.notes}


@pytest.mark.parametrize(
    "text",
    [
        "次からは前日に必ず時間を確認します。",
        "これからは週に一回は自分から電話するようにするね。",
        "言い方を改めます。",
    ],
)
def test_a_concrete_promise_is_praised_as_one(text: str) -> None:
    r = check(text, relationship="work" if text.endswith("す。") else "friend")
    f = next(f for f in r.findings if f.label == "commitment")
    assert f.hint is None
    assert "vague_commitment" not in {n.code for n in r.notes}


@pytest.mark.parametrize("text", ["今後は気をつけます…", "ごめん…今後は気をつけます…", "今後は気をつけます…。"])
def test_a_vague_promise_that_trails_off_is_still_read(text: str) -> None:
    """Sudachi reads … as three periods, two of them empty tokens (at the very end of the text after a final
    …): the tokens inside a finding are found by their start in the user's text, empty ones too."""
    r = check(text, relationship="work")
    assert "commitment" in r.labels
    assert "vague_commitment" in {n.code for n in r.notes}


def test_remorse_alone_is_met_with_the_concrete_change_not_with_only_sorry() -> None:
    r = check("ごめんなさい。反省しています。", relationship="partner", stage="just_apologized")
    codes = {n.code for n in r.notes}
    assert "vague_commitment" in codes and "apology_without_change" not in codes
    assert "commitment" not in r.labels  # labels.md: remorse alone is no promise
    quoted = check("「反省してます」って言えば済むと思ってた。ごめん。", relationship="partner")
    assert "vague_commitment" not in {n.code for n in quoted.notes}


# ---------------------------------------------------------------- the configuration is validated when it loads


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("    labels: [apology]\n", "    labels: [excuse]\n", "stage_warnings.reopen_apology.labels"),
        ("    just_apologized: [levity]\n", "    just_apologized: [apology]\n", "counter_by_stage.just_apologized"),
        ("    send: [85, 100]\n", "    send: [80, 100]\n", "score.bands"),
        ("    distance: {patience: 3, empathy: 1}\n", "    distanse: {patience: 3}\n", "score.values.distanse"),
    ],
)
def test_message_checks_errors_name_the_place(tmp_path: Path, old: str, new: str, fragment: str) -> None:
    text = MESSAGE_CHECKS_FILE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    bad = tmp_path / "message_checks.yaml"
    bad.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(KnowledgeError) as exc:
        load_message_checks_from(bad)
    assert fragment in str(exc.value) and "message_checks.yaml" in str(exc.value)


def test_keigo_to_family_is_a_tip_not_a_place_to_fix() -> None:
    """labels.md flags work in casual and a partner in 敬語; 敬語 to a partner's parents is right."""
    inlaw = check(
        "先日は話を聞いてくださって、本当にありがとうございました。", relationship="family", stage="days_later"
    )
    assert inlaw.register == "honorific" and inlaw.register_ok is True
    assert "register_tip" in {n.code for n in inlaw.notes}
    assert inlaw.verdict.level == "send"
    work = check(
        "昨日はごめん!次から気をつけるね。話聞いてくれてありがとう", relationship="work", stage="just_apologized"
    )
    assert work.register_ok is False and work.verdict.level == "improve"
