"""nakanaori (仲直り): what to say and do after an apology — check, advise, compose, plan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = [
    "Advice", "CheckReport", "Finding", "InputError", "Plan", "advise", "analyze", "check", "plan", "to_ics",
]

if TYPE_CHECKING:
    from .advisor import Advice, advise
    from .checker import CheckReport, Finding, check
    from .errors import InputError
    from .planner import Plan, plan, to_ics
    from .text.analysis import analyze


def __getattr__(name: str) -> Any:  # lazy: importing the package does not load Sudachi
    if name in ("check", "CheckReport", "Finding"):
        from . import checker as _check

        return getattr(_check, name)
    if name == "analyze":
        from .text.analysis import analyze

        return analyze
    if name in ("plan", "Plan", "to_ics"):
        from . import planner as _planner

        return getattr(_planner, name)
    if name in ("advise", "Advice"):
        from . import advisor as _advisor

        return getattr(_advisor, name)
    if name == "InputError":
        from .errors import InputError

        return InputError
    raise AttributeError(name)
