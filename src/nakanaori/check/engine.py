"""The generic rule matcher: morpheme patterns over a shared :class:`Analysis`."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from ..text.analysis import Analysis, Sentence, Token
from .compiled import (
    ANCHORED_RX,
    Clause,
    CPattern,
    CRule,
    Entry,
    First,
    RuleSet,
    anchor,
    clause_cost,
    clauses,
    rule_set,
)
from .rules import PatternRule, TokenSpec
from .rules import Rule as LabelRule

try:  # the prefilter's per-token loops in C (built by make setup); the _py_ functions below are the reference
    from ..text import _speedups
except ImportError:  # pragma: no cover - a source tree without the built extension
    _speedups = None  # type: ignore[assignment]
if os.environ.get("NAKANAORI_PYTHON_LOOPS"):  # the Python reference, for benchmarks side by side
    _speedups = None  # type: ignore[assignment]

Rule = PatternRule  # the engine runs any pattern rule: label rules and situation cues

Pred = Callable[[Token], bool]
_COMPILED: dict[int, tuple[TokenSpec, Pred]] = {}


def _compile(spec: TokenSpec) -> Pred:
    """Turn a token spec into one fast predicate (sets for membership, tuples for prefixes).

    A ``word`` is matched by :func:`_word_end`, not here: the predicate holds its other conditions."""
    if spec.any:
        return lambda t: True
    checks: list[Pred] = []
    if spec.s is not None:
        s_set = frozenset(spec.s)
        checks.append(lambda t: t.surface in s_set)
    if spec.lemma is not None:
        l_set = frozenset(spec.lemma)
        checks.append(lambda t: t.lemma in l_set)
    if spec.norm is not None:
        n_set = frozenset(spec.norm)
        checks.append(lambda t: t.norm in n_set)
    if spec.pos is not None:
        pos = tuple(spec.pos)
        checks.append(lambda t: t.pos_str.startswith(pos))
    if spec.cform is not None:
        cf = tuple(spec.cform)
        checks.append(lambda t: t.cform.startswith(cf))
    if spec.ctype is not None:
        ct = tuple(spec.ctype)
        checks.append(lambda t: t.ctype.startswith(ct))
    rx = spec.rx
    if rx is not None:
        checks.append(lambda t: rx.fullmatch(t.surface) is not None)
    if spec.not_ is not None:
        inner = _pred(spec.not_)
        checks.append(lambda t: not inner(t))
    if not checks:
        return lambda t: True
    if len(checks) == 1:
        return checks[0]
    return lambda t: all(c(t) for c in checks)


def _pred(spec: TokenSpec) -> Pred:
    hit = _COMPILED.get(id(spec))
    if hit is None or hit[0] is not spec:
        hit = (spec, _compile(spec))
        _COMPILED[id(spec)] = hit
    return hit[1]


_PATTERNS: dict[int, tuple[Sequence[TokenSpec], list[Pred]]] = {}


def _pattern_preds(pattern: Sequence[TokenSpec]) -> list[Pred]:
    hit = _PATTERNS.get(id(pattern))
    if hit is None or hit[0] is not pattern:
        hit = (pattern, [_pred(spec) for spec in pattern])
        _PATTERNS[id(pattern)] = hit
    return hit[1]


def token_matches(spec: TokenSpec, t: Token) -> bool:
    return _pred(spec)(t)


_WORDS: dict[int, tuple[TokenSpec, frozenset[str]]] = {}
_JOIN_BREAK = ("補助記号", "空白")


def _is_join_break(t: Token) -> bool:
    return t.pos_str.startswith(_JOIN_BREAK) and t.surface not in ("ー", "〜")


def _word_end(spec: TokenSpec, tokens: Sequence[Token], ti: int, limit: int) -> int | None:
    """End index of the word *spec* at token ti: one morpheme whose surface, dictionary or normalised form
    is a listed word, else the fewest following morphemes (up to four, no punctuation) whose surfaces
    joined are one."""
    hit = _WORDS.get(id(spec))
    if hit is None or hit[0] is not spec:
        hit = (spec, frozenset(spec.word or ()))
        _WORDS[id(spec)] = hit
    words = hit[1]
    t = tokens[ti]
    if t.surface in words or t.lemma in words or t.norm in words:
        return ti + 1
    joined = t.surface
    for k in range(ti + 1, min(limit, ti + 4)):
        if _is_join_break(tokens[k]):
            break
        joined += tokens[k].surface
        if joined in words:
            return k + 1
    return None


def match_ends(pattern: Sequence[TokenSpec], tokens: Sequence[Token], start: int, limit: int) -> Iterator[int]:
    """Every end index (exclusive) at which *pattern* matches tokens[start:limit], greedy first.

    Quantifiers are greedy with backtracking; ``*``/``+`` take at most ``max`` tokens.
    """

    preds = _pattern_preds(pattern)
    n = len(pattern)
    if n and pattern[0].op in ("1", "+") and (start >= limit or not preds[0](tokens[start])):
        return iter(())

    def rec(pi: int, ti: int) -> Iterator[int]:
        if pi == n:
            yield ti
            return
        spec = pattern[pi]
        pred = preds[pi]
        if spec.op == "1":
            if ti < limit and pred(tokens[ti]):
                if spec.word is None:
                    yield from rec(pi + 1, ti + 1)
                else:
                    end = _word_end(spec, tokens, ti, limit)
                    if end is not None:
                        yield from rec(pi + 1, end)
            return
        if spec.op == "*?":  # lazy: as few as it can, then one more at a time
            count = 0
            while True:
                yield from rec(pi + 1, ti + count)
                if count >= spec.max or ti + count >= limit or not pred(tokens[ti + count]):
                    return
                count += 1
        lo = 1 if spec.op == "+" else 0
        hi = 1 if spec.op == "?" else spec.max
        count = 0
        while count < hi and ti + count < limit and pred(tokens[ti + count]):
            count += 1
        if pi == n - 1:
            # a final quantifier takes all it can: a match never leaves behind a token its last element
            # would have taken (so not_before sees what really follows)
            if count >= lo:
                yield ti + count
            return
        while count >= lo:
            yield from rec(pi + 1, ti + count)
            count -= 1

    return rec(0, start)


def match_at(pattern: Sequence[TokenSpec], tokens: Sequence[Token], start: int, limit: int) -> int | None:
    """The greedy end index of *pattern* at *start*, or None."""
    return next(match_ends(pattern, tokens, start, limit), None)


_ANCHORS: dict[int, tuple[Sequence[TokenSpec], tuple[str, frozenset[str], int, int] | None]] = {}


def _anchor_of(pattern: Sequence[TokenSpec]) -> tuple[str, frozenset[str], int, int] | None:
    hit = _ANCHORS.get(id(pattern))
    if hit is None or hit[0] is not pattern:
        hit = (pattern, anchor(pattern))
        _ANCHORS[id(pattern)] = hit
    return hit[1]


def pattern_starts(pattern: Sequence[TokenSpec], analysis: Analysis) -> set[int] | None:
    """Token indices where *pattern* can start; None means 'anywhere'."""
    anchor = _anchor_of(pattern)
    if anchor is None:
        return None
    fld, vals, lo, hi = anchor
    if fld == "re":
        rxs = [re.compile(v) for v in vals]
        hits = [t.i for t in analysis.tokens if any(rx.fullmatch(t.surface) for rx in rxs)]
        return {k - off for k in hits for off in range(lo, hi + 1) if k - off >= 0}
    if fld == "w":
        hits = [t.i for t in analysis.tokens if any(k in vals for k in _word_keys(analysis.tokens, t.i))]
        return {k - off for k in hits for off in range(lo, hi + 1) if k - off >= 0}
    table = analysis.index()[fld]
    present = vals & table.keys() if len(vals) > len(table) else [v for v in vals if v in table]
    starts: set[int] = set()
    for v in present:
        for k in table[v]:
            if lo == hi == 0:
                starts.add(k)
            else:
                starts.update(k - off for off in range(lo, hi + 1) if k - off >= 0)
    return starts


def find_in(pattern: Sequence[TokenSpec], tokens: Sequence[Token], lo: int, hi: int) -> bool:
    first = _pattern_preds(pattern)[0] if pattern[0].op in ("1", "+") else None
    return any(
        (first is None or first(tokens[i])) and match_at(pattern, tokens, i, hi) is not None for i in range(lo, hi)
    )


def _word_keys(tokens: Sequence[Token], i: int) -> list[str]:
    """What a word could be looked up by at token i: its forms, and the surfaces of up to four
    morphemes of its sentence joined."""
    t = tokens[i]
    keys = [t.surface, t.lemma, t.norm]
    joined = t.surface
    for k in range(i + 1, min(len(tokens), i + 4)):
        if tokens[k].sent != t.sent or _is_join_break(tokens[k]):
            break
        joined += tokens[k].surface
        keys.append(joined)
    return keys


@dataclass(frozen=True, slots=True)
class RawMatch:
    rule: Rule
    start: int  # token index
    end: int  # token index, exclusive


def _sentence_bounds(analysis: Analysis, sent: int) -> tuple[int, int]:
    s = analysis.sentences[sent]
    return s.start_token, s.end_token


Plan = list[tuple[Sequence[TokenSpec], "set[int] | None"]]

# ---------------------------------------------------------------- the prefilter
#
# A pattern can only match a message that holds, for each of its required tokens, one of the values that
# token asks for (a lemma, a normalised form, a surface, a word, a first-level part of speech, a surface
# regex). Those sets are the pattern's *clauses*. Each pattern is indexed on its most selective clause;
# per message, the message's distinct values wake the patterns whose key they hold, the other clauses are
# checked on set intersections, and only the survivors are planned and tried. A pattern with no clause
# (every required token is a conjugation form, a negation ...) is tried everywhere, as before.


@dataclass(frozen=True, slots=True)
class _Entry:
    ri: int  # rule number
    pi: int  # pattern number in the rule
    rest: tuple[Clause, ...]  # the clauses other than the key, checked when the key is present


@dataclass(frozen=True, slots=True)
class _Prefilter:
    by_key: dict[str, dict[str, list[_Entry]]]  # field -> value -> patterns keyed on it
    keys: dict[str, frozenset[str]]  # field -> every value patterns are keyed on
    always: tuple[_Entry, ...]  # patterns that cannot be keyed: their clauses are checked on every message
    text_rules: tuple[int, ...]  # rules with regex or text pieces (checked on the text)
    has_words: bool


_PREFILTERS: dict[int, tuple[tuple[Rule, ...], _Prefilter]] = {}


def _prefilter(rules: tuple[Rule, ...]) -> _Prefilter:
    hit = _PREFILTERS.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]
    by_key: dict[str, dict[str, list[_Entry]]] = {}
    always: list[_Entry] = []
    for ri, rule in enumerate(rules):
        for pi, pattern in enumerate(rule.patterns):
            cl = clauses(pattern)
            indexable = [c for c in cl if c[0] != "re"]
            if not indexable:
                always.append(_Entry(ri, pi, tuple(cl)))
                continue
            key = min(indexable, key=clause_cost)
            entry = _Entry(ri, pi, tuple(c for c in cl if c != key))
            table = by_key.setdefault(key[0], {})
            for v in key[1]:
                table.setdefault(v, []).append(entry)
    keys = {fld: frozenset(table) for fld, table in by_key.items()}
    text_rules = tuple(ri for ri, rule in enumerate(rules) if rule.regex or rule.text)
    has_words = (
        "w" in by_key
        or any(c[0] == "w" for e in always for c in e.rest)
        or any(c[0] == "w" for table in by_key.values() for es in table.values() for e in es for c in e.rest)
    )
    pf = _Prefilter(by_key, keys, tuple(always), text_rules, has_words)
    _PREFILTERS[id(rules)] = (rules, pf)
    return pf


def _word_index(analysis: Analysis) -> dict[str, list[int]]:
    """Token positions by every key a word could be looked up by there (built once per message)."""
    idx: dict[str, list[int]] | None = analysis.derived.get("engine.words")
    if idx is None:
        idx = {}
        tokens = analysis.tokens
        for t in tokens:
            for key in dict.fromkeys(_word_keys(tokens, t.i)):
                idx.setdefault(key, []).append(t.i)
        analysis.derived["engine.words"] = idx
    return idx


def _tables(analysis: Analysis, words: bool) -> dict[str, dict[str, list[int]]]:
    """The message's values by field (with positions): lemma, norm, s, pos1 and, if asked, w."""
    tables = analysis.index()
    if words and "w" not in tables:
        tables["w"] = _word_index(analysis)
    return tables


