"""The native path of the learned model: ``_native.c`` (built from source by ``pip install -e .``).

One call per message computes the feature codes and the calibrated probabilities that
:func:`~.features.codes` and :meth:`~.model.Model.score_codes` compute with numpy (the readable
reference, and the fallback: when the extension is missing, the product logs one line and runs numpy;
the test suite fails instead, so that a broken build cannot hide).
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType

from ...text.tokens import Token
from .features import native_constants, native_row_spec, token_row

log = logging.getLogger("nakanaori.model")


def _load() -> ModuleType | None:
    try:
        _native = importlib.import_module(f"{__package__}._native")
    except ImportError as e:  # pragma: no cover - the suite requires the module (tests/check/test_native.py)
        log.warning("the learned model's native extension is not built (%s); using numpy (slower)", e)
        return None
    _native.configure(native_constants())
    _native.configure_tokens(Token, token_row)
    _native.configure_rows(*native_row_spec())  # a new token's row in C, not token_row (the same bytes)
    return _native


native: ModuleType | None = _load()
