"""Capability packages that can be called like their function: ``nakanaori.check(text)``.

``from nakanaori import check, advise, compose, plan`` gives the four packages of the same names, and
calling one calls its function (``check.checker.check`` …), so the Python API reads as four functions
while every module stays importable the usual ways (``import nakanaori.check.engine``). This is the
module ``__class__`` assignment the Python reference documents for customising module attributes.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class CallableModule(types.ModuleType):
    """A package whose call is delegated to ``__call_target__`` (an attribute resolved lazily)."""

    __call_target__: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, self.__call_target__)(*args, **kwargs)


def make_callable(module_name: str, target: str) -> None:
    """Make the (already imported) module *module_name* callable as its attribute *target*."""
    module = sys.modules[module_name]
    module.__class__ = CallableModule
    module.__call_target__ = target  # type: ignore[attr-defined]
