"""Load and validate the YAML knowledge base; errors name the file and the rule."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from .models import Rule, RuleFile
from .yamlio import KnowledgeError, load_directory, load_yaml

KNOWLEDGE_DIR = Path(__file__).parent
RULES_DIR = KNOWLEDGE_DIR / "rules"


def _format_validation(path: Path, data: object, exc: ValidationError) -> str:
    lines = [f"{path.name}: invalid knowledge base file"]
    for err in exc.errors():
        loc = list(err["loc"])
        where = ".".join(str(x) for x in loc)
        rule_id = ""
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(data, dict):
            try:
                rule_id = str(data["rules"][loc[1]].get("id", ""))
            except (KeyError, IndexError, AttributeError, TypeError):
                rule_id = ""
        prefix = f"rule {rule_id!r} " if rule_id else ""
        lines.append(f"  {path.name}: {prefix}at {where}: {err['msg']}")
    return "\n".join(lines)


def load_rule_file(path: Path) -> list[Rule]:
    try:
        data = load_yaml(path)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: YAML error: {exc}") from None
    try:
        parsed = RuleFile.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(_format_validation(path, data, exc)) from None
    return parsed.rules


def load_rules_from(directory: Path) -> tuple[Rule, ...]:
    return load_directory(directory, load_rule_file, "rule")


@lru_cache(maxsize=1)
def load_rules() -> tuple[Rule, ...]:
    """All label rules of the packaged knowledge base (cached)."""
    return load_rules_from(RULES_DIR)
