"""``compose``: a follow-up message from the user's own facts, conjugated into the register it needs.

| module | holds |
|---|---|
| ``composer`` | :func:`compose` and :class:`Composition` (variants that pass ``check``) |
| ``conjugate`` | the user's phrases conjugated with Sudachi's conjugation type and form |
| ``phrases`` | the phrase bank schema (``knowledge/compose.yaml``) |
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._callable import make_callable

if TYPE_CHECKING:
    from .composer import Composition, compose

__all__ = ["Composition", "compose"]


def __getattr__(name: str) -> Any:  # lazy: importing the package does not import Sudachi
    if name in ("compose", "Composition"):
        from . import composer

        return getattr(composer, name)
    raise AttributeError(name)


make_callable(__name__, "compose")  # ``nakanaori.compose(...)`` calls :func:`compose`
