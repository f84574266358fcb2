"""SudachiPy wrapper: one tokenizer per thread (a Sudachi Tokenizer is not thread-safe)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sudachipy import Dictionary, SplitMode

# tokenize() takes at most ~49 KB per call; stay well below it (Japanese is 3 bytes a char in UTF-8).
MAX_CHUNK_CHARS = 4000

_local = threading.local()


@lru_cache(maxsize=1)
def _dictionary() -> Dictionary:
    return Dictionary(dict="core")


def get_tokenizer() -> Any:  # a sudachipy Tokenizer, one per thread
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        tok = _dictionary().tokenizer(mode=SplitMode.C)
        _local.tokenizer = tok
    return tok


@dataclass(frozen=True, slots=True)
class Morpheme:
    """One morpheme with the features the rules match on (offsets in normalised text)."""

    surface: str
    lemma: str  # dictionary form
    norm: str  # Sudachi normalised form (表記ゆれ unified: 御免, 有り難う ...)
    reading: str
    pos: tuple[str, ...]  # 6 fields: pos1..pos4, conjugation type, conjugation form
    begin: int
    end: int

    @property
    def pos_str(self) -> str:
        return ",".join(self.pos[:4])

    @property
    def ctype(self) -> str:
        return self.pos[4]

    @property
    def cform(self) -> str:
        return self.pos[5]


def _chunks(text: str) -> list[tuple[int, str]]:
    """Split text into pieces under MAX_CHUNK_CHARS, preferring line and sentence ends."""
    pieces: list[tuple[int, str]] = []
    start = 0
    n = len(text)
    while start < n:
        end = min(n, start + MAX_CHUNK_CHARS)
        if end < n:
            cut = max(text.rfind("\n", start, end), text.rfind("。", start, end))
            if cut > start:
                end = cut + 1
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def tokenize(text: str) -> list[Morpheme]:
    """Tokenise normalised text (no lone surrogates) into :class:`Morpheme` objects."""
    tok = get_tokenizer()
    out: list[Morpheme] = []
    for offset, piece in _chunks(text):
        for m in tok.tokenize(piece):
            out.append(
                Morpheme(
                    surface=m.surface(),
                    lemma=m.dictionary_form(),
                    norm=m.normalized_form(),
                    reading=m.reading_form(),
                    pos=tuple(m.part_of_speech()),
                    begin=offset + m.begin(),
                    end=offset + m.end(),
                )
            )
    return out


def units(word: str) -> list[tuple[str, tuple[str, ...]]]:
    """The short units (Sudachi mode A) of one word with their POS: 無断欠勤 → 無断 + 欠勤 (サ変可能)."""
    tok = getattr(_local, "tokenizer_a", None)
    if tok is None:
        tok = _dictionary().tokenizer(mode=SplitMode.A)
        _local.tokenizer_a = tok
    return [(m.surface(), tuple(m.part_of_speech())) for m in tok.tokenize(word[:MAX_CHUNK_CHARS])]
