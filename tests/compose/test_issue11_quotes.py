"""Every output quoted in issue 11 §3 reads correctly now (``scripts/issue11_quotes.py`` prints them for the
closing note): the quote is in no variant, every variant passes the guard, the fact is used, the serious act
has no ちゃう and the in-law's くださる is kept."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "issue11_quotes.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("issue11_quotes", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


quotes = _load()


@pytest.mark.parametrize("q", quotes.QUOTES, ids=lambda q: f"{q.quoted}-{q.register}")
def test_quote_reads_correctly_now(q: object) -> None:
    assert quotes.problems(q, quotes.run(q)) == []


def test_the_check_finds_a_quote_that_is_back() -> None:
    """What the check is for: a variant with the quoted join, or without the fact, is reported."""
    q = next(x for x in quotes.QUOTES if x.quoted == "浮気しちゃって、ごめん")
    c = quotes.run(q)
    broken = c.model_copy(
        update={"variants": [v.model_copy(update={"text": "浮気しちゃって、ごめん。"}) for v in c.variants]}
    )
    found = quotes.problems(q, broken)
    assert any("the quote is back" in p for p in found)
    assert any("broken join" in p for p in found)
    assert any("ちゃっ in" in p for p in found)
    assert any("is in no variant" in p for p in found)
