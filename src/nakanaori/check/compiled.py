"""A rule set compiled once for matching (issue 12 §1): what :func:`nakanaori.check.engine.run_rules` runs.

The rule files stay the reference (pydantic records); this module turns a whole rule set, once per process,
into plain Python that does per message only what the message can need:

* every token spec becomes one Python expression over a token (set membership, ``str.startswith`` on a
  tuple, a bound ``fullmatch``), and every pattern one generated function: a pattern of plain tokens is a
  straight run of tests that returns its end (or -1); a pattern with quantifiers is a generator of nested
  loops that yields its ends in the same order as the reference matcher (``engine.match_ends``);
* every literal condition of a required token (a *clause*: lemma, normalised form, surface, word,
  first-level part of speech, surface regex) is one bit; per message one pass over the message's distinct
  values ORs the bits they satisfy, and a pattern survives when all its bits are set (one integer test);
* each pattern is keyed on its most selective clause, so only the patterns whose key occurs are tested;
* the scope tests, ``not_before``/``not_after`` and sentence conditions of a rule run on the compiled
  patterns, and a sentence condition is looked for only where its pattern can start.

The results are exactly those of ``engine.run_rules_unfiltered`` (``tests/check/test_prefilter.py``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..text.analysis import Analysis, Token
from .rules import PatternRule, TokenSpec

try:  # the patterns interpreted in C (built by make setup); the generated Python functions are the reference
    from ..text import _speedups
except ImportError:  # pragma: no cover - a source tree without the built extension
    _speedups = None  # type: ignore[assignment]
if os.environ.get("NAKANAORI_PYTHON_LOOPS"):  # the Python reference, for benchmarks side by side
    _speedups = None  # type: ignore[assignment]

Rule = PatternRule
Ends = Callable[[Sequence[Token], int, int], Iterable[int]]
First = Callable[[Sequence[Token], int, int], int]
Head = Callable[[Token], bool]
ReTest = tuple[Callable[[Any], Any], bool]  # (test, on_text): test(text) is not None, or test(analysis)
Clause = tuple[str, frozenset[str]]  # (field, values): one of the values must occur in the message's field

_KANA = re.compile(r"[\u3040-\u30ff]+")
ANCHORED_RX = re.compile(r"[\^$]|\\[AZbB]|\(\?")  # anchors, word boundaries, lookarounds, inline flags
_JOIN_BREAK = ("補助記号", "空白")
_SCOPES = ("quote", "reported", "request", "negated", "other", "own_quote")


# ---------------------------------------------------------------- token specs and patterns as code


class _Env:
    """Constants the generated code refers to by name."""

    def __init__(self) -> None:
        self.ns: dict[str, Any] = {"_word_end": word_end}
        self.defined = 0

    def const(self, value: object) -> str:
        name = f"_k{len(self.ns)}"
        self.ns[name] = value
        return name


def _members(attr: str, values: list[str], env: _Env) -> str:
    if len(values) == 1:
        return f"t.{attr} == {values[0]!r}"
    return f"t.{attr} in {env.const(frozenset(values))}"


def spec_expr(spec: TokenSpec, env: _Env) -> str:
    """A Python expression, true when the token ``t`` satisfies *spec* (a ``word`` is tested apart)."""
    if spec.any:
        return "True"
    parts: list[str] = []
    if spec.s is not None:
        parts.append(_members("surface", spec.s, env))
    if spec.lemma is not None:
        parts.append(_members("lemma", spec.lemma, env))
    if spec.norm is not None:
        parts.append(_members("norm", spec.norm, env))
    if spec.pos is not None:
        parts.append(f"t.pos_str.startswith({env.const(tuple(spec.pos))})")
    if spec.cform is not None:
        parts.append(f"t.cform.startswith({env.const(tuple(spec.cform))})")
    if spec.ctype is not None:
        parts.append(f"t.ctype.startswith({env.const(tuple(spec.ctype))})")
    rx = spec.rx
    if rx is not None:
        parts.append(f"{env.const(rx.fullmatch)}(t.surface) is not None")
    if spec.not_ is not None:
        parts.append(f"not ({spec_expr(spec.not_, env)})")
    if not parts:
        return "True"
    return " and ".join(f"({p})" for p in parts)


def word_end(words: frozenset[str], tokens: Sequence[Token], ti: int, limit: int) -> int | None:
    """``engine._word_end`` on a word set: one morpheme with a listed form, else the fewest following
    morphemes (up to four, no punctuation) whose surfaces joined are a listed word."""
    t = tokens[ti]
    if t.surface in words or t.lemma in words or t.norm in words:
        return ti + 1
    joined = t.surface
    for k in range(ti + 1, min(limit, ti + 4)):
        u = tokens[k]
        if u.pos_str.startswith(_JOIN_BREAK) and u.surface not in ("ー", "〜"):
            break
        joined += u.surface
        if joined in words:
            return k + 1
    return None


def _opt_set(values: list[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


def _opt_tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def spec_test(spec: TokenSpec) -> tuple[Any, ...]:
    """*spec* as data for ``_speedups.Matcher`` (what :func:`spec_expr` says as code): (s, lemma, norm, pos,
    cform, ctype, rx, not), each None when absent; an any-token (or a token with no condition) tests nothing."""
    if spec.any:
        return (None,) * 8
    rx = spec.rx
    return (
        _opt_set(spec.s),
        _opt_set(spec.lemma),
        _opt_set(spec.norm),
        _opt_tuple(spec.pos),
        _opt_tuple(spec.cform),
        _opt_tuple(spec.ctype),
        rx.fullmatch if rx is not None else None,
        spec_test(spec.not_) if spec.not_ is not None else None,
    )


def pattern_steps(pattern: Sequence[TokenSpec]) -> tuple[tuple[Any, ...], ...]:
    """*pattern* as the steps of a ``_speedups.Matcher``: (op, max, test, words) per token spec."""
    return tuple((s.op, s.max, spec_test(s), _opt_set(s.word)) for s in pattern)


def _is_simple(pattern: Sequence[TokenSpec]) -> bool:
    return all(s.op == "1" and s.word is None for s in pattern)


def _gen_first(pattern: Sequence[TokenSpec], env: _Env) -> list[str]:
    """A function (tokens, i, limit) -> end or -1 for a pattern of plain tokens (one way to match)."""
    n = len(pattern)
    lines = ["def _f(tokens, i, limit):", f"    if i + {n} > limit:", "        return -1"]
    for k, spec in enumerate(pattern):
        expr = spec_expr(spec, env)
        if expr == "True":
            continue
        lines += [f"    t = tokens[i + {k}]", f"    if not ({expr}):", "        return -1"]
    lines.append(f"    return i + {n}")
    return lines


def _gen_ends(pattern: Sequence[TokenSpec], env: _Env, *, first: bool = False) -> list[str]:
    """A generator (tokens, i0, limit) of every end of the pattern, in the order of ``engine.match_ends``
    (greedy quantifiers backtracking, ``*?`` lazy, a final quantifier taking all it can).

    With *first*, a plain function that returns the first of those ends (or -1): the same code, each
    ``yield`` a ``return``."""
    n = len(pattern)
    out = "return" if first else "yield"
    lines = ["def _g(tokens, i0, limit):"]

    def emit(pi: int, ind: str) -> None:
        ti = f"i{pi}"
        if pi == n:
            lines.append(f"{ind}{out} {ti}")
            return
        spec = pattern[pi]
        expr = spec_expr(spec, env)
        nxt = f"i{pi + 1}"
        if spec.op == "1":
            lines.append(f"{ind}if {ti} < limit:")
            if expr == "True":  # any token (or a word with no other condition): nothing to test here
                lines.append(f"{ind}    if True:")
            else:
                lines.append(f"{ind}    t = tokens[{ti}]")
                lines.append(f"{ind}    if {expr}:")
            if spec.word is None:
                lines.append(f"{ind}        {nxt} = {ti} + 1")
            else:
                words = env.const(frozenset(spec.word))
                lines.append(f"{ind}        {nxt} = _word_end({words}, tokens, {ti}, limit)")
                lines.append(f"{ind}        if {nxt} is not None:")
                ind += "    "
            emit(pi + 1, ind + "        ")
            return
        c = f"c{pi}"
        if spec.op == "*?":  # lazy: as few as it can, then one more at a time
            lines.append(f"{ind}{c} = 0")
            lines.append(f"{ind}while True:")
            lines.append(f"{ind}    {nxt} = {ti} + {c}")
            emit(pi + 1, ind + "    ")
            lines.append(f"{ind}    if {c} >= {spec.max} or {ti} + {c} >= limit:")
            lines.append(f"{ind}        break")
            if expr != "True":
                lines.append(f"{ind}    t = tokens[{ti} + {c}]")
                lines.append(f"{ind}    if not ({expr}):")
                lines.append(f"{ind}        break")
            lines.append(f"{ind}    {c} += 1")
            return
        lo = 1 if spec.op == "+" else 0
        hi = 1 if spec.op == "?" else spec.max
        if expr == "True":  # any tokens: as many as there are, up to the maximum
            lines.append(f"{ind}{c} = limit - {ti}")
            lines.append(f"{ind}if {c} > {hi}:")
            lines.append(f"{ind}    {c} = {hi}")
            lines.append(f"{ind}elif {c} < 0:")
            lines.append(f"{ind}    {c} = 0")
        else:
            lines.append(f"{ind}{c} = 0")
            lines.append(f"{ind}while {c} < {hi} and {ti} + {c} < limit:")
            lines.append(f"{ind}    t = tokens[{ti} + {c}]")
            lines.append(f"{ind}    if not ({expr}):")
            lines.append(f"{ind}        break")
            lines.append(f"{ind}    {c} += 1")
        if pi == n - 1:  # a final quantifier takes all it can
            lines.append(f"{ind}if {c} >= {lo}:")
            lines.append(f"{ind}    {out} {ti} + {c}")
            return
        lines.append(f"{ind}while {c} >= {lo}:")
        lines.append(f"{ind}    {nxt} = {ti} + {c}")
        emit(pi + 1, ind + "    ")
        lines.append(f"{ind}    {c} -= 1")

    emit(0, "    ")
    lines += ["    return -1"] if first else ["    return", "    yield"]
    return lines


def _define(lines: list[str], env: _Env, name: str) -> Any:
    env.defined += 1  # one file name per function: profiles and tracebacks tell them apart
    code = compile("\n".join(lines), f"<nakanaori pattern {env.defined}>", "exec")
    # the code is generated above from validated token specs; constants are passed by name, never inlined
    exec(code, env.ns)
    return env.ns.pop(name)


# ---------------------------------------------------------------- clauses (the prefilter's conditions)


def clauses(pattern: Sequence[TokenSpec]) -> list[Clause]:
    """Necessary conditions of *pattern*: one clause per literal condition of each required token."""
    out: list[Clause] = []
    for spec in pattern:
        if spec.op not in ("1", "+") or spec.any:
            continue
        out += _spec_clauses(spec)
    return list(dict.fromkeys(out))


def _spec_clauses(spec: TokenSpec) -> list[Clause]:
    """The clauses of one required token (the order :func:`clauses` gives them; not deduplicated)."""
    out: list[Clause] = []
    if spec.word is not None:
        out.append(("w", frozenset(spec.word)))
    if spec.lemma is not None:
        out.append(("lemma", frozenset(spec.lemma)))
    if spec.norm is not None:
        out.append(("norm", frozenset(spec.norm)))
    if spec.s is not None:
        out.append(("s", frozenset(spec.s)))
    if spec.pos is not None:
        out.append(("pos1", frozenset(p.split(",")[0] for p in spec.pos)))
    if spec.re is not None:
        out.append(("re", frozenset([spec.re])))
    return out


def _value_cost(fld: str, v: str) -> int:
    """How often a value is expected in a message (rough): parts of speech and one- or two-kana function
    words are everywhere; longer words and kanji are rare."""
    if fld == "pos1":
        return 200
    if _KANA.fullmatch(v):
        return 30 if len(v) == 1 else 6 if len(v) == 2 else 2
    if len(v) == 1 and not ("\u4e00" <= v <= "\u9fff"):
        return 30  # punctuation, a symbol, a digit or a letter
    return 1


def clause_cost(c: Clause) -> int:
    fld, vals = c
    if fld == "re":
        return 10_000  # not indexable: checked on the message, never a key
    return sum(_value_cost(fld, v) for v in vals)


def anchor(pattern: Sequence[TokenSpec]) -> tuple[str, frozenset[str], int, int] | None:
    """Where the pattern can start, from its most selective required token (``engine._pattern_anchor``).

    (field, values, lo, hi): a match starts between ``hi`` and ``lo`` tokens before a token whose *field*
    is in *values*; None when no required token can anchor the pattern."""
    lo = hi = 0
    fallback: tuple[str, frozenset[str], int, int] | None = None
    for spec in pattern:
        required = spec.op in ("1", "+") and not spec.any
        if required and spec.word is not None:
            return "w", frozenset(spec.word), lo, hi
        if required:
            for fld in ("lemma", "norm", "s"):
                vals = getattr(spec, fld)
                if vals is not None:
                    return fld, frozenset(vals), lo, hi
            if fallback is None and spec.pos is not None:
                fallback = ("pos1", frozenset(p.split(",")[0] for p in spec.pos), lo, hi)
            if fallback is None and spec.re is not None:
                fallback = ("re", frozenset([spec.re]), lo, hi)
        lo += 1 if spec.op in ("1", "+") else 0
        hi += (4 if spec.word is not None else 1) if spec.op in ("1", "?") else spec.max
    return fallback


def _re_test(src: str) -> ReTest:
    """A necessary condition of 'the regex fully matches some surface of the message', as (test, on_text).

    An anchored regex (anchors, boundaries, lookarounds, flags) is tried on the distinct surfaces: ``test`` is
    asked the analysis. Any other is searched in the text with its leading and trailing ``.*`` taken off (what
    matches a whole surface matches a piece of the text, and so does its core): ``test`` is the regex's
    ``search``, asked the text (``on_text``; the prefilter calls it straight, without a Python frame)."""
    rx = re.compile(src)
    if ANCHORED_RX.search(src):
        full = rx.fullmatch
        return (lambda a: any(full(t.surface) is not None for t in a.tokens)), False
    core = src
    while core.startswith(".*") and not core.startswith(".*?"):
        core = core[2:]
    while core.endswith(".*") and not core.endswith("\\.*"):
        core = core[:-2]
    try:
        search = re.compile(core).search if core and not re.compile(core).fullmatch("") else rx.search
    except re.error:
        search = rx.search
    return search, True


# ---------------------------------------------------------------- compiled patterns and rules


@dataclass(slots=True, eq=False)
class CPattern:
    pattern: Sequence[TokenSpec]
    simple: bool  # plain tokens only: ``first`` is the one way it can match
    first: First  # (tokens, i, limit) -> the greedy end, or -1
    ends: Ends  # (tokens, i, limit) -> every end, in order
    head: Head | None  # the first token's test, when the first token is required
    anchor: tuple[str, frozenset[str], int, int] | None
    offsets: tuple[int, ...]  # range(lo, hi + 1) of the anchor
    anchor_rx: re.Pattern[str] | None  # the anchor's surface regex, when it is one
    head_free: bool  # every anchored start passes the head test (it tests the anchor's values only)
    mask: int = 0  # the clause bits that must all hold in the message
    length: int = 0


def _compile_pattern(pattern: Sequence[TokenSpec], env: _Env) -> CPattern:
    """The pattern's compiled form. Its functions are generated on first use: a process that checks one
    message (the CLI) pays for the few dozen patterns that message wakes, not for all of them (~0.2 s)."""
    simple = _is_simple(pattern)
    anc = anchor(pattern)
    offsets = tuple(range(anc[2], anc[3] + 1)) if anc is not None else ()
    anchor_rx = re.compile(next(iter(anc[1]))) if anc is not None and anc[0] == "re" else None
    has_head = pattern[0].op in ("1", "+")
    head_free = not has_head or (anc is not None and anc[2] == anc[3] == 0 and _tests_only(pattern[0], anc))
    cp = CPattern(pattern, simple, _unset, _unset, None, anc, offsets, anchor_rx, head_free, length=len(pattern))
    if _speedups is not None:  # the C matcher: the same ends as the generated functions below, in the same order
        m = _speedups.Matcher(pattern_steps(pattern))
        cp.first, cp.ends = m, m.ends

    def make_ends() -> Any:
        return _define(_gen_ends(pattern, env), env, "_g")

    def make_first() -> Any:
        lines = _gen_first(pattern, env) if simple else _gen_ends(pattern, env, first=True)
        return _define(lines, env, "_f" if simple else "_g")

    def make_head() -> Any:
        return _define(["def _h(t):", f"    return {spec_expr(pattern[0], env)}"], env, "_h")

    if _speedups is None:
        cp.ends = _on_first_use(cp, "ends", make_ends)
        cp.first = _on_first_use(cp, "first", make_first)
    if has_head:
        cp.head = _on_first_use(cp, "head", make_head)
    return cp


def reference_functions(pattern: Sequence[TokenSpec]) -> tuple[First, Ends]:
    """The generated Python ``first`` and ``ends`` of *pattern*: what the product runs without the C matcher, and
    the reference ``_speedups.Matcher`` must equal (``tests/text/test_speedups.py``)."""
    env = _Env()
    simple = _is_simple(pattern)
    first = _define(
        _gen_first(pattern, env) if simple else _gen_ends(pattern, env, first=True), env, "_f" if simple else "_g"
    )
    return first, _define(_gen_ends(pattern, env), env, "_g")


def _unset(*args: Any) -> Any:
    raise AssertionError("replaced in _compile_pattern")


def _on_first_use(cp: CPattern, attr: str, make: Callable[[], Any]) -> Any:
    """A stand-in for ``cp.<attr>`` that generates the function on its first call and puts it in its place."""

    def stub(*args: Any) -> Any:
        fn = getattr(cp, attr)
        if fn is stub:
            fn = make()
            setattr(cp, attr, fn)
        return fn(*args)

    return stub


def _tests_only(spec: TokenSpec, anc: tuple[str, frozenset[str], int, int]) -> bool:
    """Whether *spec*'s one condition is the anchor's (a token at an anchored position passes it)."""
    fld, vals = anc[0], anc[1]
    conds = {
        "s": spec.s,
        "lemma": spec.lemma,
        "norm": spec.norm,
        "w": spec.word,
        "pos": spec.pos,
        "cform": spec.cform,
        "ctype": spec.ctype,
        "re": spec.re,
        "not": spec.not_,
    }
    present = [k for k, v in conds.items() if v is not None]
    if fld == "w":
        return present == ["w"]  # the word itself is tested by the matcher, not by the head
    return present == [fld] and frozenset(conds[fld] or ()) == vals


Accept = Callable[[Sequence[Token], int, int], bool]


def _scope_test(names: Sequence[str], env: _Env, *, every: bool) -> Accept | None:
    """(tokens, i, end) -> whether some matched token is in one of *names* (or, with *every*, whether every
    matched token is in all of them)."""
    if not names:
        return None
    if every:
        cond = " and ".join(f"t.{n}" for n in names)
        body = [f"        if not ({cond}):", "            return False", "    return True"]
    else:
        cond = " or ".join(f"t.{n}" for n in names)
        body = [f"        if {cond}:", "            return True", "    return False"]
    lines = ["def _s(tokens, i, end):", "    for k in range(i, end):", "        t = tokens[k]", *body]
    return _define(lines, env, "_s")  # type: ignore[no-any-return]


@dataclass(slots=True, eq=False)
class CRule:
    rule: Rule
    patterns: tuple[CPattern, ...]
    excluded: Accept | None  # some matched token is in an excluded scope
    required: Accept | None  # every matched token is in every required scope
    not_before: tuple[CPattern, ...]
    not_after: tuple[CPattern, ...]
    sentence_requires: tuple[CPattern, ...]
    sentence_forbids: tuple[CPattern, ...]
    message_forbids: tuple[CPattern, ...]
    checks: tuple[Callable[[Analysis, int, int], bool], ...]
    first_only: bool
    text: bool  # regex or text pieces
    may_match: Callable[[str], bool]  # whether a regex or text piece occurs in the text at all


_UNSAFE_IN_ALTERNATION = re.compile(r"\\[0-9]|\(\?(?!:)")  # backreferences, named groups, flags, lookarounds


def _text_test(rule: Rule) -> Callable[[str], bool]:
    """Whether one of the rule's regexes finds something in a text, or one of its pieces occurs there.

    The regexes are searched as one alternation when that is the same question (no backreference, group
    name, flag or lookaround whose meaning would change); the pieces with ``in``."""
    searches: list[Callable[[str], re.Match[str] | None]] = []
    pieces = tuple(rule.text)

    def may_match(text: str) -> bool:
        if rule.regex and not searches:  # compiled on first use
            if not any(_UNSAFE_IN_ALTERNATION.search(r) for r in rule.regex):
                searches.append(re.compile("|".join(f"(?:{r})" for r in rule.regex)).search)
            else:
                searches.extend(rx.search for rx in rule.compiled_regex)
        for search in searches:
            if search(text) is not None:
                return True
        return any(p in text for p in pieces)

    return may_match


@dataclass(slots=True, eq=False)
class Entry:
    ri: int
    pi: int
    mask: int
    # where the pattern can start relative to a token holding its key value (the key's token may sit
    # lo..hi tokens after the start): the key's positions shifted right by each offset
    offsets: tuple[int, ...] = (0,)


@dataclass(slots=True, eq=False)
class RuleSet:
    rules: tuple[Rule, ...]
    crules: tuple[CRule, ...]
    # field -> value -> (the bits of the clauses the value satisfies, the patterns keyed on the value)
    values: dict[str, dict[str, tuple[int, tuple[Entry, ...]]]]
    re_tests: tuple[tuple[int, Callable[[Any], Any], bool], ...]  # (bit, test, on_text): see _re_test
    always: tuple[Entry, ...]  # patterns without an indexable clause
    text_rules: tuple[int, ...]
    has_words: bool
    env: _Env = field(repr=False, default_factory=_Env)
    firsts: tuple[tuple[First, ...], ...] = ()  # rule number -> its patterns' ``first``


def compile_rules(rules: tuple[Rule, ...]) -> RuleSet:
    env = _Env()
    memo: dict[int, tuple[Sequence[TokenSpec], CPattern]] = {}
    cl_of: dict[int, list[Clause]] = {}  # by id of a compiled pattern (they live as long as this call)
    bits: dict[Clause, int] = {}

    def cp_of(p: Sequence[TokenSpec]) -> CPattern:
        hit = memo.get(id(p))
        if hit is None or hit[0] is not p:
            cp = _compile_pattern(p, env)
            cl = clauses(p)
            cl_of[id(cp)] = cl
            for c in cl:
                cp.mask |= 1 << bits.setdefault(c, len(bits))
            hit = (p, cp)
            memo[id(p)] = hit
        return hit[1]

    crules: list[CRule] = []
    scope_tests: dict[tuple[tuple[str, ...], bool], Accept | None] = {}

    def scopes(names: Sequence[str], every: bool) -> Accept | None:
        key = (tuple(n for n in _SCOPES if n in names), every)
        if key not in scope_tests:
            scope_tests[key] = _scope_test(key[0], env, every=every)
        return scope_tests[key]

    for rule in rules:
        crules.append(
            CRule(
                rule,
                tuple(cp_of(p) for p in rule.patterns),
                scopes(rule.exclude_scopes, False),
                scopes(rule.require_scopes, True),
                tuple(cp_of(p) for p in rule.not_before),
                tuple(cp_of(p) for p in rule.not_after),
                tuple(cp_of(p) for p in rule.sentence_requires),
                tuple(cp_of(p) for p in rule.sentence_forbids),
                tuple(cp_of(p) for p in rule.message_forbids),
                tuple(rule.bound_checks),
                rule.ends == "first",
                bool(rule.regex or rule.text),
                _text_test(rule),
            )
        )
    keyed: dict[str, dict[str, list[Entry]]] = {}
    always: list[Entry] = []
    for ri, cr in enumerate(crules):
        for pi, cp in enumerate(cr.patterns):
            cl = cl_of[id(cp)]
            entry = Entry(ri, pi, cp.mask)
            indexable = [c for c in cl if c[0] != "re"]
            if not indexable:
                always.append(entry)
                continue
            key = min(indexable, key=clause_cost)
            entry.offsets = _key_offsets(cp.pattern, key)
            for v in key[1]:
                keyed.setdefault(key[0], {}).setdefault(v, []).append(entry)
    values: dict[str, dict[str, tuple[int, tuple[Entry, ...]]]] = {}
    masks: dict[str, dict[str, int]] = {}
    re_tests = []
    for (fld, vals), b in bits.items():
        if fld == "re":
            (src,) = vals
            re_tests.append((1 << b, *_re_test(src)))
            continue
        for v in vals:
            masks.setdefault(fld, {})[v] = masks.get(fld, {}).get(v, 0) | (1 << b)
    for fld, table in masks.items():
        ks = keyed.get(fld, {})
        values[fld] = {v: (m, tuple(ks.get(v, ()))) for v, m in table.items()}
    text_rules = tuple(ri for ri, rule in enumerate(rules) if rule.regex or rule.text)
    firsts = tuple(tuple(cp.first for cp in cr.patterns) for cr in crules)
    return RuleSet(rules, tuple(crules), values, tuple(re_tests), tuple(always), text_rules, "w" in values, env, firsts)


def _key_offsets(pattern: Sequence[TokenSpec], key: Clause) -> tuple[int, ...]:
    """How many tokens after a match's start the first required token with the *key* clause can be
    (as :func:`anchor` counts them: a word may be four morphemes, a quantifier up to its max)."""
    lo = hi = 0
    for spec in pattern:
        if spec.op in ("1", "+") and not spec.any and key in _spec_clauses(spec):
            return tuple(range(lo, hi + 1))
        lo += 1 if spec.op in ("1", "+") else 0
        hi += (4 if spec.word is not None else 1) if spec.op in ("1", "?") else spec.max
    raise AssertionError("a key clause belongs to a required token")


_SETS: dict[int, RuleSet] = {}


def rule_set(rules: tuple[Rule, ...]) -> RuleSet:
    """The compiled form of *rules* (built once per rule set)."""
    rs = _SETS.get(id(rules))
    if rs is None or rs.rules is not rules:
        rs = compile_rules(rules)
        if len(_SETS) >= 32:  # rule sets made on the fly (tests, kb check) are not kept for ever
            _SETS.clear()
        _SETS[id(rules)] = rs
    return rs
