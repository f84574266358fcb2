"""``compose`` and ``nakanaori compose``: facts in the user's words → three checked variants."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nakanaori.cli.main import app
from nakanaori.compose.composer import MAX_FACT_CHARS, compose, phrases
from nakanaori.errors import InputError
from nakanaori.labels import Stage

DID, WILL, THANKS = "約束の時間に遅れた", "出る30分前にアラームをかける", "話を聞いてくれた"


def test_partner_just_apologized_uses_the_users_words() -> None:
    c = compose("partner", "just_apologized", did=DID, will=WILL, thanks=THANKS)
    assert len(c.variants) == 3
    assert c.register == "casual"
    for v in c.variants:
        assert v.report.ng == []
        assert v.report.register_ok is True
        assert v.report.verdict.level == "send"
        assert v.stage_elements_ok
        assert "gratitude" in v.labels
        assert "話を聞いてくれて" in v.text
        assert "出る30分前にアラームをかける" in v.text
    # the apology was made today: at least one variant says it again, one may stress the relief instead
    assert any("約束の時間に遅れ" in v.text for v in c.variants)
    scores = [v.score or 0 for v in c.variants if v.stage_elements_ok]
    assert scores == sorted(scores, reverse=True)
    assert len({v.text for v in c.variants}) == 3
    assert len({v.shape for v in c.variants}) == 3


def test_missing_facts_are_left_out_gracefully() -> None:
    c = compose("friend", "no_reply", did="連絡しなかった")
    assert c.used_facts == ["did"]
    assert any("連絡しなくて" in v.text for v in c.variants)
    for v in c.variants:
        assert "{" not in v.text and "None" not in v.text
        assert not v.text.startswith(("、", "。"))
        assert "。。" not in v.text and "、。" not in v.text
        assert v.report.ng == []


def test_promise_left_out_where_it_weighs_on_the_other() -> None:
    c = compose("partner", "distance", did=DID, will=WILL)
    assert "will" not in c.used_facts
    assert any("約束" in w for w in c.warnings)
    assert all("アラーム" not in v.text for v in c.variants)


def test_work_uses_honorific_conjugation() -> None:
    c = compose("work", "no_reply", did="報告が遅れた", thanks="確認してくれた")
    assert c.register == "honorific"
    assert c.variants
    assert any("報告が遅れてしまい" in v.text for v in c.variants)
    assert any("確認していただき" in v.text for v in c.variants)
    for v in c.variants:
        assert v.report.register_ok is True
        assert v.report.ng == []


def test_the_senders_own_words_take_no_bikago_o() -> None:
    # お言葉 is the other person's words; 「ひどいお言葉を言ってしまい」 or 「その場でお言葉にいたします」 is wrong
    c = compose(
        "work",
        "just_apologized",
        did="会議でひどい言葉を言ってしまった",
        will="思ったことをその場で言葉にする",
        thanks="温かい言葉をかけてくれた",
        register="honorific",
    )
    texts = [v.text for v in c.variants]
    assert all("お言葉を言" not in t and "お言葉にいた" not in t for t in texts), texts
    assert any("ひどい言葉を言ってしまい" in t for t in texts), texts
    assert any("温かいお言葉を" in t for t in texts), texts


def test_family_polite_for_in_laws() -> None:
    c = compose("family", "no_reply", did="失礼な言い方をした", register="polite")
    assert c.variants
    assert any("失礼な言い方をしてしまい" in v.text for v in c.variants)
    for v in c.variants:
        assert v.report.register == "polite"


def test_work_promise_in_honorific() -> None:
    c = compose("work", "improve", did="報告が遅れた", will="毎朝進捗を報告する")
    assert len(c.variants) == 3
    assert any("毎朝進捗を報告いたします" in v.text for v in c.variants)


def test_fact_with_an_excuse_is_not_sent_silently() -> None:
    c = compose("partner", "just_apologized", did="忙しかったから仕方なかった", thanks=THANKS)
    assert "did" not in c.used_facts
    assert any("したこと" in w for w in c.warnings)
    assert all("忙しかった" not in v.text for v in c.variants)


@pytest.mark.parametrize(
    ("kwargs", "code", "fragment"),
    [
        ({}, "empty", "事実が1つもありません"),
        ({"did": "   ", "will": "", "thanks": None}, "empty", "事実が1つもありません"),
        ({"did": "遅れた" * 700}, "too_long", f"{MAX_FACT_CHARS}文字以内"),
        ({"did": "I was late for our date"}, "bad_option", "日本語"),
        ({"will": "約束の時間に"}, "bad_option", "文の形"),
    ],
)
def test_bad_facts(kwargs: dict[str, str | None], code: str, fragment: str) -> None:
    with pytest.raises(InputError) as exc:
        compose("partner", "just_apologized", **kwargs)
    assert exc.value.code == code
    assert fragment in exc.value.message_ja


@pytest.mark.parametrize(
    ("rel", "stage", "reg", "fragment"),
    [
        ("lover", "improve", None, "unknown relationship"),
        ("partner", "later", None, "unknown stage"),
        ("partner", "improve", "honorific", "合いません"),
        ("work", "improve", "casual", "合いません"),
        ("work", "improve", "keigo", "使えません"),
    ],
)
def test_bad_options(rel: str, stage: str, reg: str | None, fragment: str) -> None:
    with pytest.raises(InputError) as exc:
        compose(rel, stage, did=DID, register=reg)
    assert exc.value.code == "bad_option"
    assert fragment in exc.value.message_ja


def test_phrase_bank_covers_every_stage_and_register() -> None:
    bank = phrases()
    assert set(bank.closer) == set(Stage)
    for regs in bank.closer.values():
        assert set(regs) == {"casual", "polite", "honorific"}


runner = CliRunner()


def test_cli_json() -> None:
    res = runner.invoke(
        app,
        [
            "compose",
            "-r",
            "partner",
            "-s",
            "just_apologized",
            "--did",
            DID,
            "--will",
            WILL,
            "--thanks",
            THANKS,
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert len(data["variants"]) == 3
    assert all(v["report"]["ng"] == [] for v in data["variants"])


def test_cli_rich_output() -> None:
    res = runner.invoke(app, ["compose", "--relationship", "friend", "--stage", "no_reply", "--did", "連絡しなかった"])
    assert res.exit_code == 0, res.output
    assert "案1" in res.stdout and "連絡しなくて" in res.stdout


@pytest.mark.parametrize(
    ("args", "exit_code", "fragment"),
    [
        (["-r", "partner", "-s", "just_apologized"], 3, "事実が1つもありません"),
        (["-r", "partner", "-s", "just_apologized", "--did", "あ" * 2000], 4, "長すぎます"),
        (["-r", "partner", "-s", "just_apologized", "--did", "I was late"], 2, "日本語"),
        (["-r", "boss", "-s", "just_apologized", "--did", DID], 2, "relationship"),
        (
            ["-r", "partner", "-s", "just_apologized", "--did", DID, "--register", "honorific"],
            2,
            "合いません",
        ),
    ],
)
def test_cli_bad_input(args: list[str], exit_code: int, fragment: str) -> None:
    res = runner.invoke(app, ["compose", *args])
    assert res.exit_code == exit_code
    assert fragment in res.output
    assert "Traceback" not in res.output


def test_variants_do_not_echo_the_same_time_word() -> None:
    """「これからは…。これからもよろしくね」 reads clumsy; no variant opens two sentences that way."""
    for rel in ("partner", "friend", "family", "work"):
        c = compose(
            rel, "days_later", did="約束の時間に遅れた", will="出る30分前にアラームをかける", thanks="話を聞いてくれた"
        )
        for v in c.variants:
            assert not ("これからは" in v.text and "これからも" in v.text), v.text
            assert not ("今後は" in v.text and "今後とも" in v.text), v.text
