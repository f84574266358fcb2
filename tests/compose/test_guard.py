"""The guard drops any composed text whose re-tokenised joins are broken (issue 11 §3): its own table of
broken joins (each must be found) and their sound near misses (each must pass)."""

from __future__ import annotations

import pytest

from nakanaori.compose import compose
from nakanaori.compose.guard import broken_join

BROKEN = [
    # two giving verbs on one act
    "お時間をいただいていただき、ありがとうございました。",
    "ご指導いただいていただき、ありがとうございました。",
    "心配してくれてくれて、ありがとう。",
    "早めに教えてもらえていただき、ありがとうございました。",
    "気にかけてくれて嬉しくしてくれてありがとう。",
    "ご馳走になってくださって、ありがとうございました。",
    # a state or 〜ている does not 〜てしまう; て + ちゃう
    "返信を忘れててしまって、ごめんね。",
    "忘れてちゃって、ごめん。",
    "既読無視してちゃって、ごめん。",
    "ミスがあってしまい、申し訳ございません。",
    "報告を忘れておってしまい、申し訳ございません。",
    # the playful ちゃう on a serious act
    "浮気しちゃって、ごめん。",
    "言いすぎちゃって、ごめんね。",
    "嘘ついちゃって、ごめん。",
    "二股かけちゃって、ごめん。",
    "バカって言っちゃって、ごめんね。",
    # a wish or a volition made into 〜ようにする
    "毎日連絡したいようにいたします。",
    "今後は丁寧に説明しようと思うよういたします。",
    # により right before the apology
    "遅刻により、誠に申し訳ございません。",
    "無神経により、大変申し訳ございませんでした。",
    "確認不足により、心よりお詫び申し上げます。",
    # a humble verb with a casual ending
    "次からは事前にご連絡いたすね。",
    # a set phrase conjugated, the same auxiliary twice
    "相談に乗ってくださりありがとうござってくれて、ありがとうございました。",
    "遅れたた、ごめん。",
]

SOUND = [
    "お時間をいただき、ありがとうございました。",
    "ご指導いただき、ありがとうございました。",
    "話を聞いてくれてありがとう。",
    "早めに教えていただき、ありがとうございました。",
    "送ってくれて、迎えに来てくれてありがとう。",
    "ご馳走になり、ありがとうございました。",
    "待っていてくださって、ありがとうございました。",
    "返信を忘れてて、ごめんね。",
    "寝坊しちゃって、ごめんね。",
    "言い忘れちゃって、ごめんね。",
    "遅刻してしまって、ごめんね。",
    "ミスがあり、申し訳ございません。",
    "報告を失念しており、誠に申し訳ございません。",
    "浮気してしまって、ごめんね。",
    "言いすぎてしまって、ごめんね。",
    "今後は毎日ご連絡いたします。",
    "もっと丁寧に説明しようと思う。",
    "遅刻してしまい、誠に申し訳ございません。",
    "システム障害により、ご迷惑をおかけしました。",
    "悪天候により、到着が遅れております。",
    "次からは事前に連絡するね。",
    "今後は遅刻しないよう努めます。",
    "ますますがんばります。",
]


@pytest.mark.parametrize("text", BROKEN)
def test_broken_joins_are_found(text: str) -> None:
    assert broken_join(text)


@pytest.mark.parametrize("text", SOUND)
def test_sound_joins_pass(text: str) -> None:
    assert broken_join(text) is None


@pytest.mark.parametrize(
    ("rel", "stage", "facts"),
    [
        ("partner", "just_apologized", {"did": "返信忘れてた", "thanks": "心配してくれてた"}),
        ("work", "improve", {"did": "報告を忘れておりました", "will": "毎日連絡したい"}),
        ("family", "just_apologized", {"did": "不手際がありました", "thanks": "ご指導いただいた"}),
        ("work", "just_apologized", {"did": "遅刻", "thanks": "お時間をいただいた"}),
        ("work", "not_forgiven", {"did": "無神経だった"}),
        ("work", "improve", {"did": "ミスがあった", "will": "もっと丁寧に説明しようと思う"}),
        ("partner", "not_forgiven", {"did": "浮気した"}),
        ("friend", "cold", {"did": "言いすぎちゃった"}),
        ("friend", "just_apologized", {"did": "既読無視してた", "thanks": "待っててくれた"}),
        ("partner", "improve", {"will": "事前にご連絡いたします"}),
        ("family", "just_apologized", {"thanks": "ご馳走になった", "register": "polite"}),
        ("work", "just_apologized", {"thanks": "早めに教えてもらえた"}),
    ],
)
def test_compose_never_returns_a_broken_join(rel: str, stage: str, facts: dict[str, str]) -> None:
    c = compose(rel, stage, **facts)
    assert c.variants
    for v in c.variants:
        assert broken_join(v.text) is None, v.text