def _holds(c: Clause, analysis: Analysis, tables: dict[str, dict[str, list[int]]]) -> bool:
    fld, vals = c
    if fld == "re":
        (rx_src,) = vals
        re_hits: dict[str, bool] = analysis.derived.setdefault("engine.re", {})
        hit = re_hits.get(rx_src)
        if hit is None:
            rx = re.compile(rx_src)
            if ANCHORED_RX.search(rx_src):
                hit = any(rx.fullmatch(s) is not None for s in tables["s"])
            else:  # a surface it matches whole is a piece of the text it finds
                hit = rx.search(analysis.text) is not None
            re_hits[rx_src] = hit
        return hit
    if fld == "w" and "w" not in tables:
        tables = _tables(analysis, True)
    return not tables[fld].keys().isdisjoint(vals)


_CLAUSES: dict[int, tuple[Sequence[TokenSpec], list[Clause]]] = {}


def _clauses_of(pattern: Sequence[TokenSpec]) -> list[Clause]:
    hit = _CLAUSES.get(id(pattern))
    if hit is None or hit[0] is not pattern:
        hit = (pattern, clauses(pattern))
        _CLAUSES[id(pattern)] = hit
    return hit[1]


def _occurs_in(pattern: Sequence[TokenSpec], analysis: Analysis, lo: int, hi: int) -> bool:
    """:func:`find_in` on tokens[lo:hi], trying only where the pattern can start (none, when the message
    lacks one of its required values)."""
    cache: dict[int, tuple[Sequence[TokenSpec], set[int] | None]] = analysis.derived.setdefault("engine.occ", {})
    hit = cache.get(id(pattern))
    if hit is None or hit[0] is not pattern:
        tables = analysis.index()
        starts: set[int] | None = set()
        if all(_holds(c, analysis, tables) for c in _clauses_of(pattern)):
            starts = _starts(pattern, analysis, _tables(analysis, "w" in tables or _anchor_is_word(pattern)))
        hit = (pattern, starts)
        cache[id(pattern)] = hit
    starts = hit[1]
    tokens = analysis.tokens
    if starts is None:
        return find_in(pattern, tokens, lo, hi)
    return any(lo <= i < hi and match_at(pattern, tokens, i, hi) is not None for i in starts)


