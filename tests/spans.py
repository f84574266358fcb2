"""Test helper: the token range of a piece of an analysed text."""

from __future__ import annotations

from nakanaori.text.analysis import Analysis


def tokens_of(analysis: Analysis, piece: str) -> tuple[int, int]:
    """Token range [a, b) of the first occurrence of *piece*, which must start and end on morphemes."""
    begin = analysis.text.index(piece)
    end = begin + len(piece)
    starts = {t.begin: t.i for t in analysis.tokens}
    ends = {t.end: t.i + 1 for t in analysis.tokens}
    assert begin in starts and end in ends, f"{piece!r} is not whole morphemes of {analysis.text!r}"
    return starts[begin], ends[end]
