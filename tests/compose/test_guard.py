"""The guard drops any composed text whose re-tokenised joins are broken (issue 11 §3)."""

from __future__ import annotations

import pytest

from nakanaori.compose import compose
from nakanaori.compose.guard import broken_join

BROKEN = [
    "お時間をいただいていただき、ありがとうございました。",
    "ご指導いただいていただき、ありがとうございました。",
    "返信を忘れててしまって、ごめんね。",
    "忘れてちゃって、ごめん。",
    "既読無視してちゃって、ごめん。",
    "ミスがあってしまい、申し訳ございません。",
    "毎日連絡したいようにいたします。",
    "報告を忘れておってしまい、申し訳ございません。",
    "相談に乗ってくださりありがとうござってくれて、ありがとうございました。",
    "心配してくれてくれて、ありがとう。",
]

SOUND = [
    "お時間をいただき、ありがとうございました。",
    "返信を忘れてて、ごめんね。",
    "寝坊しちゃって、ごめんね。",
    "遅刻してしまって、ごめんね。",
    "報告を忘れており、誠に申し訳ございません。",
    "待っていてくださって、ありがとうございました。",
    "今後は毎日ご連絡いたします。",
    "ミスがあり、申し訳ございません。",
    "話を聞いてくれてありがとう。",
    "今後は遅刻しないよう努めます。",
]


@pytest.mark.parametrize("text", BROKEN)
def test_broken_joins_are_found(text: str) -> None:
    assert broken_join(text)


@pytest.mark.parametrize("text", SOUND)
def test_sound_joins_pass(text: str) -> None:
    assert broken_join(text) is None


def test_compose_never_returns_a_broken_join() -> None:
    for rel, stage, facts in [
        ("partner", "just_apologized", {"did": "返信忘れてた", "thanks": "心配してくれてた"}),
        ("work", "improve", {"did": "報告を忘れておりました", "will": "毎日連絡したい"}),
        ("family", "just_apologized", {"did": "不手際がありました", "thanks": "ご指導いただいた"}),
    ]:
        for v in compose(rel, stage, **facts).variants:
            assert broken_join(v.text) is None, v.text
