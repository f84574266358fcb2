"""The C loops (``nakanaori.text._speedups``) give exactly what their Python references give (issue 12).

``make setup`` builds the extension (setuptools ``ext_modules``, ``setup.py``); the product falls back to the
Python reference when it is missing, so a first test fails when it is not built. Then every token field and
every prefilter table, survivor set and kept start is compared, C against Python, on every labelled message
that may be read (train and dev batches, the shared dev set, the non-held-out situation sets) and on fuzzed
texts. A failure names ids and counts only, never a text.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpus_sample import sampled_records
from nakanaori.advise.cues import load_situation_lexicon
from nakanaori.advise.situation import _all_rules
from nakanaori.check import compiled, engine
from nakanaori.check.compiled import rule_set
from nakanaori.check.rules import load_rules
from nakanaori.text.analysis import analyze
from nakanaori.text.tokenizer import _WORDS, _word, append_morphemes, get_tokenizer
from nakanaori.text.tokens import Token

ROOT = Path(__file__).resolve().parents[2]
SETS = [
    ROOT.parent / "shared" / "eval" / "messages.dev.jsonl",
    ROOT.parent / "shared" / "eval" / "situations.dev.jsonl",
    ROOT / "tests" / "data" / "situations_extra.jsonl",
    ROOT / "tests" / "data" / "situations_train2.jsonl",
    ROOT / "tests" / "data" / "situations_train3.jsonl",
]


def _speedups() -> Any:
    from nakanaori.text import _speedups

    return _speedups


def test_the_extension_is_built_and_used() -> None:
    sp = _speedups()  # ImportError: `make setup` (pip install -e .) did not build it
    assert engine._speedups is sp
    from nakanaori.text import tokens

    assert tokens.append_tokens is sp.append_tokens
    cp = rule_set(load_rules()).crules[0].patterns[0]
    assert isinstance(cp.first, sp.Matcher)


def _texts() -> Iterator[tuple[str, str]]:
    """(id, text) of the messages that may be read (``corpus_sample``), then fuzzed texts."""
    for r in sampled_records():
        yield r.id, r.text
    for path in SETS:
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    yield str(row["id"]), row["text"]
    pool = list("ごめん昨日は約束の時間に遅れて本当にがぎ笑ですますたっ「」『』。、!?…ーｗw 　\n")
    pool += ["\U0001f600", "\U0001f64f", "😂", "ｶﾞ", "ﾞ", "A", "1", "〜", "。。", "…", "(", ")"]
    rnd = random.Random(12)
    for k in range(3000):
        yield f"fuzz-{k}", "".join(rnd.choice(pool) for _ in range(rnd.randint(1, 60)))


TEXTS = list(_texts())
_UNSET = object()
# Token's own slots and Morpheme's; the morpheme as Sudachi read it (``_raw``, compared by identity) by its fields
_FIELDS = sorted({*Token.__slots__, *Token.__mro__[1].__slots__} - {"_raw"})


def _fields(t: Token) -> tuple[object, ...]:
    raw = t.m
    return (
        *(getattr(t, f, _UNSET) for f in _FIELDS),
        raw is t,
        *(getattr(raw, f) for f in Token.__mro__[1].__slots__),
    )


def test_tokens_made_in_c_are_left_to_reference_counting() -> None:
    """A token holds strings, numbers, tuples, booleans and None: it can be in no reference cycle, and the C
    loop takes it off the garbage collector's lists (fewer objects for every young collection to walk)."""
    import gc

    tokens = analyze("昨日は遅刻してごめん。本当に済んだことだと思ってた").tokens
    made_by_class = [t for t in tokens if t.m is not t]  # the past auxiliary after a nasal stem: Token() itself
    assert made_by_class
    assert not any(gc.is_tracked(t) for t in tokens if t.m is t)


def test_there_is_something_to_compare() -> None:
    ids = [rid for rid, _ in TEXTS]
    assert len(ids) > 8000
    held_out = [r for r in ids if r.startswith("mh-") and int(r[3:]) > 80]  # mh-081…160
    assert not held_out


def test_tokens_from_c_equal_the_reference() -> None:
    sp = _speedups()
    tok = get_tokenizer()
    differ: list[str] = []
    n = 0
    for rid, text in TEXTS:
        ms = tok.tokenize(text)
        want: list[Token] = []
        got: list[Token] = []
        end_want = append_morphemes(ms, want, Token, _WORDS, _word, 7)
        end_got = sp.append_tokens(ms, got, Token, _WORDS, _word, 7)
        n += len(got)
        if end_got != end_want or [_fields(t) for t in got] != [_fields(t) for t in want]:
            differ.append(rid)
    assert not differ, f"{len(differ)} texts differ: {differ[:10]}"
    assert n > 100_000


