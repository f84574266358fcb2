"""A morpheme in its message: :class:`Token` (with the scopes it is in) and :class:`Sentence`."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .tokenizer import Append, Morpheme, Word, append_morphemes

try:  # the per-token loops in C, built by ``pip install -e .`` (make setup); the Python code is the reference
    from . import _speedups
except ImportError:  # pragma: no cover - a source tree without the built extension
    _speedups = None  # type: ignore[assignment]
if os.environ.get("NAKANAORI_PYTHON_LOOPS"):  # the Python reference, for benchmarks side by side
    _speedups = None  # type: ignore[assignment]


class Token(Morpheme):
    """A morpheme plus its place in the message and the scopes it is in.

    One slotted object per morpheme, built straight from Sudachi's fields (the features the matcher reads
    millions of times per run are plain slots). ``m`` is the morpheme as Sudachi gave it: the token
    itself, except where the token reads a lemma of its own (the past auxiliary after a nasal stem).
    ``i``, ``sent`` and ``clause`` are set by :func:`nakanaori.text.analysis.analyze` (the only maker of
    tokens), in the same pass that splits the sentences."""

    __slots__ = ("_raw", "clause", "i", "negated", "other", "own_quote", "quote", "reported", "request", "sent")

    i: int
    sent: int
    clause: int
    quote: bool  # inside 「」『』
    reported: bool  # words reported with って/と + say/think (past)
    request: bool  # in a clause that asks the other person to do something
    negated: bool  # a predicate negated by ない / ぬ / ず / ません (感謝してない, 謝らない)
    other: bool  # the other person's words (「もう無理」って言われた, 「了解」って。)
    own_quote: bool  # the sender's own quoted words (「ごめん」って言えた)
    _raw: Morpheme | None

    def __init__(self, surface: str, word: Word, begin: int, end: int) -> None:
        self.surface, self.begin, self.end = surface, begin, end
        self.lemma, self.norm, self.pos, self.pos_str, self.pos1, self.ctype, self.cform = word
        self.quote = self.reported = self.request = self.negated = self.other = self.own_quote = False
        self._raw = None
        if self.norm == "た" and self.pos1 == "助動詞":
            self._raw = Morpheme(surface, word, begin, end)
            self.lemma = "た"  # 済んだ / 読んだ: the past auxiliary after a nasal stem

    @property
    def m(self) -> Morpheme:
        """The morpheme as Sudachi read it (its own lemma)."""
        raw = self._raw
        return self if raw is None else raw

    def __repr__(self) -> str:
        return f"Token({self.i}, {self.surface!r}, lemma={self.lemma!r}, pos={self.pos_str!r}, sent={self.sent})"


# Sudachi morphemes -> tokens: the C loop (it sets the slots :meth:`Token.__init__` sets, and lets the class make
# the past auxiliary) or its Python reference
append_tokens: Append[Token] = _speedups.append_tokens if _speedups is not None else append_morphemes


@dataclass(slots=True)
class Sentence:
    index: int
    begin: int
    end: int
    start_token: int
    end_token: int  # exclusive
