"""What the learned model reads: units (sentences) of an :class:`Analysis` and their string features.

The model classifies each sentence of a message, so that every finding it makes keeps a span. A
sentence's features are lemma 1–3-grams (with the scope the token is in: quoted or reported speech,
a request to the other person, negation), coarse part-of-speech + lemma for function words, character
2–4-grams of the sentence, and the lemmas of the sentences before and after it (context: an excuse or
blame often spans two short LINE lines). Training and inference call the same functions, so the
features cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...text.analysis import Analysis
from ...text.tokens import Token

FEATURE_VERSION = 2
_SKIP_POS = ("空白",)
_FUNCTION_POS = ("助詞", "助動詞", "補助記号")


@dataclass(frozen=True, slots=True)
class Unit:
    """One sentence: token range and the span on the normalised text (trailing spaces dropped)."""

    index: int
    start_token: int
    end_token: int
    begin: int
    end: int


def units(analysis: Analysis) -> list[Unit]:
    out: list[Unit] = []
    toks = analysis.tokens
    for s in analysis.sentences:
        lo, hi = s.start_token, s.end_token
        while hi > lo and toks[hi - 1].pos_str.startswith(_SKIP_POS):
            hi -= 1
        while lo < hi and toks[lo].pos_str.startswith(_SKIP_POS):
            lo += 1
        if lo >= hi:
            continue
        out.append(Unit(len(out), lo, hi, toks[lo].begin, toks[hi - 1].end))
    return out


def _tok_key(t: Token) -> str:
    lemma = t.lemma or t.surface
    if t.quote or t.reported:
        return "«" + lemma
    if t.negated:
        return "¬" + lemma
    return lemma


def message_features(analysis: Analysis) -> tuple[list[Unit], list[list[str]]]:
    """The units of a message and the feature strings of each (every token's key computed once)."""
    us = units(analysis)
    tokens = analysis.tokens
    toks_of = [[t for t in tokens[u.start_token : u.end_token] if not t.pos_str.startswith(_SKIP_POS)] for u in us]
    keys_of = [[_tok_key(t) for t in toks] for toks in toks_of]
    last = len(us) - 1
    return us, [_features(toks_of[k], keys_of, k, last) for k in range(len(us))]


def _features(toks: list[Token], keys_of: list[list[str]], k: int, last: int) -> list[str]:
    """The feature strings of unit k (a set: their order does not matter, the model counts buckets)."""
    keys = keys_of[k]
    n = len(keys)
    feats: set[str] = {"1:" + key for key in keys}
    feats.update(["2:" + keys[i] + "|" + keys[i + 1] for i in range(n - 1)])
    feats.update(["3:" + keys[i] + "|" + keys[i + 1] + "|" + keys[i + 2] for i in range(n - 2)])
    add = feats.add
    stretches: list[tuple[bool, str]] = []
    for t in toks:
        pos1 = t.pos1
        if pos1.startswith(_FUNCTION_POS):
            add("f:" + pos1 + ":" + t.surface)
        if t.request:
            add("req:" + (t.lemma or t.surface))
        if t.cform:
            add("c:" + t.cform.split("-", 1)[0])
        # character n-grams per stretch of one scope: the sender's own words, or quoted/reported words
        # (「ありがとうって言ってくれたのに」 must not read as the sender's thanks)
        scoped = t.quote or t.reported
        if stretches and stretches[-1][0] == scoped:
            stretches[-1] = (scoped, stretches[-1][1] + t.surface)
        else:
            stretches.append((scoped, t.surface))
    for scoped, text in stretches:
        tag = "q" if scoped else "c"
        m = len(text)
        t2, t3, t4 = tag + "2:", tag + "3:", tag + "4:"
        feats.update([t2 + text[i : i + 2] for i in range(m - 1)])
        feats.update([t3 + text[i : i + 3] for i in range(m - 2)])
        feats.update([t4 + text[i : i + 4] for i in range(m - 3)])
    if k == 0:
        add("pos:first")
    if k == last:
        add("pos:last")
    if n <= 3:
        add("len:short")
    if k > 0:
        feats.update(["P:" + key for key in keys_of[k - 1]])
    if k < last:
        feats.update(["N:" + key for key in keys_of[k + 1]])
    return list(feats)