def _anchor_is_word(pattern: Sequence[TokenSpec]) -> bool:
    anchor = _anchor_of(pattern)
    return anchor is not None and anchor[0] == "w"


def _starts(
    pattern: Sequence[TokenSpec], analysis: Analysis, tables: dict[str, dict[str, list[int]]]
) -> set[int] | None:
    """Token indices where *pattern* can start (from its anchor, as :func:`pattern_starts`); None: anywhere."""
    anchor = _anchor_of(pattern)
    if anchor is None:
        return None
    fld, vals, lo, hi = anchor
    if fld == "re":
        return pattern_starts(pattern, analysis)
    table = tables["w"] if fld == "w" else tables[fld]
    starts: set[int] = set()
    for v in vals.intersection(table):
        for k in table[v]:
            if lo == hi == 0:
                starts.add(k)
            else:
                starts.update(k - off for off in range(lo, hi + 1) if k - off >= 0)
    return starts


def surviving_patterns(rules: tuple[Rule, ...], analysis: Analysis) -> dict[int, list[int]]:
    """Rule number -> the numbers of its patterns that pass the prefilter on this message, in order."""
    rs = rule_set(rules)
    survivors = _survivors(rs, analysis, _bit_tables(rs, analysis))[1]
    return {ri: sorted(found) for ri, found in survivors.items()}


BitTables = dict[str, dict[str, int]]


