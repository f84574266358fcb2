"""Register of a message: casual / polite (です・ます) / honorific (謙譲語・尊敬語), from morphemes.

labels.md §3: any 謙譲語 or 尊敬語 verb (いたす, おります, いただく, 〜てくださる, 申し上げる,
お/ご〜する, 尊敬の〜れる/られる) or ございます makes a message honorific; です/ます alone, the plain
request 〜てください and set phrases like ありがとうございます are polite; otherwise casual.

Not read yet: the 尊敬 〜れる/られる (「部長が気分を害された」). Telling it from the passive (「先生に叱られた」), the
potential (「来られる」) and the spontaneous 「〜と思われる」 needs the clause's subject; such a message reads as polite
(docs/model.md, Known weaknesses; held-out h15).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..text.analysis import Analysis, Token

# 謙譲語・尊敬語 verbs (dictionary forms as Sudachi gives them)
HONORIFIC_VERBS = {
    "いたす",
    "致す",
    "申し上げる",
    "申す",
    "存ずる",
    "存じる",
    "伺う",
    "参る",
    "まいる",
    "賜る",
    "承る",
    "いただく",
    "頂く",
    "いただける",
    "頂ける",
    "なさる",
    "おっしゃる",
    "いらっしゃる",
    "召し上がる",
    "拝見",
    "拝読",
    "拝察",
    "申し添える",
    "差し上げる",
    "お目にかかる",
    "仰る",
}
POLITE_AUX = {"ます", "です"}
_REQUEST_LEMMAS = frozenset({"ください", "下さい", "くださる", "下さる"})
SET_PHRASES_BEFORE_GOZAIMASU = {"ありがとう", "有り難う", "おめでとう", "おはよう", "お早う"}


def _is_honorific(tokens: list[Token], k: int) -> bool:
    t = tokens[k]
    lemma = t.lemma
    if not t.pos_str.startswith("動詞"):
        return False
    if lemma == "なさる" and t.cform.startswith("命令形"):
        return False  # ごめんなさい / 〜しなさい are not honorific
    if lemma in HONORIFIC_VERBS:
        return True
    if lemma == "おる":  # 〜ております / おります
        return True
    if lemma == "ござる":
        prev = tokens[k - 1] if k > 0 else None
        return not (prev is not None and prev.lemma in SET_PHRASES_BEFORE_GOZAIMASU)
    if lemma in ("くださる", "下さる"):
        prev = tokens[k - 1] if k > 0 else None
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        # 〜てください (plain request) is polite;
        # 〜てくださる / 〜てくださった / お〜ください / くださいませ are honorific
        if nxt is not None and nxt.lemma == "ます" and nxt.cform.startswith("命令形"):
            return True
        if t.cform.startswith("命令形"):
            return prev is not None and _has_o_go_prefix(tokens, k - 1)
        return True
    if lemma in ("する", "できる", "出来る"):
        # お/ご + verb stem / サ変 noun + する・できる (謙譲): お待たせする, ご連絡します, お話しできます;
        # but 「(よろしく)お願いします」 is a polite set phrase
        if k > 0 and tokens[k - 1].lemma in ("願う", "願い", "お願い"):
            return False
        return k > 0 and _has_o_go_prefix(tokens, k - 1)
    if lemma == "なる":
        # お〜になる (尊敬): お使いになる
        return k > 1 and tokens[k - 1].surface == "に" and _has_o_go_prefix(tokens, k - 2)
    return False


def _has_o_go_prefix(tokens: list[Token], j: int) -> bool:
    """True when token j is a verb stem or noun directly preceded by the prefix お/ご/御."""
    if j < 1 or j >= len(tokens):
        return False
    cur, prev = tokens[j], tokens[j - 1]
    if not (cur.pos_str.startswith(("名詞,普通名詞,サ変", "動詞"))):
        return False  # お茶する is casual; ご連絡する / お話しする are 謙譲語
    if cur.pos_str.startswith("動詞") and not cur.cform.startswith("連用形"):
        return False
    return prev.pos_str.startswith("接頭辞") and prev.surface in ("お", "ご", "御")


def _is_polite(t: Token) -> bool:
    if t.lemma in ("ください", "下さい"):
        return True
    if t.lemma in ("くださる", "下さる") and t.cform.startswith("命令形"):
        return True  # 〜てください: a plain polite request (お/ご〜ください was caught as honorific before)
    return t.pos_str.startswith("助動詞") and t.lemma in POLITE_AUX and t.surface not in ("でしょ", "っしょ")


def _evidence(analysis: Analysis) -> Iterator[tuple[int, int, str]]:
    """Each token outside quotes and reported words that is honorific or polite: (begin, end, kind)."""
    tokens = analysis.tokens
    for k, t in enumerate(tokens):
        if t.quote or t.reported:
            continue
        # only a verb can be honorific, and only a verb, an auxiliary or ください polite (no call for the rest)
        pos1 = t.pos1
        if pos1 == "動詞":
            if _is_honorific(tokens, k):
                yield t.begin, t.end, "honorific"
                continue
        elif pos1 != "助動詞" and t.lemma not in _REQUEST_LEMMAS:
            continue
        if _is_polite(t):
            yield t.begin, t.end, "polite"


def detect_register(analysis: Analysis) -> tuple[str, list[tuple[int, int, str]]]:
    """Return the register and the evidence (normalised begin, end, kind) that decided it."""
    honorific: list[tuple[int, int, str]] = []
    polite: list[tuple[int, int, str]] = []
    for ev in _evidence(analysis):
        (honorific if ev[2] == "honorific" else polite).append(ev)
    if honorific:
        return "honorific", honorific
    if polite:
        return "polite", polite
    return "casual", []


def register_of(analysis: Analysis) -> str:
    """The register alone (what :func:`detect_register` decides; it stops at the first honorific word)."""
    polite = False
    for ev in _evidence(analysis):
        if ev[2] == "honorific":
            return "honorific"
        polite = True
    return "polite" if polite else "casual"
