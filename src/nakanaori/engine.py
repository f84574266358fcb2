"""The generic rule matcher: morpheme patterns over a shared :class:`Analysis`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .knowledge.models import Rule, TokenSpec
from .text.analysis import Analysis, Token


def token_matches(spec: TokenSpec, t: Token) -> bool:
    if spec.any:
        return True
    if spec.s is not None and t.surface not in spec.s:
        return False
    if spec.lemma is not None and t.lemma not in spec.lemma:
        return False
    if spec.norm is not None and t.norm not in spec.norm:
        return False
    if spec.pos is not None and not any(t.pos_str.startswith(p) for p in spec.pos):
        return False
    if spec.cform is not None and not any(t.cform.startswith(p) for p in spec.cform):
        return False
    if spec.ctype is not None and not any(t.ctype.startswith(p) for p in spec.ctype):
        return False
    rx = spec.rx
    if rx is not None and rx.fullmatch(t.surface) is None:
        return False
    return not (spec.not_ is not None and token_matches(spec.not_, t))


def match_ends(pattern: Sequence[TokenSpec], tokens: Sequence[Token], start: int, limit: int) -> Iterator[int]:
    """Every end index (exclusive) at which *pattern* matches tokens[start:limit], greedy first.

    Quantifiers are greedy with backtracking; ``*``/``+`` take at most ``max`` tokens.
    """

    def rec(pi: int, ti: int) -> Iterator[int]:
        if pi == len(pattern):
            yield ti
            return
        spec = pattern[pi]
        if spec.op == "1":
            if ti < limit and token_matches(spec, tokens[ti]):
                yield from rec(pi + 1, ti + 1)
            return
        lo = 1 if spec.op == "+" else 0
        hi = 1 if spec.op == "?" else spec.max
        count = 0
        while count < hi and ti + count < limit and token_matches(spec, tokens[ti + count]):
            count += 1
        while count >= lo:
            yield from rec(pi + 1, ti + count)
            count -= 1

    return rec(0, start)


def match_at(pattern: Sequence[TokenSpec], tokens: Sequence[Token], start: int, limit: int) -> int | None:
    """The greedy end index of *pattern* at *start*, or None."""
    return next(match_ends(pattern, tokens, start, limit), None)


def find_in(pattern: Sequence[TokenSpec], tokens: Sequence[Token], lo: int, hi: int) -> bool:
    return any(match_at(pattern, tokens, i, hi) is not None for i in range(lo, hi))


@dataclass(frozen=True, slots=True)
class RawMatch:
    rule: Rule
    start: int  # token index
    end: int  # token index, exclusive


def _sentence_bounds(analysis: Analysis, sent: int) -> tuple[int, int]:
    s = analysis.sentences[sent]
    return s.start_token, s.end_token


def run_rule(rule: Rule, analysis: Analysis) -> list[RawMatch]:
    from .rules_py import CHECKS

    tokens = analysis.tokens
    out: list[RawMatch] = []
    excluded = set(rule.exclude_scopes)
    for sent in analysis.sentences:
        lo, hi = sent.start_token, sent.end_token
        if rule.sentence_requires and not any(find_in(p, tokens, lo, hi) for p in rule.sentence_requires):
            continue
        if rule.sentence_forbids and any(find_in(p, tokens, lo, hi) for p in rule.sentence_forbids):
            continue
        regex_ends: dict[int, int] = {}
        if rule.regex:
            begins = {tokens[k].begin: k for k in range(lo, hi)}
            ends = {tokens[k].end: k + 1 for k in range(lo, hi)}
            text = analysis.text
            for rx in rule.compiled_regex:
                for mo in rx.finditer(text, tokens[lo].begin, tokens[hi - 1].end):
                    a, b = begins.get(mo.start()), ends.get(mo.end())
                    if a is not None and b is not None and b > a and b > regex_ends.get(a, -1):
                        regex_ends[a] = b
        i = lo
        while i < hi:
            accepted = None
            for end in _candidate_ends(rule, tokens, i, hi, regex_ends):
                if _accept(rule, analysis, excluded, i, end, lo, hi, CHECKS):
                    accepted = end
                    break
            if accepted is not None:
                out.append(RawMatch(rule, i, accepted))
                i = accepted
            else:
                i += 1
    if out and rule.message_forbids and any(find_in(p, tokens, 0, len(tokens)) for p in rule.message_forbids):
        return []
    return out


def _candidate_ends(rule: Rule, tokens: Sequence[Token], i: int, hi: int,
                    regex_ends: dict[int, int]) -> Iterator[int]:
    end = regex_ends.get(i)
    if end is not None:
        yield end
    for pattern in rule.patterns:
        for end in match_ends(pattern, tokens, i, hi):
            if end > i:
                yield end


def _accept(rule: Rule, analysis: Analysis, excluded: set[str], i: int, end: int, lo: int, hi: int,
            checks: dict) -> bool:
    tokens = analysis.tokens
    matched = tokens[i:end]
    if excluded and any(
        ("quote" in excluded and t.quote)
        or ("reported" in excluded and t.reported)
        or ("request" in excluded and t.request)
        for t in matched
    ):
        return False
    if rule.not_before and any(match_at(p, tokens, end, hi) is not None for p in rule.not_before):
        return False
    if rule.not_after:
        for p in rule.not_after:
            if any(end_ == i for j in range(max(lo, i - 8), i) for end_ in match_ends(p, tokens, j, i)):
                return False
    return not (rule.check is not None and not checks[rule.check](analysis, i, end))


def span_tokens(rule: Rule, analysis: Analysis, m: RawMatch) -> tuple[int, int]:
    """Token range to highlight for a match: the match itself, its clause or its sentence."""
    tokens = analysis.tokens
    if rule.span == "match":
        return m.start, m.end
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
    return lo, hi
