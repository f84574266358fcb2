"""A last look at a composed text: re-tokenise it and find joins no careful writer would make.

The conjugation in :mod:`nakanaori.compose.conjugate` should never produce these; the guard makes sure a
variant that does (a phrase shape it does not know yet) is dropped rather than shown to the user. Each check
reads Sudachi's lemma, POS and conjugation form, not the surface string.
"""

from __future__ import annotations

from ..text.tokenizer import Morpheme, tokenize
from .conjugate import serious

_GIVING = {
    "くれる",
    "呉れる",
    "くださる",
    "下さる",
    "もらう",
    "貰う",
    "もらえる",
    "貰える",
    "いただく",
    "頂く",
    "いただける",
    "頂ける",
}
_COMPLETIVE = {"しまう", "仕舞う", "ちゃう", "じゃう", "ちまう", "じまう"}
_COMPLETIVE_VERBS = {"しまう", "仕舞う"}
_PLAYFUL = {"ちゃう", "じゃう"}
_PROGRESSIVE_AUX = {"てる", "でる", "とる", "どる"}
_STATE_VERBS = {"いる", "居る", "おる", "ある", "有る"}
_HUMBLE = {"いたす", "致す", "申す", "参る", "まいる", "伺う", "申し上げる"}
_RECEIVING_IDIOMS = {"ご馳走", "ごちそう", "御馳走", "お世話"}
_APOLOGY_WORDS = ("申し訳", "すみません", "すいません", "ごめん", "お詫び", "おわび")
_CLAUSE_END = {"、", "。", "!", "！", "?", "？"}


def _te(m: Morpheme) -> bool:
    return m.pos[0] == "助詞" and m.surface in ("て", "で")


def _sentence_before(toks: list[Morpheme], i: int) -> str:
    start = i
    while start > 0 and toks[start - 1].surface not in ("。", "!", "！", "?", "？"):
        start -= 1
    return "".join(t.surface for t in toks[start:i])


def broken_join(text: str) -> str | None:
    """The broken join in ``text`` (e.g. 「いただいていただき」), or None when every join is sound."""
    toks = tokenize(text)
    for i, m in enumerate(toks):
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        after = toks[i + 2] if i + 2 < len(toks) else None
        # いただいていただく, くれてくれる, もらえていただく: two giving verbs on one act
        if m.pos[0] == "動詞" and m.lemma in _GIVING and nxt and _te(nxt) and after and after.lemma in _GIVING:
            return m.surface + nxt.surface + after.surface
        # 気にかけてくれて嬉しくしてくれて: a second giving verb in the same clause
        if m.pos[0] == "動詞" and m.lemma in _GIVING and prev is not None and _te(prev):
            for later in toks[i + 1 :]:
                if later.surface in _CLAUSE_END:
                    break
                if later.pos[0] == "動詞" and later.lemma in _GIVING:
                    return m.surface + "…" + later.surface
        # 忘れててしまう, 忘れておってしまう, あってしまう, 忘れてちゃう: a state or 〜ている does not 〜てしまう
        state = (m.pos[0] == "助動詞" and m.lemma in _PROGRESSIVE_AUX) or (
            m.pos[0] == "動詞" and m.lemma in _STATE_VERBS
        )
        if state and nxt and _te(nxt) and after and after.lemma in _COMPLETIVE:
            return m.surface + nxt.surface + after.surface
        if state and nxt and nxt.lemma in _COMPLETIVE:
            return m.surface + nxt.surface
        if (
            _te(m)
            and nxt
            and nxt.pos[0] == "助動詞"
            and nxt.lemma in _COMPLETIVE - _COMPLETIVE_VERBS
            and prev is not None
            and prev.pos[0] in ("動詞", "助動詞")
        ):
            return prev.surface + m.surface + nxt.surface  # 忘れてちゃって: て + ちゃう
        # 浮気しちゃって, 言いすぎちゃって: the playful ちゃう on a serious act
        if m.pos[0] == "助動詞" and m.lemma in _PLAYFUL and serious(_sentence_before(toks, i)):
            return (prev.surface if prev else "") + m.surface
        # 連絡したいようにする: a wish is not something one makes happen
        if m.pos[0] == "助動詞" and m.lemma == "たい" and nxt and nxt.surface == "よう":
            return m.surface + nxt.surface
        # 説明しようと思うよういたします: a volition is not something one makes happen either
        if (
            m.pos[0] == "動詞"
            and m.pos[5].startswith("意志推量形")
            and nxt
            and nxt.surface == "と"
            and after is not None
            and after.lemma in ("思う", "考える")
            and i + 3 < len(toks)
            and toks[i + 3].surface == "よう"
        ):
            return m.surface + nxt.surface + after.surface + toks[i + 3].surface
        # ご連絡いたすね: a humble verb in the plain form with a casual sentence-final particle
        if (
            m.pos[0] == "動詞"
            and m.lemma in _HUMBLE
            and m.pos[5].startswith("終止形")
            and nxt
            and nxt.pos[1] == "終助詞"
        ):
            return m.surface + nxt.surface
        # ご馳走になってくださって: the idiom is the receiving already
        if (
            m.pos[0] == "動詞"
            and m.lemma in ("なる", "成る")
            and prev is not None
            and prev.surface == "に"
            and i >= 2
            and toks[i - 2].surface in _RECEIVING_IDIOMS
            and nxt
            and _te(nxt)
            and after
            and after.lemma in _GIVING
        ):
            return toks[i - 2].surface + prev.surface + m.surface + nxt.surface + after.surface
        # 遅刻により、誠に申し訳ございません: により needs a consequence after it, not the apology itself
        if m.lemma == "よる" and prev is not None and prev.surface == "に" and nxt is not None and nxt.surface == "、":
            following = "".join(t.surface for t in toks[i + 2 : i + 8])
            at = [following.find(a) for a in _APOLOGY_WORDS if a in following]
            if at and min(at) <= 4:  # the apology right after, at most an adverb (誠に, 大変, 心より) between
                return prev.surface + m.surface
        # ありがとうござって: a set phrase conjugated as if it were the user's verb
        if m.lemma == "ござる" and m.surface.startswith("ござっ"):
            return m.surface
        # the same auxiliary twice in a row (ますます as an adverb is one token, so not caught)
        if m.pos[0] == "助動詞" and nxt and nxt.pos[0] == "助動詞" and m.lemma == nxt.lemma:
            return m.surface + nxt.surface
    return None
