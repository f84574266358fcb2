"""The register reader (labels.md §3): 謙譲語/尊敬語 → honorific, です/ます → polite, else casual.

The cases are the language's forms, not corpus lines: each pair shows a form and the look-alike that is not it.
"""

from __future__ import annotations

import pytest

from nakanaori.check.register import detect_register, register_of
from nakanaori.text.analysis import analyze

CASES = [
    # the 尊敬 〜れる/られる of the other person's feelings, beside です/ます
    ("先日の件で気分を害されたのでしたら、申し訳ありません。", "honorific"),
    ("もしご不快に思われたのであれば、重ねてお詫びします。", "honorific"),
    ("昨日の件、気にされているならすみません。", "honorific"),
    ("長い時間お待たせして、心配されましたよね。", "honorific"),
    ("先日は不快な思いをされたことと思います。本当にすみませんでした。", "honorific"),
    ("私の言い方で気を悪くされたのなら、すみません。", "honorific"),
    ("寂しく思われたかもしれません。申し訳ないです。", "honorific"),
    # ... and the passive, the spontaneous and 〜ように that look like it
    ("私は親にずっと心配されていました。すみません。", "polite"),
    ("母に心配されてばかりです。", "polite"),
    ("頼りないと思われてしまいました。反省しています。", "polite"),
    ("悪く思われたくなかったんです。", "polite"),
    ("否定されたように感じたと思います。すみません。", "polite"),
    ("先生に叱られました。", "polite"),
    # without です/ます anywhere the weak forms are plain speech
    ("そこまで気にされると逆にしんどい", "casual"),
    ("ママへ 昨日はお手伝いしなくてごめんなさい", "casual"),
    ("今週末、いつもの公園でお散歩しない?", "casual"),
    # 謙譲語 with する and お〜する
    ("資料を拝見しました。ありがとうございます。", "honorific"),
    ("貴重なお時間を頂戴し、ありがとうございました。", "honorific"),
    ("改めてお詫びします。", "honorific"),
    ("長らくお待たせしてすみませんでした。", "honorific"),
    ("準備をお手伝いできず、すみませんでした。", "honorific"),
    ("明日の午後に伺えますか。", "honorific"),
    ("待たせてごめん", "casual"),
    # the western-dialect おる is the plain 居る; おります / 〜ており、 are 謙譲
    ("これからもずっと一緒におってね", "casual"),
    ("旦那も出張でおらんかったとよ", "casual"),
    ("現在確認しており、明日ご連絡します。", "honorific"),
    ("深く反省しております。", "honorific"),
    # 参る: 参ります / 〜て参る, not お墓参り or 参ってる
    ("お母さん、来週一緒にお墓参り行きませんか。", "polite"),
    ("向こうも相当参ってるみたいで", "casual"),
    ("明日、資料を持って参ります。", "honorific"),
    # found by an independent review (2026-12-04): 参る as "worn out", passives with a pronoun, から or unsaid
    # first-person subject, the spontaneous 〜られます, 窺える, 〜ており without a comma, 美化語 + する
    ("仕事が忙しくて参ってる", "casual"),
    ("ごめん、寝坊して参ったわ", "casual"),
    ("暑さで参ってます。返信遅れてすみません。", "polite"),
    ("これからも努力して参りたいと存じます。", "honorific"),
    ("彼に心配されてしまいました。", "polite"),
    ("みんなから心配されてしまいました。すみません。", "polite"),
    ("心配されるのが嫌で、言えませんでした。", "polite"),
    ("私、すごく心配されました。", "polite"),
    ("迷惑に思われていないか心配です。", "polite"),
    ("この件は少し不安に感じられます。", "polite"),
    ("心苦しく思われます。", "polite"),
    ("もしご不快に感じられたのであれば、お詫び申し上げます。", "honorific"),
    ("私が余計なことを言ったせいで、気分を害されたと思います。", "honorific"),
    ("会議の時に気分を害されたのなら、すみません。", "honorific"),
    ("彼の努力が伺える内容でした。", "polite"),
    ("連絡が遅くなっており申し訳ありません。", "honorific"),
    ("先生も気にしておられたよ", "honorific"),
    ("じっとしておられん", "casual"),
    ("そばにおりたいねん", "casual"),
    ("お手伝いしてくれてありがとうございます。", "polite"),
    ("今日はみんなでお散歩しましょうね。", "polite"),
]


@pytest.mark.parametrize(("text", "register"), CASES)
def test_register(text: str, register: str) -> None:
    analysis = analyze(text)
    assert register_of(analysis) == register
    found, evidence = detect_register(analysis)
    assert found == register
    assert bool(evidence) == (register != "casual")