def _bit_tables(rs: RuleSet, analysis: Analysis) -> BitTables:
    """The message's values by field (surface, lemma, norm, pos1 and, if the rule set has words, w) that
    the rule set's clauses name, each with the bit mask of the token positions that hold it (built once
    per message and rule set; a dict of strings and integers is not even tracked by the garbage
    collector)."""
    key = f"engine.bits.{id(rs)}"
    hit: tuple[RuleSet, BitTables] | None = analysis.derived.get(key)
    if hit is not None and hit[0] is rs:
        return hit[1]
    tokens = analysis.tokens
    values = rs.values
    empty: dict[str, tuple[int, tuple[Entry, ...]]] = {}
    ks, kl, kn, kp = (values.get(f, empty) for f in ("s", "lemma", "norm", "pos1"))
    s, lemma, norm, pos1 = (_speedups.bit_tables if _speedups is not None else _py_bit_tables)(tokens, ks, kl, kn, kp)
    tables: BitTables = {f: d for f, d in (("s", s), ("lemma", lemma), ("norm", norm), ("pos1", pos1)) if f in values}
    known = values.get("w")
    if known is not None:
        w: dict[str, int] = {}
        for t in tokens:
            for k in _word_keys(tokens, t.i):
                if k in known:
                    w[k] = w.get(k, 0) | (1 << t.i)
        tables["w"] = w
    analysis.derived[key] = (rs, tables)
    return tables


Known = dict[str, tuple[int, tuple[Entry, ...]]]


def _py_bit_tables(
    tokens: list[Token], ks: Known, kl: Known, kn: Known, kp: Known
) -> tuple[dict[str, int], dict[str, int], dict[str, int], dict[str, int]]:
    """For surface, lemma, norm and pos1: the tokens' values that are keys of *ks*, *kl*, *kn*, *kp*, each
    with the bit mask of the positions that hold it (one pass, the four fields side by side). The
    reference of ``nakanaori.text._speedups.bit_tables``."""
    s: dict[str, int] = {}
    lemma: dict[str, int] = {}
    norm: dict[str, int] = {}
    pos1: dict[str, int] = {}
    for i, t in enumerate(tokens):
        b = 1 << i
        v = t.surface
        if v in ks:
            s[v] = s.get(v, 0) | b
        v = t.lemma
        if v in kl:
            lemma[v] = lemma.get(v, 0) | b
        v = t.norm
        if v in kn:
            norm[v] = norm.get(v, 0) | b
        v = t.pos1
        if v in kp:
            pos1[v] = pos1.get(v, 0) | b
    return s, lemma, norm, pos1


def _bits(m: int) -> Iterator[int]:
    """The positions of the set bits of *m*, lowest first."""
    while m:
        low = m & -m
        yield low.bit_length() - 1
        m ^= low


Found = dict[int, int]  # pattern number -> where it can start (a bit mask; -1: ask its anchor)


def _survivors(rs: RuleSet, analysis: Analysis, tables: BitTables) -> tuple[int, dict[int, Found]]:
    if _speedups is not None:
        return _speedups.survivors(tables, rs.values, rs.re_tests, analysis, rs.always)
    return _py_survivors(tables, rs.values, rs.re_tests, analysis, rs.always)


def _py_survivors(
    tables: BitTables,
    values: dict[str, Known],
    re_tests: Sequence[tuple[int, Callable[[Any], Any], bool]],
    analysis: Analysis,
    always: Sequence[Entry],
) -> tuple[int, dict[int, Found]]:
    """The clause bits the message satisfies, and rule number -> its surviving patterns with their starts.

    One pass over the message's values the rule set names ORs the bits of the clauses each satisfies
    and collects the patterns keyed on it with the value's positions; a woken pattern survives when all
    its bits are set, and can start where its key's positions, shifted back by the key's offsets, say.
    The reference of ``nakanaori.text._speedups.survivors``."""
    sat = 0
    woken: list[tuple[tuple[Entry, ...], int]] = []
    for fld, table in tables.items():
        known = values[fld]
        for v, where in table.items():
            hit = known[v]
            sat |= hit[0]
            if hit[1]:
                woken.append((hit[1], where))
    for bit, test, on_text in re_tests:
        if (test(analysis.text) is not None) if on_text else test(analysis):
            sat |= bit
    out: dict[int, dict[int, int]] = {}
    for es, where in woken:
        for e in es:
            m = e.mask
            if m & sat == m:
                offsets = e.offsets
                if len(offsets) == 1:
                    starts = where >> offsets[0]
                else:
                    starts = 0
                    for off in offsets:
                        starts |= where >> off
                found = out.get(e.ri)
                if found is None:
                    out[e.ri] = {e.pi: starts}
                else:
                    found[e.pi] = found.get(e.pi, 0) | starts
    for e in always:
        if e.mask & sat == e.mask:
            out.setdefault(e.ri, {})[e.pi] = -1  # -1: from its anchor, when it is planned
    return sat, out


@dataclass(slots=True)
class _Msg:
    """One message as the compiled rules see it: its tokens, value tables (positions as bit masks),
    satisfied clause bits, and where each sentence or message condition can start (filled as asked)."""

    analysis: Analysis
    tokens: list[Token]
    tables: BitTables
    sat: int
    occ: dict[int, int | None]


