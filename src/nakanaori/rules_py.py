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


def _laugh_mark(analysis: Analysis, start: int, end: int) -> bool:
    """笑 / w / 草 used as a laugh mark: at the end of a clause or sentence, or inside (笑), not a word part.

    「笑」 inside 「笑える」「笑顔」 is another morpheme already; here we only reject a laugh-like noun that
    is followed by a particle (「草を刈る」「wを入力」), which makes it an ordinary word.
    """
    tokens = analysis.tokens
    t = tokens[start]
    nxt = tokens[end] if end < len(tokens) else None
    if nxt is not None and nxt.sent == t.sent and nxt.pos_str.startswith("助詞") and nxt.surface not in ("って", "て"):
        return False
    if t.surface == "草":  # only as a sentence-final laugh: 「それは草」
        return _sentence_final(analysis, start, end)
    return True


_OTHER_PEOPLE = {"あなた", "貴方", "君", "きみ", "お前", "御前", "あんた", "そっち", "そちら", "其方"}


def _sender_circumstance(analysis: Analysis, start: int, end: int) -> bool:
    """The circumstance is the sender's: not causative (疲れさせた is the other's state, empathy),
    not a state of the other person named as the clause's subject."""
    tokens = analysis.tokens
    head = tokens[start]
    for t in tokens[start + 1 : min(end + 2, len(tokens))]:
        if t.sent != head.sent:
            break
        if t.lemma in ("せる", "させる"):
            return False
    clause = head.clause
    for t in tokens[max(0, start - 8) : start]:
        if t.clause == clause and t.lemma in _OTHER_PEOPLE:
            return False
    return True


CHECKS: dict[str, Check] = {
    "sender_circumstance": _sender_circumstance,
    "laugh_mark": _laugh_mark,
    "sentence_final": _sentence_final,
    "not_question": _not_question,
}
