"""Run rules on their own examples: a rule that does not fire on its ``match`` examples can never match,
one that fires on a ``no_match`` example is the false positive it was written to avoid."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ..knowledge.loader import KnowledgeError
from ..text.analysis import Analysis, analyze
from .engine import RawMatch, run_rule, span_tokens
from .notes import load_message_checks
from .register import detect_register
from .rules import Examples, MatchExample, PatternRule, Rule, load_rules


class _WithExamples(Protocol):
    id: str
    examples: Examples


def verify_examples(rules: Iterable[PatternRule], stats: dict[str, int], *, require: bool = True) -> list[str]:
    """Problems of *rules* on their own examples (``require``: each needs both kinds)."""
    problems: list[str] = []
    for rule in rules:
        r: _WithExamples = rule  # type: ignore[assignment]
        if require and (not r.examples.match or not r.examples.no_match):
            problems.append(f"{r.id}: needs both match (NG/hit) and no_match (OK) examples")
        for ex in r.examples.match:
            stats["examples"] += 1
            problems += verify_match(rule, ex)
        for text in r.examples.no_match:
            stats["examples"] += 1
            if run_rule(rule, analyze(text)):
                problems.append(f"{r.id}: fires on its own OK example {text!r}")
    return problems


def highlighted(rule: PatternRule, analysis: Analysis, m: RawMatch) -> str:
    """The text a match highlights, as the user wrote it (a label rule's ``span``: match, clause or
    sentence; otherwise the matched morphemes)."""
    lo, hi = span_tokens(rule, analysis, m) if isinstance(rule, Rule) else (m.start, m.end)
    start, end = analysis.normalized.to_original(analysis.tokens[lo].begin, analysis.tokens[hi - 1].end)
    return analysis.normalized.original[start:end]


def verify_match(rule: PatternRule, ex: MatchExample) -> list[str]:
    """Problems of *rule* on one ``match`` example: it must fire, and where a span or a suggestion is
    given, one of its matches must highlight that span and the rule must suggest that wording there."""
    rid = getattr(rule, "id", "?")
    analysis = analyze(ex.text)
    matches = run_rule(rule, analysis)
    if not matches:
        return [f"{rid}: does not fire on its own example {ex.text!r}"]
    problems: list[str] = []
    spans = [highlighted(rule, analysis, m) for m in matches]
    if ex.span is not None and ex.span not in spans:
        problems.append(f"{rid}: on {ex.text!r} highlights {spans}, not {ex.span!r}")
    if ex.suggestion is not None:
        register, _ = detect_register(analysis)
        got = rule.suggestion_for(register) if isinstance(rule, Rule) else None
        if got != ex.suggestion:
            problems.append(f"{rid}: on {ex.text!r} suggests {got!r}, not {ex.suggestion!r}")
    return problems


def verify_knowledge_base() -> tuple[list[str], dict[str, int]]:
    """The label rules and message checks: loaded, and every rule run on its own examples."""
    stats = {"rules": 0, "examples": 0}
    try:
        rules = load_rules()
        load_message_checks()
    except KnowledgeError as exc:
        return [str(exc)], stats
    stats["rules"] = len(rules)
    return verify_examples(rules, stats), stats
