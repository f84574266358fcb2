"""One table per predicate of ``check:``: a text, the stretch a rule would have matched, and whether
the predicate keeps that match."""

from __future__ import annotations

import pytest

from nakanaori.check.predicates import CHECKS
from nakanaori.text.analysis import analyze
from spans import tokens_of

TABLES: dict[str, list[tuple[str, str, bool]]] = {
    "sentence_final": [
        ("ごめんね。", "ごめん", True),
        ("ごめん😢", "ごめん", True),
        ("ごめん、昨日は言いすぎた", "ごめん", False),
    ],
    "laugh_mark": [
        ("ごめんごめん笑", "笑", True),
        ("それは草", "草", True),
        ("庭の草を刈る", "草", False),
    ],
    "sender_circumstance": [
        ("仕事で疲れてたし", "疲れ", True),
        ("疲れさせてしまった", "疲れ", False),
        ("疲れてるのは母さんも同じ", "疲れ", False),
    ],
    "sender_act": [
        ("連絡が遅れてごめん", "遅れ", True),
        ("担当者の説明が不十分でした", "説明", False),
        ("打ち合わせが長引いた", "長引い", False),
    ],
    "not_conditional": [
        ("傷つけてごめん", "傷つけ", True),
        ("傷つけたならごめん", "傷つけ", False),
    ],
    "their_feeling": [
        ("寂しかったよね", "寂しかっ", True),
        ("私も寂しかった", "寂しかっ", False),
    ],
    "own_future": [
        ("次から気をつけるね", "気をつける", True),
        ("次から気をつける?", "気をつける", False),
        ("ちゃんと気をつけた", "気をつけ", False),
    ],
    "own_future_work": [
        ("再発防止を徹底いたします。", "徹底いたします", True),
        ("資料をお送りしました。", "お送りし", False),
    ],
    "not_attention": [
        ("本当にすみませんでした", "すみません", True),
        ("すみません、今お時間よろしいでしょうか", "すみません", False),
    ],
}
CASES = [(name, text, piece, want) for name, rows in TABLES.items() for text, piece, want in rows]


def test_every_predicate_has_a_table_with_both_outcomes() -> None:
    assert set(TABLES) == set(CHECKS)
    for name, rows in TABLES.items():
        assert {want for _, _, want in rows} == {True, False}, name


@pytest.mark.parametrize(("name", "text", "piece", "want"), CASES, ids=[f"{c[0]}:{c[2]}:{c[3]}" for c in CASES])
def test_predicate(name: str, text: str, piece: str, want: bool) -> None:
    analysis = analyze(text)
    a, b = tokens_of(analysis, piece)
    assert CHECKS[name].bind({})(analysis, a, b) is want


def test_arguments_are_validated() -> None:
    with pytest.raises(ValueError, match="bad arguments"):
        CHECKS["own_future"].bind({"unexpected": 1})
