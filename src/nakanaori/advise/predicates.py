"""The predicates situation cues name with ``check:`` (see :mod:`nakanaori.advise.cues`).

Each takes the shared :class:`~nakanaori.text.analysis.Analysis` and the matched token range
``[a, b)`` (and its arguments) and returns True to keep the match, like the label rules' predicates.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from ..check.predicates import Predicate, registry
from ..text.analysis import Analysis, Token
from ..text.lexicon import lexicon
from ..text.speech import OPEN_QUOTES

_LEX = lexicon()

KANSAI_NEG = _LEX.words("kansai_negators")
COME_STEMS = ("けー", "けえ", "こー", "こお", "きー", "きい")  # 来る before Kansai へん/ひん
NEG_LEMMAS = _LEX.words("negators")
# words a negation may reach across: 許してくれない, 悪いとは思ってない, 既読にすらならない
PASS_LEMMAS = _LEX.words("negation_passes")
HYPOTHETICAL = ("たら", "だら", "ば", "なら", "のが", "のは", "かと", "ないか", "んじゃ", "のでは", "ないかと")
FEARED = _LEX.words("fear_words")
ACT_VERBS = _LEX.words("act_verbs")
_KANA = re.compile(r"^[\u3040-\u309f]+$")


def is_break(t: Token) -> bool:
    """Punctuation or space (a long-vowel mark or a tilde is part of the word: ごめーん, えー〜)."""
    return t.m.pos[0] in ("補助記号", "空白") and t.surface not in ("ー", "〜")


def negated_after(analysis: Analysis, a: int, b: int) -> bool:
    """A negation follows the match in its own predicate: 許してくれない, 既読にならない, 悪いとは思ってない,
    許さへん — but not the limiting しか…ない (「うん」しか返ってこない is a curt answer, not no answer)."""
    toks = analysis.tokens
    sent = toks[a].sent
    for x in range(max(0, a - 4), b):
        if toks[x].sent == sent and toks[x].surface == "しか":
            return False
    for j in range(b, min(len(toks), b + 7)):
        t = toks[j]
        if t.sent != sent:
            return False
        lemma, pos1 = t.m.lemma, t.m.pos[0]
        if lemma in NEG_LEMMAS or t.m.norm in NEG_LEMMAS:
            return not _denied_denial(toks, j)
        if t.surface in ("ん", "ず", "ねえ") and pos1 == "助動詞":
            return True
        # Kansai negation: 許さへん / 行かひん / 来えへん (けえ+へん, split oddly by Sudachi), 許してへん
        after_verb = j > b and (
            toks[j - 1].m.pos[0] in ("動詞", "接尾辞", "助動詞") or toks[j - 1].surface in ("て", "で")
        )
        if t.surface in KANSAI_NEG and (pos1 == "助動詞" or after_verb):
            return True
        # 来る negated in dialect, split oddly by Sudachi: 返事けーへん (けー+へん), 返事こん / 返ってこん
        nxt = toks[j + 1] if j + 1 < len(toks) else None
        if t.surface in COME_STEMS and nxt is not None and nxt.sent == sent and nxt.surface in KANSAI_NEG:
            return True
        if t.surface in ("こん", "来ん") and (j == b or toks[j - 1].surface in ("て", "で")):
            return True
        if lemma in PASS_LEMMAS:
            continue
        if pos1 in ("助動詞", "接尾辞", "副詞") or t.m.pos[:2] == ("形状詞", "助動詞語幹"):
            continue
        if pos1 == "助詞" and (t.m.pos[1] != "接続助詞" or t.surface in ("て", "で")):
            continue
        if pos1 == "動詞" and t.m.pos[1] == "非自立可能":
            continue
        if pos1 == "形容詞" and t.m.pos[1] == "非自立可能":
            continue
        return False
    return False


def _denied_denial(toks: list[Token], j: int) -> bool:
    """The negation at *j* is itself denied: 返事がないわけじゃない / 許せないことはない (a double negative)."""
    k = j + 1
    if k < len(toks) and toks[k].sent == toks[j].sent and toks[k].m.lemma in ("わけ", "訳", "こと"):
        for t in toks[k + 1 : k + 4]:
            if t.sent != toks[j].sent:
                return False
            if t.m.lemma in NEG_LEMMAS:
                return True
            if t.m.pos[0] not in ("助動詞", "助詞"):
                return False
    return False


def _negated(analysis: Analysis, a: int, b: int) -> bool:
    return negated_after(analysis, a, b)


def _not_negated(analysis: Analysis, a: int, b: int) -> bool:
    return not negated_after(analysis, a, b)


def sentence_forms(analysis: Analysis, s: int) -> set[str]:
    """Surfaces, dictionary and normalised forms of the morphemes of sentence *s*."""
    out: set[str] = set()
    for t in analysis.sentence_tokens(s):
        out.update((t.surface, t.m.lemma, t.norm))
    return out


def _aligned_in_sentence(analysis: Analysis, s: int, w: str) -> bool:
    sent = analysis.sentences[s]
    a, b = sent.start_token, sent.end_token
    for i in range(a, b):
        joined = ""
        for j in range(i, min(b, i + 4)):
            joined += analysis.tokens[j].surface
            if joined == w:
                return True
            if not w.startswith(joined):
                break
    return False


def sentence_has_any(analysis: Analysis, s: int, words: list[str]) -> bool:
    """A word occurs in sentence *s*: as a morpheme, or (unless it is a short kana word) as text; a kana
    word of several morphemes counts whole (かな = か+な, のに = の+に)."""
    forms = sentence_forms(analysis, s)
    sent = analysis.sentences[s]
    text = analysis.text[sent.begin : sent.end]
    for w in words:
        if w in forms:
            return True
        if not (len(w) <= 2 and _KANA.match(w)) and w in text:
            return True
        if len(w) >= 2 and _KANA.match(w) and _aligned_in_sentence(analysis, s, w):
            return True
    return False


class Words(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: list[str] = Field(min_length=1)


def _sentence_has(analysis: Analysis, a: int, b: int, *, words: list[str]) -> bool:
    return sentence_has_any(analysis, analysis.tokens[a].sent, words)


def _sentence_lacks(analysis: Analysis, a: int, b: int, *, words: list[str]) -> bool:
    return not sentence_has_any(analysis, analysis.tokens[a].sent, words)


def _whole_quote(analysis: Analysis, a: int, b: int) -> bool:
    """The match is all a bracketed quote says, apart from punctuation and sentence-final particles:
    「了解」, 「で?」 (a curt reply)."""
    toks = analysis.tokens
    i = a - 1
    while i >= 0 and (is_break(toks[i]) and toks[i].surface not in OPEN_QUOTES):
        i -= 1
    if i < 0 or toks[i].surface not in OPEN_QUOTES:
        return False
    close = OPEN_QUOTES[toks[i].surface]
    j = b
    while j < len(toks) and toks[j].surface != close:
        t = toks[j]
        if not (is_break(t) or t.m.pos[0] == "助動詞" or t.m.pos[1:2] == ("終助詞",) or t.surface in ("ー", "〜")):
            return False
        j += 1
    return j < len(toks)


def feared(analysis: Analysis, a: int, b: int) -> bool:
    """The matched event is only imagined: 既読スルーされたらどうしよう / 「もう無理」って言われるのが怖い /
    許してもらえたらいいな / 無視されるかと思った."""
    toks = analysis.tokens
    s = toks[a].sent
    j = b
    # the cue's own verb chain: auxiliaries, される/しまう, a closing quote and its って言われる
    while j < len(toks) and toks[j].sent == s and j - b < 7:
        t = toks[j]
        if t.surface in ("たら", "だら", "ば", "なら"):
            break
        pos0, pos1 = t.m.pos[0], t.m.pos[1]
        chain_verb = pos0 == "動詞" and (pos1 == "非自立可能" or t.m.lemma in ("言う", "いう"))
        if pos0 in ("助動詞", "接尾辞") or chain_verb or t.surface in ("」", "』", "って", "と", "て"):
            j += 1
            continue
        break
    head = "".join(x.surface for x in toks[j : j + 3] if x.sent == s)
    if not head.startswith(HYPOTHETICAL):
        return False
    return any(x.sent == s and (x.m.lemma in FEARED or x.surface in FEARED) for x in toks[j + 1 : j + 8])


def _not_feared(analysis: Analysis, a: int, b: int) -> bool:
    return not feared(analysis, a, b)


def own_act(analysis: Analysis, a: int, b: int) -> bool:
    """The cue describes what the sender did (what they apologised for), not how the other behaves:
    言い方がきつかったと謝った (the content of the sender's own apology), 冷たく出てしまった / 無視しちゃった
    (an act verb, active, often with てしまう)."""
    toks = analysis.tokens
    if all(t.own_quote for t in toks[a:b]):
        return True
    s = toks[a].sent
    act = False
    for j in range(b, min(len(toks), b + 6)):
        t = toks[j]
        if t.sent != s:
            break
        if t.m.lemma in ("れる", "られる", "くる", "来る", "くれる", "せる", "させる"):
            return False  # 冷たくされた / 冷たく接してくる: the other's behaviour
        if t.m.pos[0] == "動詞" and t.m.lemma in ACT_VERBS and j <= b + 1:
            act = True
            continue
        if t.m.lemma in ("しまう", "ちゃう", "じゃう", "ちまう") and (act or j <= b + 2):
            return True
        if t.m.pos[0] in ("助動詞",) or t.surface in ("て", "で"):
            continue
        break
    return False


def _not_own_act(analysis: Analysis, a: int, b: int) -> bool:
    return not own_act(analysis, a, b)


CUE_CHECKS: dict[str, Predicate] = registry(
    Predicate("negated", _negated),
    Predicate("not_negated", _not_negated),
    Predicate("sentence_has", _sentence_has, Words),
    Predicate("sentence_lacks", _sentence_lacks, Words),
    Predicate("whole_quote", _whole_quote),
    Predicate("not_feared", _not_feared),
    Predicate("not_own_act", _not_own_act),
)