def run_rules(rules: tuple[Rule, ...], analysis: Analysis) -> list[RawMatch]:
    """Run a whole rule set over one analysis.

    The rule set is compiled once (:mod:`nakanaori.check.compiled`). Per message, the prefilter keeps
    only the patterns whose required values all occur in the message; those are planned (where each can
    start, as a bit mask of token positions from the message's index) and tried, rule by rule, in file
    order. The matches are exactly those of :func:`run_rules_unfiltered`.
    """
    rs = rule_set(rules)
    tables = _bit_tables(rs, analysis)
    sat, survivors = _survivors(rs, analysis, tables)
    tokens = analysis.tokens
    n_tok = len(tokens)
    if survivors:
        # a start where the pattern matches nowhere, even up to the end of the message, cannot match inside
        # its sentence (a shorter limit only takes ways away): drop it, and a pattern or rule left with none
        (_speedups.keep_all if _speedups is not None else _py_keep_all)(survivors, rs.firsts, tokens, n_tok)
    if rs.text_rules:
        text = analysis.text
        crules = rs.crules
        extra = [ri for ri in rs.text_rules if ri not in survivors and crules[ri].may_match(text)]
        todo = sorted([*survivors, *extra]) if extra else sorted(survivors)
    else:
        todo = sorted(survivors)
    if not todo:
        return []
    msg = _Msg(analysis, tokens, tables, sat, {})
    out: list[RawMatch] = []
    keep = _speedups.keep_starts if _speedups is not None else _py_keep_starts
    for ri in todo:
        cr = rs.crules[ri]
        pats = survivors.get(ri)
        plan: list[tuple[CPattern, int | None]]
        if not pats:
            plan = []
        elif len(pats) == 1 and -1 not in pats.values():
            for pi, kept in pats.items():
                plan = [(cr.patterns[pi], kept)]
        else:
            plan = []
            for pi in sorted(pats):
                cp = cr.patterns[pi]
                starts: int | None = pats[pi]
                if starts == -1:  # a pattern without a key: its starts from its anchor, kept as above
                    starts = _cstarts(cp, msg)
                    if starts is not None:
                        starts = keep(cp.first, tokens, starts, n_tok)
                        if not starts:
                            continue
                plan.append((cp, starts))
        if not plan and not cr.text:
            continue
        found = _run_compiled(cr, msg, plan)
        if found:
            out.extend(found)
    return out


def _py_keep_all(survivors: dict[int, Found], firsts: Sequence[Sequence[First]], tokens: list[Token], n: int) -> None:
    """:func:`_py_keep_starts` on every pattern of *survivors* (rule -> pattern -> starts; -1 left alone), in
    place: a pattern left with no start is taken out, and a rule left with no pattern. The reference of
    ``nakanaori.text._speedups.keep_all``."""
    for ri in list(survivors):
        pats = survivors[ri]
        for pi in list(pats):
            starts = pats[pi]
            if starts < 0:
                continue
            kept = _py_keep_starts(firsts[ri][pi], tokens, starts, n)
            if kept:
                pats[pi] = kept
            else:
                del pats[pi]
        if not pats:
            del survivors[ri]


def _py_keep_starts(
    first: Callable[[Sequence[Token], int, int], int], tokens: Sequence[Token], starts: int, n: int
) -> int:
    """*starts* (a bit mask of token positions) less those where ``first(tokens, k, n)`` finds no match. The
    reference of ``nakanaori.text._speedups.keep_starts``."""
    m = starts
    while m:
        low = m & -m
        m ^= low
        if first(tokens, low.bit_length() - 1, n) < 0:
            starts ^= low
    return starts


def _cstarts(cp: CPattern, msg: _Msg) -> int | None:
    """The token positions (a bit mask) where a compiled pattern can start, from its anchor; None:
    anywhere. Shifting the anchor's positions right by each offset drops those that would fall before
    the message."""
    anc = cp.anchor
    if anc is None:
        return None
    fld, vals, lo, hi = anc
    m = 0
    if fld == "re":
        assert cp.anchor_rx is not None
        full = cp.anchor_rx.fullmatch
        for t in msg.tokens:
            if full(t.surface) is not None:
                m |= 1 << t.i
    else:
        table = msg.tables[fld]
        for v in vals.intersection(table):
            m |= table[v]
    if not m or lo == hi == 0:
        return m
    out = 0
    for off in cp.offsets:
        out |= m >> off
    return out


def _coccurs(cp: CPattern, msg: _Msg, lo: int, hi: int) -> bool:
    """Whether the pattern matches somewhere in tokens[lo:hi], tried only where it can start (nowhere,
    when the message lacks one of its required values)."""
    key = id(cp)
    if key in msg.occ:
        starts = msg.occ[key]
    else:
        starts = _cstarts(cp, msg) if cp.mask & msg.sat == cp.mask else 0
        msg.occ[key] = starts
    tokens = msg.tokens
    first = cp.first
    if starts is None:
        head = cp.head
        return any((head is None or head(tokens[i])) and first(tokens, i, hi) >= 0 for i in range(lo, hi))
    inside = starts & ((1 << hi) - (1 << lo))
    return any(first(tokens, i, hi) >= 0 for i in _bits(inside)) if inside else False


