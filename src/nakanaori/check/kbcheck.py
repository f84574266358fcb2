"""Validate the knowledge base: load it (schema errors name file and rule) and run every rule on
its own examples — a rule that does not fire on its ``match`` examples can never match."""

from __future__ import annotations

from ..knowledge.loader import KnowledgeError
from ..text.analysis import analyze
from .engine import run_rule
from .notes import load_message_checks
from .rules import load_rules


def verify_knowledge_base() -> tuple[list[str], dict[str, int]]:
    problems: list[str] = []
    stats = {"rules": 0, "examples": 0}
    try:
        rules = load_rules()
        load_message_checks()
    except KnowledgeError as exc:
        return [str(exc)], stats
    stats["rules"] = len(rules)
    for rule in rules:
        if not rule.examples.match or not rule.examples.no_match:
            problems.append(f"{rule.id}: needs both match (NG/hit) and no_match (OK) examples")
        for text in rule.examples.match:
            stats["examples"] += 1
            if not run_rule(rule, analyze(text)):
                problems.append(f"{rule.id}: does not fire on its own example {text!r}")
        for text in rule.examples.no_match:
            stats["examples"] += 1
            if run_rule(rule, analyze(text)):
                problems.append(f"{rule.id}: fires on its own OK example {text!r}")
    return problems, stats
