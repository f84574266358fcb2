"""A last look at a composed text: re-tokenise it and find joins no careful writer would make.

The conjugation in :mod:`nakanaori.compose.conjugate` should never produce these; the guard makes sure a
variant that does (a phrase shape it does not know yet) is dropped rather than shown to the user.
"""

from __future__ import annotations

from ..text.tokenizer import Morpheme, tokenize

_GIVING = {"くれる", "呉れる", "くださる", "下さる", "もらう", "貰う", "いただく", "頂く"}
_COMPLETIVE = {"しまう", "仕舞う", "ちゃう", "じゃう", "ちまう", "じまう"}
_COMPLETIVE_VERBS = {"しまう", "仕舞う"}
_PROGRESSIVE_AUX = {"てる", "でる", "とる", "どる"}
_STATE_VERBS = {"いる", "居る", "おる", "ある", "有る"}


def _te(m: Morpheme) -> bool:
    return m.pos[0] == "助詞" and m.surface in ("て", "で")


def broken_join(text: str) -> str | None:
    """The broken join in ``text`` (e.g. 「いただいていただき」), or None when every join is sound."""
    toks = tokenize(text)
    for i, m in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        after = toks[i + 2] if i + 2 < len(toks) else None
        # いただいていただく, くれてくれる: two giving verbs on one act
        if m.pos[0] == "動詞" and m.lemma in _GIVING and nxt and _te(nxt) and after and after.lemma in _GIVING:
            return m.surface + nxt.surface + after.surface
        # 忘れててしまう, 忘れておってしまう, あってしまう, 忘れてちゃう: a state or 〜ている does not 〜てしまう
        state = (m.pos[0] == "助動詞" and m.lemma in _PROGRESSIVE_AUX) or (
            m.pos[0] == "動詞" and m.lemma in _STATE_VERBS
        )
        if state and nxt and _te(nxt) and after and after.lemma in _COMPLETIVE:
            return m.surface + nxt.surface + after.surface
        if state and nxt and nxt.lemma in _COMPLETIVE:
            return m.surface + nxt.surface
        if _te(m) and nxt and nxt.pos[0] == "助動詞" and nxt.lemma in _COMPLETIVE - _COMPLETIVE_VERBS:
            prev = toks[i - 1] if i else None
            if prev is not None and prev.pos[0] in ("動詞", "助動詞"):
                return prev.surface + m.surface + nxt.surface  # 忘れてちゃって: て + ちゃう
        # 連絡したいようにする: a wish is not something one makes happen
        if m.pos[0] == "助動詞" and m.lemma == "たい" and nxt and nxt.surface == "よう":
            return m.surface + nxt.surface
        # ありがとうござって: a set phrase conjugated as if it were the user's verb
        if m.lemma == "ござる" and m.surface.startswith("ござっ"):
            return m.surface
        # the same auxiliary twice in a row (ますます as an adverb is one token, so not caught)
        if m.pos[0] == "助動詞" and nxt and nxt.pos[0] == "助動詞" and m.lemma == nxt.lemma:
            return m.surface + nxt.surface
    return None