def _run_compiled(cr: CRule, msg: _Msg, plan: list[tuple[CPattern, int | None]]) -> list[RawMatch]:
    """:func:`run_rule` on a compiled rule and its plan: the same matches, in the same order."""
    if plan and not cr.text and not cr.sentence_requires and not cr.sentence_forbids:
        for _, st in plan:
            if st is None:
                break
        else:
            return _run_known(cr, msg, plan)  # type: ignore[arg-type]
    rule = cr.rule
    analysis = msg.analysis
    tokens = msg.tokens
    regex_ends: dict[int, int] = {}
    union = 0
    if cr.text:
        if rule.regex:
            regex_ends = _regex_ends(rule, analysis)
        if rule.text:
            for a, b in _text_ends(rule, analysis).items():
                if b > regex_ends.get(a, -1):
                    regex_ends[a] = b
        for a in regex_ends:
            union |= 1 << a
    everywhere = False
    for _, st in plan:
        if st is None:
            everywhere = True
            break
        union |= st
    if not everywhere and not union:
        return []
    n_tok = len(tokens)
    sentences = analysis.sentences
    groups: list[tuple[Sentence, Iterable[int]]]
    if everywhere:
        groups = [(sent, range(sent.start_token, sent.end_token)) for sent in sentences]
    else:
        by_sent: dict[int, list[int]] = {}
        m = union
        while m:  # the start positions in order (lowest bit first), grouped by sentence
            low = m & -m
            m ^= low
            k = low.bit_length() - 1
            if k >= n_tok:
                break
            si = tokens[k].sent
            ks = by_sent.get(si)
            if ks is None:
                by_sent[si] = [k]
            else:
                ks.append(k)
        groups = [(sentences[si], ks) for si, ks in by_sent.items()]
    out: list[RawMatch] = []
    first_only = cr.first_only
    for sent, idxs in groups:
        lo, hi = sent.start_token, sent.end_token
        if cr.sentence_requires and not any(_coccurs(cp, msg, lo, hi) for cp in cr.sentence_requires):
            continue
        if cr.sentence_forbids and any(_coccurs(cp, msg, lo, hi) for cp in cr.sentence_forbids):
            continue
        free = lo  # the next token not yet inside an accepted match
        for i in idxs:
            if i < free:
                continue
            # the candidate ends in order: a regex or text piece, then each planned pattern's ends
            end = regex_ends.get(i, -1) if regex_ends else -1
            if end >= 0:
                if _caccept(cr, msg, i, end, lo, hi):
                    out.append(RawMatch(rule, i, end))
                    free = end
                    continue
                if first_only:
                    continue
            end = _first_accepted(cr, msg, plan, i, lo, hi)
            if end >= 0:
                out.append(RawMatch(rule, i, end))
                free = end
    if out and cr.message_forbids and any(_coccurs(cp, msg, 0, n_tok) for cp in cr.message_forbids):
        return []
    return out


def _first_accepted(cr: CRule, msg: _Msg, plan: Sequence[tuple[CPattern, int | None]], i: int, lo: int, hi: int) -> int:
    """The end of the match a start *i* gives: each planned pattern that can start there, in plan order, its
    ends in order, up to the sentence's end *hi*; the first end the rule accepts wins. -1 when none is
    accepted (a first-only rule stops at the first candidate end, accepted or not)."""
    tokens = msg.tokens
    first_only = cr.first_only
    for cp, starts in plan:
        if starts is not None and not (starts >> i) & 1:
            continue
        if cp.simple:
            end = cp.first(tokens, i, hi)
            if end > i:
                if _caccept(cr, msg, i, end, lo, hi):
                    return end
                if first_only:
                    return -1
            continue
        for end in cp.ends(tokens, i, hi):
            if end > i:
                if _caccept(cr, msg, i, end, lo, hi):
                    return end
                if first_only:
                    return -1
    return -1


def _run_known(cr: CRule, msg: _Msg, plan: list[tuple[CPattern, int]]) -> list[RawMatch]:
    """:func:`_run_compiled` for the usual plan (most rules that get this far): patterns at known starts, no
    regex or text piece, no sentence condition. The starts in order, each tried up to the end of its sentence
    with each planned pattern that can start there; a start inside an accepted match is skipped (a match ends
    in its own sentence, so one bound serves every sentence)."""
    tokens = msg.tokens
    n_tok = len(tokens)
    sentences = msg.analysis.sentences
    rule = cr.rule
    out: list[RawMatch] = []
    free = 0
    union = 0
    for _, st in plan:
        union |= st
    m = union
    while m:
        low = m & -m
        m ^= low
        i = low.bit_length() - 1
        if i >= n_tok:
            break
        if i < free:
            continue
        sent = sentences[tokens[i].sent]
        end = _first_accepted(cr, msg, plan, i, sent.start_token, sent.end_token)
        if end >= 0:
            out.append(RawMatch(rule, i, end))
            free = end
    if out and cr.message_forbids and any(_coccurs(mf, msg, 0, n_tok) for mf in cr.message_forbids):
        return []
    return out


def _caccept(cr: CRule, msg: _Msg, i: int, end: int, lo: int, hi: int) -> bool:
    """:func:`_accept` on a compiled rule."""
    tokens = msg.tokens
    if cr.excluded is not None and cr.excluded(tokens, i, end):
        return False
    if cr.required is not None and not cr.required(tokens, i, end):
        return False
    for cp in cr.not_before:
        if cp.first(tokens, end, hi) >= 0:
            return False
    for cp in cr.not_after:
        j0 = max(lo, i - 8)
        if cp.simple:
            j = i - cp.length
            if j >= j0 and cp.first(tokens, j, i) == i:
                return False
            continue
        for j in range(j0, i):
            for e in cp.ends(tokens, j, i):
                if e == i:
                    return False
    analysis = msg.analysis
    for check in cr.checks:  # noqa: SIM110 - a plain loop: no generator per candidate
        if not check(analysis, i, end):
            return False
    return True


def run_rules_unfiltered(rules: tuple[Rule, ...], analysis: Analysis) -> list[RawMatch]:
    """The engine as it was before the prefilter, kept as the reference :func:`run_rules` must equal
    (``tests/check/test_prefilter.py``): one pass over the tokens finds, through an index of each
    pattern's first literal token, where every pattern can start; every such pattern is tried, and
    sentence and message conditions scan every position."""
    d = _dispatch(rules)
    starts: dict[tuple[int, int], set[int]] = {}
    get = d.by_key.get
    words = d.has_words
    for t in analysis.tokens:
        hits = [
            *get(("lemma", t.lemma), ()),
            *get(("norm", t.norm), ()),
            *get(("s", t.surface), ()),
            *get(("pos1", t.pos_str.split(",", 1)[0]), ()),
        ]
        if words:
            for key in dict.fromkeys(_word_keys(analysis.tokens, t.i)):
                hits += get(("w", key), ())
        hits += [(ri, pi, lo, hi) for rx, ri, pi, lo, hi in d.by_regex if rx.fullmatch(t.surface)]
        for ri, pi, lo, hi in hits:
            bucket = starts.setdefault((ri, pi), set())
            if lo == hi == 0:
                bucket.add(t.i)
            else:
                bucket.update(t.i - off for off in range(lo, hi + 1) if t.i - off >= 0)
    unanchored = set(d.unanchored)
    out: list[RawMatch] = []
    for ri, rule in enumerate(rules):
        plan: Plan = []
        for pi, pattern in enumerate(rule.patterns):
            if (ri, pi) in unanchored:
                plan.append((pattern, None))
            elif (ri, pi) in starts:
                plan.append((pattern, starts[(ri, pi)]))
        if not plan and not rule.regex and not rule.text:
            continue
        out.extend(run_rule(rule, analysis, plan, prefilter=False))
    return out


