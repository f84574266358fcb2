"""``check``: the draft analyser — rules over one shared :class:`~nakanaori.text.analysis.Analysis`.

| module | holds |
|---|---|
| ``checker`` | :func:`check` and :class:`CheckReport` (findings, notes, score, next edits) |
| ``findings`` | the one diagnostic type :class:`Finding`, and :class:`Note` |
| ``rules`` | the rule schema (``knowledge/rules/*.yaml``) and its loader |
| ``engine`` | the generic matcher: morpheme patterns, scopes, one dispatch pass |
| ``predicates`` | the plain-Python escape hatches rules name with ``check:`` |
| ``register`` | casual / polite / honorific from morphemes |
| ``notes`` | whole-message judgements and the score (``knowledge/message_checks.yaml``) |
| ``kbcheck`` | every rule run on its own examples |
| ``eval`` | per-label P/R/F1 on labelled messages |
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._callable import make_callable

if TYPE_CHECKING:
    from .checker import CheckReport, check
    from .findings import Finding, Note

__all__ = ["CheckReport", "Finding", "Note", "check"]


def __getattr__(name: str) -> Any:  # lazy: importing the package does not import Sudachi
    if name in ("check", "CheckReport"):
        from . import checker

        return getattr(checker, name)
    if name in ("Finding", "Note"):
        from . import findings

        return getattr(findings, name)
    raise AttributeError(name)


make_callable(__name__, "check")  # ``nakanaori.check(...)`` calls :func:`check`
