"""A readable statement of what the learned model's features are (the v3 featuriser, one string per
feature), kept as the reference the fast featuriser (``nakanaori.check.learned.features.codes``) is checked
against: for every sentence, the same number of distinct features (tests/check/test_learned_model.py).
Not product code: the product never builds these strings."""

from __future__ import annotations

from nakanaori.check.learned.features import (
    _COMMAS,
    _CONTRAST_CLOSERS,
    _FUNCTION_POS,
    _QUESTION_ENDS,
    _REASON_CLOSERS,
    _ROLE,
    _ROLE_PARTICLES,
    _SKIP_POS,
    Unit,
    units,
)
from nakanaori.text.analysis import Analysis
from nakanaori.text.tokens import Token

# The word lists (clause closers, person roles, question endings) and the sentence units are the product's
# own: this reference restates how the features are built from them, one string per feature.


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


_UNIT_ONLY = ("P:", "N:", "pos:", "len:")


def whole_message(feats: list[list[str]]) -> list[str]:
    """The features of the whole message: every feature of its units once, less those that only say
    where a unit sits (its neighbours, first/last, short). A second view beside the units: blame or an
    excuse told over several short sentences shows in the message as a whole."""
    out: set[str] = set()
    for fs in feats:
        out.update(fs)
    return [f for f in out if not f.startswith(_UNIT_ONLY)]


def _features(toks: list[Token], keys_of: list[list[str]], k: int, last: int) -> list[str]:
    """The feature strings of unit k (a set: their order does not matter, the model counts buckets)."""
    keys = keys_of[k]
    n = len(keys)
    feats: set[str] = {"1:" + key for key in keys}
    feats.update(["2:" + keys[i] + "|" + keys[i + 1] for i in range(n - 1)])
    feats.update(["3:" + keys[i] + "|" + keys[i + 1] + "|" + keys[i + 2] for i in range(n - 2)])
    add = feats.add
    stretches: list[tuple[bool, str]] = []
    # content keys per clause of the sentence, with the lemmas of the clause's last two tokens
    clauses: list[tuple[list[str], str, str]] = []
    clause_id = -1
    for i, t in enumerate(toks):
        pos1 = t.pos1
        if t.clause != clause_id:
            clause_id = t.clause
            clauses.append(([], "", ""))
        words, _, prev = clauses[-1]
        clauses[-1] = (words, prev if t.surface in _COMMAS else t.lemma, t.lemma)
        if pos1.startswith(_FUNCTION_POS):
            add("f:" + pos1 + ":" + t.surface)
        else:
            words.append(keys[i])
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
    roles: set[str] = set()
    for i, t in enumerate(toks):
        role = _ROLE.get(t.lemma)
        if role is None:
            if t.pos1 != "代名詞":
                continue
            role = "@PRON"
        roles.add(role)
        nxt = toks[i + 1].surface if i + 1 < n else "$"
        add("who:" + role + "|" + nxt)
        if i + 2 < n and nxt in _ROLE_PARTICLES:
            add("who2:" + role + "|" + nxt + "|" + toks[i + 2].lemma)
    # a question at the end (「ひどくない?」, 「〜じゃないの」): blame and pressure are often asked
    end = toks[-1]
    if end.surface in _QUESTION_ENDS or (n > 1 and toks[-2].surface in ("か", "の") and end.pos1 == "補助記号"):
        add("qend")
        feats.update(["qend" + role for role in roles])
    if len(clauses) > 1:
        for words, closer, _ in clauses[:-1]:
            tag = "R:" if closer in _REASON_CLOSERS else "K:" if closer in _CONTRAST_CLOSERS else "O:"
            feats.update([tag + w for w in words])
        feats.update(["L:" + w for w in clauses[-1][0]])
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
