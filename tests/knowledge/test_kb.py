"""`nakanaori kb check` loads every knowledge file, and every file fails in the one error format."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from nakanaori.advise.cues import load_situation_lexicon_from
from nakanaori.advise.guidance import load_guidance_from
from nakanaori.check.learned.combine import load_model_texts_from
from nakanaori.check.notes import load_message_checks_from
from nakanaori.compose.phrases import load_phrases_from
from nakanaori.kb import knowledge_files, verify_knowledge_base
from nakanaori.knowledge.loader import KNOWLEDGE_DIR, KnowledgeError
from nakanaori.plan.rules import load_plan_rules_from
from nakanaori.text.lexicon import load_lexicon_from

SINGLE_FILES: dict[str, Callable[[Path], object]] = {
    "message_checks.yaml": load_message_checks_from,
    "lexicon.yaml": load_lexicon_from,
    "situations.yaml": load_situation_lexicon_from,
    "guidance.yaml": load_guidance_from,
    "compose.yaml": load_phrases_from,
    "plan.yaml": load_plan_rules_from,
    "model_findings.yaml": load_model_texts_from,
}
DIRECTORIES = {"rules", "templates"}


def test_the_packaged_knowledge_base_is_clean() -> None:
    problems, stats = verify_knowledge_base()
    assert problems == []
    assert stats["files"] == len(knowledge_files())
    assert stats["rules"] >= 40 and stats["cues"] >= 300 and stats["examples"] >= 1000


def test_every_knowledge_file_has_a_loader() -> None:
    for name in knowledge_files():
        first = name.split("/", 1)[0]
        assert name in SINGLE_FILES or first in DIRECTORIES, f"{name}: no loader checks this file"


@pytest.mark.parametrize("name", sorted(SINGLE_FILES))
def test_every_file_fails_in_the_one_format(tmp_path: Path, name: str) -> None:
    data = yaml.safe_load((KNOWLEDGE_DIR / name).read_text(encoding="utf-8"))
    data["an_unknown_key"] = 1
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as exc:
        SINGLE_FILES[name](path)
    lines = str(exc.value).splitlines()
    assert re.fullmatch(rf"{re.escape(name)}: invalid [a-z ]+", lines[0]), lines[0]
    assert any(line.startswith(f"  {name}: at an_unknown_key: ") for line in lines[1:]), lines


@pytest.mark.parametrize("name", sorted(SINGLE_FILES))
def test_broken_yaml_names_the_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("key: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=rf"^{re.escape(name)}: YAML error"):
        SINGLE_FILES[name](path)