@dataclass(frozen=True, slots=True)
class _Dispatch:
    """Every anchored pattern of a rule set, by the (field, value) that can start it (the reference)."""

    by_key: dict[tuple[str, str], list[tuple[int, int, int, int]]]  # -> (rule#, pattern#, lo, hi)
    unanchored: list[tuple[int, int]]  # patterns that can start anywhere
    by_regex: list[tuple[re.Pattern[str], int, int, int, int]]  # surface regex anchors
    has_words: bool  # some pattern is anchored on a word (looked up by form and by joined surfaces)


_DISPATCH: dict[int, tuple[tuple[Rule, ...], _Dispatch]] = {}


def _dispatch(rules: tuple[Rule, ...]) -> _Dispatch:
    hit = _DISPATCH.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]
    by_key: dict[tuple[str, str], list[tuple[int, int, int, int]]] = {}
    unanchored: list[tuple[int, int]] = []
    by_regex: list[tuple[re.Pattern[str], int, int, int, int]] = []
    for ri, rule in enumerate(rules):
        for pi, pattern in enumerate(rule.patterns):
            anchor = _anchor_of(pattern)
            if anchor is None:
                unanchored.append((ri, pi))
                continue
            fld, vals, lo, hi = anchor
            if fld == "re":
                by_regex.extend((re.compile(v), ri, pi, lo, hi) for v in vals)
                continue
            for v in vals:
                by_key.setdefault((fld, v), []).append((ri, pi, lo, hi))
    d = _Dispatch(by_key, unanchored, by_regex, any(k[0] == "w" for k in by_key))
    _DISPATCH[id(rules)] = (rules, d)
    return d


def _bounds(analysis: Analysis) -> tuple[dict[int, int], dict[int, int]]:
    """Token index by begin offset, and token index + 1 by end offset (once per message)."""
    hit: tuple[dict[int, int], dict[int, int]] | None = analysis.derived.get("engine.bounds")
    if hit is None:
        tokens = analysis.tokens
        hit = ({t.begin: t.i for t in tokens}, {t.end: t.i + 1 for t in tokens})
        analysis.derived["engine.bounds"] = hit
    return hit


def _regex_ends(rule: Rule, analysis: Analysis) -> dict[int, int]:
    """Token start -> token end of every regex match that begins and ends on morpheme boundaries
    inside one sentence (the longest per start)."""
    tokens = analysis.tokens
    begins, ends = _bounds(analysis)
    out: dict[int, int] = {}
    for rx in rule.compiled_regex:
        for mo in rx.finditer(analysis.text):
            a, b = begins.get(mo.start()), ends.get(mo.end())
            if a is None or b is None or b <= a or tokens[a].sent != tokens[b - 1].sent:
                continue
            if b > out.get(a, -1):
                out[a] = b
    return out


def _text_ends(rule: Rule, analysis: Analysis) -> dict[int, int]:
    """Token start -> token end of every ``text`` piece that starts on a morpheme boundary (the end may
    fall inside a morpheme, which then belongs to the match)."""
    tokens = analysis.tokens
    begins = _bounds(analysis)[0]
    out: dict[int, int] = {}
    for needle in rule.text:
        pos = analysis.text.find(needle)
        while pos >= 0:
            a = begins.get(pos)
            if a is not None:
                end = pos + len(needle)
                b = a
                while b < len(tokens) and tokens[b].begin < end:
                    b += 1
                if b > out.get(a, -1):
                    out[a] = b
            pos = analysis.text.find(needle, pos + 1)
    return out


def run_rule(rule: Rule, analysis: Analysis, plan: Plan | None = None, *, prefilter: bool = True) -> list[RawMatch]:
    """The matches of one rule, sentence by sentence (at most one per start; matches do not overlap).

    With *prefilter*, a sentence or message condition whose pattern lacks a required value in the message
    is settled without scanning, and is scanned only where the pattern can start."""
    tokens = analysis.tokens
    out: list[RawMatch] = []
    excluded = frozenset(rule.exclude_scopes)
    # per pattern: where it can start (None = anywhere); a rule with no possible start is skipped
    if plan is None:
        plan = [(p, pattern_starts(p, analysis)) for p in rule.patterns]
    regex_ends = _regex_ends(rule, analysis) if rule.regex else {}
    if rule.text:
        for a, b in _text_ends(rule, analysis).items():
            if b > regex_ends.get(a, -1):
                regex_ends[a] = b
    everywhere = any(st is None for _, st in plan)
    union: set[int] = set(regex_ends)
    if not everywhere:
        for _, st in plan:
            union |= st  # type: ignore[arg-type]
        if not union:
            return out
    n_tok = len(tokens)
    first_only = rule.ends == "first"

    def occurs(p: Sequence[TokenSpec], lo: int, hi: int) -> bool:
        return _occurs_in(p, analysis, lo, hi) if prefilter else find_in(p, tokens, lo, hi)

    by_sent: dict[int, list[int]] = {}
    if not everywhere:
        for k in sorted(union):
            if 0 <= k < n_tok:
                by_sent.setdefault(tokens[k].sent, []).append(k)
    for sent in analysis.sentences:
        if not everywhere and sent.index not in by_sent:
            continue
        lo, hi = sent.start_token, sent.end_token
        if rule.sentence_requires and not any(occurs(p, lo, hi) for p in rule.sentence_requires):
            continue
        if rule.sentence_forbids and any(occurs(p, lo, hi) for p in rule.sentence_forbids):
            continue
        free = lo  # the next token not yet inside an accepted match
        for i in range(lo, hi) if everywhere else by_sent[sent.index]:
            if i < free:
                continue
            for end in _candidate_ends(plan, tokens, i, hi, regex_ends):
                if _accept(rule, analysis, excluded, i, end, lo, hi):
                    out.append(RawMatch(rule, i, end))
                    free = end
                    break
                if first_only:
                    break
    if out and rule.message_forbids and any(occurs(p, 0, len(tokens)) for p in rule.message_forbids):
        return []
    return out


