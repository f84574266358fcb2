"""``plan``: the dated follow-up timeline, the promises to keep, and its iCalendar export.

| module | holds |
|---|---|
| ``planner`` | :func:`plan` and :class:`Plan` |
| ``rules`` | the timeline schema (``knowledge/plan.yaml``) |
| ``ics`` | :func:`to_ics` (Asia/Tokyo, a VALARM per event) |
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._callable import make_callable

if TYPE_CHECKING:
    from .ics import to_ics
    from .planner import Plan, plan

__all__ = ["Plan", "plan", "to_ics"]


def __getattr__(name: str) -> Any:  # lazy
    if name in ("plan", "Plan"):
        from . import planner

        return getattr(planner, name)
    if name == "to_ics":
        from .ics import to_ics

        return to_ics
    raise AttributeError(name)


make_callable(__name__, "plan")  # ``nakanaori.plan(...)`` calls :func:`plan`
