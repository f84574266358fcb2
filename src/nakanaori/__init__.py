"""nakanaori (仲直り): what to say and do after an apology — check, advise, compose, plan.

The Python API is four pure functions, each returning a pydantic model::

    from nakanaori import advise, check, compose, plan

Each name is the capability's package (``nakanaori.check`` holds the analyser …), and calling the package
calls its function: ``check("ごめんね")`` is ``nakanaori.check.checker.check("ごめんね")``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = [
    "Advice",
    "CheckReport",
    "Composition",
    "Finding",
    "InputError",
    "Plan",
    "advise",
    "analyze",
    "check",
    "compose",
    "plan",
    "to_ics",
]

if TYPE_CHECKING:
    from .advise.advisor import Advice
    from .check.checker import CheckReport
    from .check.findings import Finding
    from .compose.composer import Composition
    from .errors import InputError
    from .plan.ics import to_ics
    from .plan.planner import Plan
    from .text.analysis import analyze

_LAZY = {
    "CheckReport": "check.checker",
    "Finding": "check.findings",
    "Advice": "advise.advisor",
    "Composition": "compose.composer",
    "Plan": "plan.planner",
    "to_ics": "plan.ics",
    "analyze": "text.analysis",
    "InputError": "errors",
}


def __getattr__(name: str) -> Any:  # lazy: importing the package does not load Sudachi
    if name in ("check", "advise", "compose", "plan"):
        return importlib.import_module(f"{__name__}.{name}")  # a callable package (see _callable.py)
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
