"""One table per predicate situation cues name (``nakanaori.advise.predicates``)."""

from __future__ import annotations

from typing import Any

import pytest

from nakanaori.advise.predicates import CUE_CHECKS
from nakanaori.text.analysis import analyze
from spans import tokens_of

TABLES: dict[str, list[tuple[str, str, dict[str, Any], bool]]] = {
    "negated": [
        ("返事がない", "返事", {}, True),
        ("彼から返事が来ない", "返事", {}, True),
        ("許さへん", "許さ", {}, True),
        ("許してもらえへんかった", "許し", {}, True),  # the past へんかっ+た
        ("返事けーへん", "返事", {}, True),  # 来る in Kansai, split けー+へん
        ("返事こん", "返事", {}, True),  # western 来ん
        ("連絡は一度もない", "連絡", {}, True),  # 一度も passes
        ("返事こんな感じ", "返事", {}, False),
        ("返事が来た", "返事", {}, False),
        ("「うん」しか返ってこない", "返っ", {}, False),
    ],
    "not_negated": [
        ("返事が来た", "返事", {}, True),
        ("返事がない", "返事", {}, False),
    ],
    "sentence_has": [
        ("もう会わないって言われた", "会わ", {"words": ["もう"]}, True),
        ("会わないって。もう寝る", "会わ", {"words": ["もう"]}, False),
    ],
    "sentence_lacks": [
        ("しばらく会わないって言われた", "会わ", {"words": ["もう"]}, True),
        ("もう会わないって言われた", "会わ", {"words": ["もう"]}, False),
    ],
    "whole_quote": [
        ("返事は「了解」って", "了解", {}, True),
        ("返事は「了解、また明日ね」って", "了解", {}, False),
    ],
    "not_feared": [
        ("既読スルーされた", "既読スルー", {}, True),
        ("既読スルーされたらどうしよう", "既読スルー", {}, False),
    ],
    "not_own_act": [
        ("冷たくされた", "冷たく", {}, True),
        ("つい冷たく当たってしまった", "冷たく", {}, False),
    ],
}
CASES = [(name, *row) for name, rows in TABLES.items() for row in rows]


def test_every_cue_predicate_has_a_table_with_both_outcomes() -> None:
    assert set(TABLES) == set(CUE_CHECKS)
    for name, rows in TABLES.items():
        assert {row[3] for row in rows} == {True, False}, name


@pytest.mark.parametrize(("name", "text", "piece", "args", "want"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_cue_predicate(name: str, text: str, piece: str, args: dict[str, Any], want: bool) -> None:
    analysis = analyze(text)
    a, b = tokens_of(analysis, piece)
    assert CUE_CHECKS[name].bind(args)(analysis, a, b) is want


def test_word_arguments_are_required() -> None:
    with pytest.raises(ValueError, match="bad arguments"):
        CUE_CHECKS["sentence_has"].bind({})