def _analysis_fields(a: Any) -> tuple[object, ...]:
    return (
        [_fields(t) for t in a.tokens],
        [(s.index, s.begin, s.end, s.start_token, s.end_token) for s in a.sentences],
        a.japanese,
        a.normalized,
    )


def test_analyses_from_c_equal_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every token field (offsets, sentence, clause, the six scope flags ...) and every sentence, with the
    sentence pass and the negation marks in C and in Python (and the tokens made in C and in Python)."""
    from nakanaori.text import analysis

    got = [_analysis_fields(analyze(text)) for _, text in TEXTS]
    with monkeypatch.context() as m:
        m.setattr(analysis, "split_tokens", analysis._split)
        m.setattr(analysis, "mark_negation", analysis._mark_negation)
        m.setattr(analysis, "append_tokens", append_morphemes)
        want = [_analysis_fields(analyze(text)) for _, text in TEXTS]
    differ = [rid for (rid, _), g, w in zip(TEXTS, got, want, strict=True) if g != w]
    assert not differ, f"{len(differ)} analyses differ: {differ[:10]}"
    assert analysis.split_tokens is analysis._split_c and analysis.mark_negation is analysis._mark_negation_c


def test_has_words_from_c_equals_the_reference() -> None:
    """Every word sequence of message_checks.yaml (vague will, what meets a stage's need), C against Python."""
    from nakanaori.check.notes import _py_has_words, load_message_checks

    sp = _speedups()
    mc = load_message_checks()
    seqs = [*mc.vague_will_words, *(seq for need in mc.stage_needs.values() for seq in need.met_by_words)]
    assert len(seqs) > 5
    differ: list[str] = []
    found = 0
    for rid, text in TEXTS:
        a = analyze(text)
        if not a.tokens:
            continue
        for seq in seqs:
            want = _py_has_words(a, seq)
            found += want
            if sp.has_words(a.tokens, seq) != want:
                differ.append(rid)
    assert not differ, f"{len(differ)} differ: {differ[:10]}"
    assert found > 100


def test_the_flag_bits_are_those_of_the_c_pass() -> None:
    from nakanaori.text import analysis as an

    bits = (an._F_CONT, an._F_TILDE, an._F_COMMA, an._F_CONJ, an._F_OPEN, an._F_CLOSE, an._F_ENDS, an._F_LAUGH)
    assert (*bits, an._F_QUOTATIVE) == (1, 2, 4, 8, 16, 32, 64, 128, 256)  # the enum of _speedups.c


def test_the_prefilter_from_c_equals_the_reference() -> None:
    sp = _speedups()
    sets = [rule_set(load_rules()), rule_set(_all_rules(load_situation_lexicon()))]
    differ: list[str] = []
    kept = long_messages = 0
    for rid, text in TEXTS:
        a = analyze(text)
        for rs in sets:
            empty: engine.Known = {}
            known = [rs.values.get(f, empty) for f in ("s", "lemma", "norm", "pos1")]
            tables = sp.bit_tables(a.tokens, *known)
            if [list(d.items()) for d in tables] != [list(d.items()) for d in engine._py_bit_tables(a.tokens, *known)]:
                differ.append(f"{rid} (tables)")
            full = engine._bit_tables(rs, a)
            got = sp.survivors(full, rs.values, rs.re_tests, a, rs.always)
            want = engine._py_survivors(full, rs.values, rs.re_tests, a, rs.always)
            if got != want:
                differ.append(f"{rid} (survivors)")
            n = len(a.tokens)
            for ri, pats in want[1].items():
                for pi, starts in pats.items():
                    if starts < 0:
                        continue
                    first = rs.crules[ri].patterns[pi].first
                    c = sp.keep_starts(first, a.tokens, starts, n)
                    if c != engine._py_keep_starts(first, a.tokens, starts, n):
                        differ.append(f"{rid} (keep_starts)")
                    kept += 1
            got_all = {ri: dict(pats) for ri, pats in want[1].items()}
            want_all = {ri: dict(pats) for ri, pats in want[1].items()}
            sp.keep_all(got_all, rs.firsts, a.tokens, n)
            engine._py_keep_all(want_all, rs.firsts, a.tokens, n)
            if got_all != want_all or list(got_all) != list(want_all):
                differ.append(f"{rid} (keep_all)")
            long_messages += n > 64
    assert not differ, f"{len(differ)} differ: {differ[:10]}"
    assert kept > 10_000 and long_messages > 100  # past 64 tokens, the masks do not fit in one machine word


def _all_patterns(rs: Any) -> list[Any]:
    """Every compiled pattern of a rule set: the rules' own and their not_before, not_after, sentence and
    message conditions."""
    seen: dict[int, Any] = {}
    for cr in rs.crules:
        for group in (
            cr.patterns,
            cr.not_before,
            cr.not_after,
            cr.sentence_requires,
            cr.sentence_forbids,
            cr.message_forbids,
        ):
            for cp in group:
                seen.setdefault(id(cp), cp)
    return list(seen.values())


def test_the_matcher_from_c_equals_the_generated_functions() -> None:
    """Every pattern of the label rules and the cues, C matcher against the generated Python functions (first
    end, and every end in order), on every message that holds the pattern's required values: at every start,
    up to the end of the start's sentence and up to the end of the message."""
    sp = _speedups()
    differ: list[str] = []
    compared = matched = 0
    for rs in (rule_set(load_rules()), rule_set(_all_rules(load_situation_lexicon()))):
        pats = _all_patterns(rs)
        refs = {id(cp): compiled.reference_functions(cp.pattern) for cp in pats}
        assert all(isinstance(cp.first, sp.Matcher) for cp in pats)
        for rid, text in TEXTS:
            a = analyze(text)
            tokens = a.tokens
            n = len(tokens)
            sat = engine._survivors(rs, a, engine._bit_tables(rs, a))[0]
            ends_of_sentences = [a.sentences[t.sent].end_token for t in tokens]
            for cp in pats:
                if cp.mask & sat != cp.mask:
                    continue
                first, ends = refs[id(cp)]
                for i in range(n):
                    for limit in {ends_of_sentences[i], n}:
                        want = first(tokens, i, limit)
                        compared += 1
                        matched += want >= 0
                        if cp.first(tokens, i, limit) != want:
                            differ.append(f"{rid} (first)")
                        if want >= 0 and list(cp.ends(tokens, i, limit)) != list(ends(tokens, i, limit)):
                            differ.append(f"{rid} (ends)")
                # at the end of the message and past the limit: no end, or the empty ends of optional tokens
                if cp.first(tokens, n, n) != first(tokens, n, n) or cp.ends(tokens, n, n) != list(ends(tokens, n, n)):
                    differ.append(f"{rid} (at the end)")
    assert not differ, f"{len(differ)} differ: {sorted(set(differ))[:10]}"
    assert compared > 1_000_000 and matched > 10_000


def test_a_matcher_refuses_what_it_cannot_run() -> None:
    sp = _speedups()
    step = ("1", 4, (None,) * 8, None)
    for bad in [
        (("x", 4, (None,) * 8, None),),
        (("1", 4, (None,) * 7, None),),
        (("1", 4, (["a"],) + (None,) * 7, None),),
    ]:
        with pytest.raises((TypeError, ValueError)):
            sp.Matcher(bad)
    m = sp.Matcher((step, step))
    a = analyze("本当にごめん")
    assert len(a.tokens) >= 2
    assert m(a.tokens, 0, 2) == 2 and m(a.tokens, 0, 1) == -1 and m.ends(a.tokens, 0, 2) == [2]
    assert m(a.tokens, len(a.tokens), len(a.tokens) + 5) == len(a.tokens) + 2  # an any-token is not looked at
    tested = sp.Matcher((("1", 4, (frozenset({"x"}),) + (None,) * 7, None),))
    with pytest.raises(IndexError):  # as the generated code's tokens[i]
        tested(a.tokens, len(a.tokens), len(a.tokens) + 5)
    with pytest.raises(TypeError):
        m(tuple(a.tokens), 0, 1)


def test_keep_starts_past_64_bits() -> None:
    sp = _speedups()
    a = analyze("ごめん")
    for first in (lambda tokens, i, n: -1 if i % 3 else i, sp.Matcher((("*", 4, (None,) * 8, None),))):
        for starts in (1 << 70, (1 << 130) - 1, 0b1101, 0):
            assert sp.keep_starts(first, a.tokens, starts, 200) == engine._py_keep_starts(first, a.tokens, starts, 200)
    assert sp.keep_starts(lambda tokens, i, n: -1 if i == 2 else i, a.tokens, 0b1101, 4) == 0b1001
    with pytest.raises(ValueError):
        sp.keep_starts(lambda tokens, i, n: i, a.tokens, -1, 4)


def test_a_class_without_the_token_slots_is_refused() -> None:
    sp = _speedups()

    class Plain:
        def __init__(self, *args: object) -> None:
            self.args = args

    with pytest.raises(TypeError):
        sp.append_tokens(get_tokenizer().tokenize("ごめん"), [], Plain, _WORDS, _word, 0)
