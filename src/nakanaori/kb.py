"""The knowledge base as a whole (``nakanaori kb check``): load every knowledge file with its own
schema, and run every rule and every situation cue on its own examples.

Each capability owns the schema of its files; this module only lists them, so it sits above the
capabilities (like the command line), and ``knowledge/`` itself imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable

from .knowledge.loader import KNOWLEDGE_DIR, KnowledgeError


def _loaders() -> list[tuple[str, Callable[[], object]]]:
    from .advise.cues import SITUATIONS_FILE, load_situation_lexicon_from
    from .advise.guidance import GUIDANCE_FILE, load_guidance_from
    from .advise.templates import TEMPLATES_DIR, load_templates_from
    from .check.learned.combine import MODEL_FINDINGS, load_model_texts_from
    from .check.notes import MESSAGE_CHECKS_FILE, load_message_checks_from
    from .check.rules import RULES_DIR, load_rules_from
    from .compose.phrases import PHRASES_FILE, load_phrases_from
    from .plan.rules import PLAN_FILE, load_plan_rules_from
    from .text.lexicon import LEXICON_FILE, load_lexicon_from

    return [
        ("rules/", lambda: load_rules_from(RULES_DIR)),
        (MESSAGE_CHECKS_FILE.name, lambda: load_message_checks_from(MESSAGE_CHECKS_FILE)),
        (MODEL_FINDINGS.name, lambda: load_model_texts_from(MODEL_FINDINGS)),
        (LEXICON_FILE.name, lambda: load_lexicon_from(LEXICON_FILE)),
        (SITUATIONS_FILE.name, lambda: load_situation_lexicon_from(SITUATIONS_FILE)),
        (GUIDANCE_FILE.name, lambda: load_guidance_from(GUIDANCE_FILE)),
        ("templates/", lambda: load_templates_from(TEMPLATES_DIR)),
        (PHRASES_FILE.name, lambda: load_phrases_from(PHRASES_FILE)),
        (PLAN_FILE.name, lambda: load_plan_rules_from(PLAN_FILE)),
    ]


def knowledge_files() -> list[str]:
    """Every file of the knowledge base, relative to ``knowledge/``."""
    return sorted(str(p.relative_to(KNOWLEDGE_DIR)) for p in KNOWLEDGE_DIR.rglob("*.yaml"))


def verify_knowledge_base() -> tuple[list[str], dict[str, int]]:
    """Problems (empty when all is well) and counts: files, rules, cues, examples."""
    from .advise.cues import SITUATIONS_FILE, load_situation_lexicon_from
    from .check.kbcheck import verify_examples
    from .check.rules import RULES_DIR, load_rules_from

    problems: list[str] = []
    stats = {"files": len(knowledge_files()), "rules": 0, "cues": 0, "examples": 0}
    for _name, load in _loaders():
        try:
            load()
        except KnowledgeError as exc:
            problems.append(str(exc))
    if problems:
        return problems, stats
    rules = load_rules_from(RULES_DIR)
    stats["rules"] = len(rules)
    problems += verify_examples(rules, stats)
    lex = load_situation_lexicon_from(SITUATIONS_FILE)
    cues = (*lex.stage_rules, *lex.forgiven_rules)
    stats["cues"] = len(cues)
    # cues carry examples where the situation sets gave one; those they have must hold
    problems += verify_examples(cues, stats, require=False)
    return problems, stats
