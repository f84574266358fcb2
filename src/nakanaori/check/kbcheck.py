"""Run rules on their own examples: a rule that does not fire on its ``match`` examples can never match,
one that fires on a ``no_match`` example is the false positive it was written to avoid."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ..knowledge.loader import KnowledgeError
from ..text.analysis import analyze
from .engine import run_rule
from .notes import load_message_checks
from .rules import Examples, PatternRule, load_rules


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
        for text in r.examples.match:
            stats["examples"] += 1
            if not run_rule(rule, analyze(text)):
                problems.append(f"{r.id}: does not fire on its own example {text!r}")
        for text in r.examples.no_match:
            stats["examples"] += 1
            if run_rule(rule, analyze(text)):
                problems.append(f"{r.id}: fires on its own OK example {text!r}")
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
