"""SudachiPy wrapper: one tokenizer per thread (a Sudachi Tokenizer is not thread-safe)."""

from __future__ import annotations

import threading
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


class Morpheme:
    """One morpheme with the features the rules match on (offsets in normalised text).

    Slotted and read-only by convention; its part-of-speech fields come from one shared :class:`PosInfo`
    per Sudachi part-of-speech id (a message's morphemes share a few dozen of them)."""

    __slots__ = ("begin", "cform", "ctype", "end", "lemma", "norm", "pos", "pos1", "pos_str", "surface")

    surface: str
    lemma: str  # dictionary form
    norm: str  # Sudachi normalised form (表記ゆれ unified: 御免, 有り難う ...)
    begin: int
    end: int
    pos: tuple[str, ...]  # 6 fields: pos1..pos4, conjugation type, conjugation form
    pos_str: str  # "pos1,pos2,pos3,pos4"
    pos1: str
    ctype: str
    cform: str

    def __init__(self, surface: str, lemma: str, norm: str, info: PosInfo, begin: int, end: int) -> None:
        self.surface, self.lemma, self.norm, self.begin, self.end = surface, lemma, norm, begin, end
        self.pos, self.pos_str, self.pos1, self.ctype, self.cform = info

    def __repr__(self) -> str:
        return f"Morpheme({self.surface!r}, lemma={self.lemma!r}, norm={self.norm!r}, pos={self.pos_str!r})"


PosInfo = tuple[tuple[str, ...], str, str, str, str]  # pos, pos_str, pos1, ctype, cform
_POS: dict[int, PosInfo] = {}  # Sudachi part-of-speech id -> its fields, computed once per process


def _pos_info(pos_id: int, pos: tuple[str, ...]) -> PosInfo:
    info = (pos, ",".join(pos[:4]), pos[0], pos[4], pos[5])
    _POS[pos_id] = info
    return info


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
    append = out.append
    pos_of = _POS.get
    for offset, piece in _chunks(text):
        for m in tok.tokenize(piece):
            pid = m.part_of_speech_id()
            info = pos_of(pid) or _pos_info(pid, tuple(m.part_of_speech()))
            append(
                Morpheme(
                    m.surface(),
                    m.dictionary_form(),
                    m.normalized_form(),
                    info,
                    offset + m.begin(),
                    offset + m.end(),
                )
            )
    return out