def _candidate_ends(
    plan: list[tuple[Sequence[TokenSpec], set[int] | None]],
    tokens: Sequence[Token],
    i: int,
    hi: int,
    regex_ends: dict[int, int],
) -> Iterator[int]:
    end = regex_ends.get(i)
    if end is not None:
        yield end
    for pattern, starts in plan:
        if starts is not None and i not in starts:
            continue
        for end in match_ends(pattern, tokens, i, hi):
            if end > i:
                yield end


def _in_scope(t: Token, scope: str) -> bool:
    return bool(getattr(t, scope))


def _accept(rule: Rule, analysis: Analysis, excluded: AbstractSet[str], i: int, end: int, lo: int, hi: int) -> bool:
    tokens = analysis.tokens
    matched = tokens[i:end]
    if excluded and any(
        ("quote" in excluded and t.quote)
        or ("reported" in excluded and t.reported)
        or ("request" in excluded and t.request)
        or ("negated" in excluded and t.negated)
        or ("other" in excluded and t.other)
        or ("own_quote" in excluded and t.own_quote)
        for t in matched
    ):
        return False
    for scope in rule.require_scopes:
        if not all(_in_scope(t, scope) for t in matched):
            return False
    if rule.not_before and any(match_at(p, tokens, end, hi) is not None for p in rule.not_before):
        return False
    if rule.not_after:
        for p in rule.not_after:
            if any(end_ == i for j in range(max(lo, i - 8), i) for end_ in match_ends(p, tokens, j, i)):
                return False
    return all(c(analysis, i, end) for c in rule.bound_checks)


def span_tokens(rule: LabelRule, analysis: Analysis, m: RawMatch) -> tuple[int, int]:
    """Token range to highlight for a match: the match itself, its clause or its sentence."""
    tokens = analysis.tokens
    if rule.span == "match":
        return _whole_words(analysis, m.start, m.end)
    if rule.span == "sentence":
        lo, hi = _sentence_bounds(analysis, tokens[m.start].sent)
    else:
        c0, c1 = tokens[m.start].clause, tokens[m.end - 1].clause
        lo = m.start
        while lo > 0 and tokens[lo - 1].clause == c0:
            lo -= 1
        hi = m.end
        while hi < len(tokens) and tokens[hi].clause == c1:
            hi += 1
    # trim punctuation and spaces at both ends
    while lo < hi and tokens[lo].pos_str.startswith(("補助記号", "空白")) and lo < m.start:
        lo += 1
    while hi > lo and tokens[hi - 1].pos_str.startswith(("補助記号", "空白")) and hi > m.end:
        hi -= 1
    return _whole_words(analysis, lo, hi)


_OPEN_FORMS = ("未然形", "連用形", "仮定形")  # a conjugated word that its auxiliaries still follow
_BOUND_PARTICLES = frozenset({"て", "で", "ちゃ", "じゃ", "ば"})
_SUPPORT_POS = ("動詞,非自立可能", "形容詞,非自立可能")


def _attaches(prev: Token, nxt: Token) -> bool:
    """Whether *nxt* belongs to the same word group as *prev*: an auxiliary, the て that joins a support
    verb, or the support verb itself (言っ|て|しまっ|た, いら|ない, 言い|過ぎ|まし|た)."""
    if nxt.sent != prev.sent:
        return False
    if prev.pos_str.startswith("助詞,接続助詞") and prev.surface in _BOUND_PARTICLES:
        return nxt.pos_str.startswith(_SUPPORT_POS)
    if not prev.pos_str.startswith(("動詞", "形容詞", "助動詞")) or not prev.cform.startswith(_OPEN_FORMS):
        return False
    if nxt.pos_str.startswith("助動詞"):
        return True
    if nxt.pos_str.startswith("助詞,接続助詞"):
        return nxt.surface in _BOUND_PARTICLES
    return prev.cform.startswith("連用形") and nxt.pos_str.startswith(_SUPPORT_POS)


def _whole_words(analysis: Analysis, lo: int, hi: int) -> tuple[int, int]:
    """Widen a highlight to whole words: a conjugated verb keeps its auxiliaries on both sides, so that
    no highlight reads 「返事はいら」 or 「ひどいこと言っ」."""
    tokens = analysis.tokens
    while lo > 0 and _attaches(tokens[lo - 1], tokens[lo]):
        lo -= 1
    while hi < len(tokens) and _attaches(tokens[hi - 1], tokens[hi]):
        hi += 1
    return lo, hi
