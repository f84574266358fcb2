"""The documentation names what the code offers: every predicate and every scope is in docs/rules.md."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from nakanaori.advise.predicates import CUE_CHECKS
from nakanaori.check.predicates import CHECKS
from nakanaori.check.rules import Scope

RULES_MD = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text(encoding="utf-8")


def test_rules_md_names_every_predicate() -> None:
    missing = [name for name in sorted({*CHECKS, *CUE_CHECKS}) if f"`{name}`" not in RULES_MD]
    assert missing == []


def test_rules_md_names_every_scope() -> None:
    missing = [scope for scope in get_args(Scope) if f"`{scope}`" not in RULES_MD]
    assert missing == []


def test_rules_md_names_no_removed_predicate() -> None:
    assert "not_question" not in RULES_MD and "rules_py" not in RULES_MD
