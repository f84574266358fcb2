"""Parse untrusted JSON bodies: UTF-8 only, bounded nesting, and never a ``RecursionError``.

``json.loads`` recurses once per ``[``/``{`` and raises ``RecursionError`` (not ``ValueError``) near
1,000 levels, and it quietly accepts UTF-16/32 bytes. Everything the HTTP API and the LINE webhook read
goes through :func:`loads`, which raises :class:`JsonBodyError` with a stable ``kind`` instead.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64  # the API's bodies are flat objects; LINE's webhook events nest about six deep

# a JSON string (escapes included), or one bracket outside strings
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class JsonBodyError(ValueError):
    """``kind`` is ``invalid_utf8``, ``json_too_deep`` or ``json_invalid``."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def nesting_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting of *text*, brackets inside strings not counted."""
    depth = deepest = 0
    for m in _TOKENS.finditer(text):
        tok = m.group()
        if tok in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif tok in "]}":
            depth -= 1
    return deepest


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise JsonBodyError("invalid_utf8") from None


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    text = decode(data) if isinstance(data, bytes) else data
    # no deeper than its number of opening brackets: a flat body skips the scan
    if text.count("[") + text.count("{") > max_depth and nesting_depth(text) > max_depth:
        raise JsonBodyError("json_too_deep")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # JSONDecodeError, over-long integers, …
        raise JsonBodyError("json_invalid") from None
