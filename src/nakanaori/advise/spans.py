"""Where words occur in the text of an :class:`~nakanaori.text.analysis.Analysis`, as token spans."""

from __future__ import annotations

from ..text.analysis import Analysis


class Spans:
    """Token spans of words found in the normalised text (built once per reading)."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.text = analysis.text
        self.starts = {t.begin: t.i for t in analysis.tokens}  # char offset -> token index
        self.ends = {t.end: t.i for t in analysis.tokens}

    def _cover(self, a: int, end: int) -> int:
        toks = self.analysis.tokens
        b = a
        while b < len(toks) and toks[b].begin < end:
            b += 1
        return b

    def aligned(self, word: str) -> list[tuple[int, int]]:
        """Spans where *word* starts on a morpheme boundary and ends on one (a word of two or more
        characters may end inside a morpheme)."""
        out = []
        start = self.text.find(word)
        while start >= 0:
            end = start + len(word)
            if start in self.starts and (end in self.ends or len(word) >= 2):
                out.append((self.starts[start], self._cover(self.starts[start], end)))
            start = self.text.find(word, start + 1)
        return out

    def starting(self, needle: str) -> list[tuple[int, int]]:
        """Spans where *needle* starts on a morpheme boundary (the end may fall anywhere)."""
        out: list[tuple[int, int]] = []
        start = self.text.find(needle)
        while start >= 0:
            if start in self.starts:
                out.append((self.starts[start], self._cover(self.starts[start], start + len(needle))))
            start = self.text.find(needle, start + 1)
        return out

    def text_of(self, a: int, b: int) -> str:
        toks = self.analysis.tokens
        return self.text[toks[a].begin : toks[b - 1].end]
