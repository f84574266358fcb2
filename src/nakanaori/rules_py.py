"""Plain-Python escape hatches for what a morpheme pattern cannot say.

Each check receives the analysis and the matched token range and returns True to keep the match.
Rules name them with ``check: NAME``; the loader rejects unknown names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .text.analysis import Analysis

Check = Callable[["Analysis", int, int], bool]


def _sentence_final(analysis: Analysis, start: int, end: int) -> bool:
    """The match ends its sentence (only punctuation, particles ね/よ, emoji or laughter may follow)."""
    tokens = analysis.tokens
    sent = tokens[start].sent
    for t in tokens[end:]:
        if t.sent != sent:
            break
        if t.pos_str.startswith(("補助記号", "空白", "記号")) or t.pos_str.startswith("助詞,終助詞"):
            continue
        return False
    return True


def _not_question(analysis: Analysis, start: int, end: int) -> bool:
    """The sentence of the match is not a question."""
    tokens = analysis.tokens
    sent = tokens[start].sent
    s = analysis.sentences[sent]
    tail = analysis.text[s.begin : s.end]
    return "?" not in tail and not any(t.surface == "か" and t.pos_str.startswith("助詞,終助詞") for t in tokens[s.start_token:s.end_token])


CHECKS: dict[str, Check] = {
    "sentence_final": _sentence_final,
    "not_question": _not_question,
}
