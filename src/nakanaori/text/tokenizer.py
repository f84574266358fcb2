"""SudachiPy wrapper: one tokenizer per thread (a Sudachi Tokenizer is not thread-safe)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

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

    Slotted and read-only by convention; its dictionary fields (lemma, normalised form, part of speech)
    come from one shared :data:`Word` per Sudachi word id (a message's morphemes share a few dozen)."""

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

    def __init__(self, surface: str, word: Word, begin: int, end: int) -> None:
        self.surface, self.begin, self.end = surface, begin, end
        self.lemma, self.norm, self.pos, self.pos_str, self.pos1, self.ctype, self.cform = word

    def __repr__(self) -> str:
        return f"Morpheme({self.surface!r}, lemma={self.lemma!r}, norm={self.norm!r}, pos={self.pos_str!r})"


# lemma, norm, pos, pos_str, pos1, ctype, cform: what a Sudachi word id stands for
Word = tuple[str, str, tuple[str, ...], str, str, str, str]
PosInfo = tuple[tuple[str, ...], str, str, str, str]  # pos, pos_str, pos1, ctype, cform
_POS: dict[int, PosInfo] = {}  # Sudachi part-of-speech id -> its fields, computed once per process
# Sudachi word id -> its fields, for words of the dictionary (an unknown word's id names only its part
# of speech: its lemma and normalised form are its own surface, read each time). Bounded: the words a
# process meets are a few ten thousand at most; past the bound it starts again.
_WORDS: dict[int, Word] = {}
_MAX_WORDS = 200_000
_OOV_ID = 0xF000_0000  # sudachi.rs: an out-of-vocabulary word's id is (0xF << 28) | its part-of-speech id


def _pos_info(pos_id: int, pos: tuple[str, ...]) -> PosInfo:
    info = (pos, ",".join(pos[:4]), pos[0], pos[4], pos[5])
    _POS[pos_id] = info
    return info


def _word(m: Any, word_id: int) -> Word:
    """The fields of morpheme *m* read from Sudachi (and kept for its word id when it is a dictionary word)."""
    pid = m.part_of_speech_id()
    info = _POS.get(pid) or _pos_info(pid, tuple(m.part_of_speech()))
    word = (m.dictionary_form(), m.normalized_form(), *info)
    if word_id < _OOV_ID:
        if len(_WORDS) >= _MAX_WORDS:
            _WORDS.clear()
        _WORDS[word_id] = word
    return word


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


M = TypeVar("M", bound=Morpheme)
Make = Callable[[str, Word, int, int], M]
# (morphemes, out, make, words, miss, at) -> at: appends make(surface, word, begin, end) per morpheme
Append = Callable[[Any, list[M], Make[M], dict[int, Word], Callable[[Any, int], Word], int], int]


def append_morphemes(
    ms: Any, out: list[M], make: Make[M], words: dict[int, Word], miss: Callable[[Any, int], Word], at: int
) -> int:
    """Append ``make(surface, word, begin, end)`` for each Sudachi morpheme of *ms*, the first beginning at
    *at*; a word id not in *words* is read by ``miss(morpheme, word_id)``. Returns where the last one ends.

    The reference of ``nakanaori.text._speedups.append_tokens`` (the same loop in C, for tokens)."""
    append = out.append
    word_of = words.get  # holds dictionary words only: an unknown word's id is never found
    for m in ms:
        surface = m.surface()
        wid = m.word_id()
        w = word_of(wid)
        if w is None:
            w = miss(m, wid)
        end = at + len(surface)
        append(make(surface, w, at, end))
        at = end
    return at


def tokenize_as(text: str, make: Make[M], append: Append[M] | None = None) -> list[M]:
    """Tokenise normalised text (no lone surrogates) into ``make(surface, word, begin, end)`` objects.

    Two calls into Sudachi per morpheme (surface and word id); the rest comes from the word-id cache.
    Sudachi's morphemes cover the text one after another, so each begins where the previous one ended
    (a piece whose surfaces do not add up to its length is read again with Sudachi's own offsets).
    *append* is the loop over one piece's morphemes (:func:`append_morphemes`, or the same in C)."""
    tok = get_tokenizer()
    out: list[M] = []
    run = append or append_morphemes
    for offset, piece in _chunks(text):
        ms = tok.tokenize(piece)
        first = len(out)
        at = run(ms, out, make, _WORDS, _word, offset)
        if at != offset + len(piece):  # never seen on any labelled or fuzzed text; Sudachi's offsets then
            del out[first:]
            for m in ms:
                w = _word(m, m.word_id())
                out.append(make(m.surface(), w, offset + m.begin(), offset + m.end()))
    return out


def tokenize(text: str) -> list[Morpheme]:
    """Tokenise normalised text (no lone surrogates) into :class:`Morpheme` objects."""
    return tokenize_as(text, Morpheme)


def units(word: str) -> list[tuple[str, tuple[str, ...]]]:
    """The short units (Sudachi mode A) of one word with their POS: 無断欠勤 → 無断 + 欠勤 (サ変可能)."""
    tok = getattr(_local, "tokenizer_a", None)
    if tok is None:
        tok = _dictionary().tokenizer(mode=SplitMode.A)
        _local.tokenizer_a = tok
    return [(m.surface(), tuple(m.part_of_speech())) for m in tok.tokenize(word[:MAX_CHUNK_CHARS])]
