"""``advise``: read a free-text situation (relationship, stage, facts) and advise on it.

| module | holds |
|---|---|
| ``advisor`` | :func:`advise` and :class:`Advice`: guidance, channel, timing, templates |
| ``situation`` | the situation reader (``knowledge/situations.yaml``) |
| ``guidance`` | the guidance schema (``knowledge/guidance.yaml``) |
| ``templates`` | the message templates (``knowledge/templates/*.yaml``) |
| ``eval`` | relationship / stage accuracy on labelled situations |
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._callable import make_callable

if TYPE_CHECKING:
    from .advisor import Advice, advise
    from .situation import Situation, read_situation

__all__ = ["Advice", "Situation", "advise", "read_situation"]


def __getattr__(name: str) -> Any:  # lazy: importing the package does not import Sudachi
    if name in ("advise", "Advice"):
        from . import advisor

        return getattr(advisor, name)
    if name in ("read_situation", "Situation"):
        from . import situation

        return getattr(situation, name)
    raise AttributeError(name)


make_callable(__name__, "advise")  # ``nakanaori.advise(...)`` calls :func:`advise`
