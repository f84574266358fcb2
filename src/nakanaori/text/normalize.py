"""Normalisation with an offset map back to the user's original text.

NFKC (full-width ASCII → half width, half-width katakana → full width), lone surrogates and
control characters dropped, CR/LF unified, runs of ``〜~ー`` kept. Every normalised character
remembers the code-point range of the original text it came from, so spans found on the
normalised text are reported on the text the user wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Characters that combine with the previous one under NFKC (half-width and combining voicing marks).
_COMBINING_NEXT = {"\uff9e", "\uff9f", "\u3099", "\u309a"}
_KEEP = {"\n": "\n", "\t": " ", "\u3000": " ", "…": "…", "‥": "‥"}
_TILDES = {"~": "〜", "～": "〜", "\u223c": "〜", "\u301c": "〜"}


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    text: str
    starts: tuple[int, ...]  # original start index of each normalised char
    ends: tuple[int, ...]  # original end index (exclusive) of each normalised char

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised [start, end) span to the original text's code points."""
        if not self.text:
            return (0, 0)
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return (pos, pos)
        return (self.starts[start], self.ends[end - 1])


def _is_unwanted(ch: str) -> bool:
    cp = ord(ch)
    if 0xD800 <= cp <= 0xDFFF:  # lone surrogate
        return True
    cat = unicodedata.category(ch)
    if cat == "Cc":
        return ch not in _KEEP
    # zero-width and bidi controls, BOM; keep ZWJ (U+200D) and variation selectors inside emoji
    return cat == "Cf" and ch not in {"\u200d"}


# characters the slow path changes (controls, surrogates, zero-width/bidi controls, tildes, CR, tab,
# ideographic space); text without them that is already NFKC maps one-to-one
_SPECIAL = re.compile(
    "[\x00-\x1f\x7f-\x9f\ud800-\udfff\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f"
    "\ufeff\ufff9-\ufffb~\uff5e\u223c\u3000\uff9e\uff9f\u3099\u309a]"
)


def _piece(chunk: str) -> str:
    """What one chunk (a character and the voicing marks that combine with it; not CR, not unwanted)
    becomes."""
    if chunk in _KEEP:
        return _KEEP[chunk]
    if chunk in _TILDES:
        return _TILDES[chunk]
    piece = unicodedata.normalize("NFKC", chunk)
    return "".join(_TILDES.get(c, c) for c in piece)


# What the character-by-character path treats as more than "this character stays as it is", besides the
# characters of _ONE_TO_ONE: CR, control characters other than LF, lone surrogates, every format character
# (Unicode 14's category Cf, as Python 3.11 has it; tests/text proves the list) but the zero-width joiner
# U+200D (kept inside emoji), and the voicing marks that combine with the character before them.
_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff"
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200c\u200e-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\uff9e\uff9f\u3099\u309a]"
)
_KEPT_UNNORMALIZED = "…‥"  # kept as they are, though NFKC would make them ... and ..


def _one_to_one() -> dict[int, str]:
    """The characters that become exactly one other character, each on its own (full-width ASCII,
    half-width katakana, the ideographic space, tab, the tildes; … and ‥ stay): a text whose other
    characters all stay as they are maps one-to-one after str.translate with this table."""
    table: dict[int, str] = {}
    candidates = [chr(c) for c in range(0xFF01, 0xFFEF)] + ["\t", "\u3000", *_TILDES, *_KEPT_UNNORMALIZED]
    for ch in candidates:
        if ch in _COMBINING_NEXT or _is_unwanted(ch):
            continue
        out = _piece(ch)
        single = len(out) == 1 and out != "\n" and not _UNSAFE.match(out)
        if single and (out in _KEPT_UNNORMALIZED or unicodedata.is_normalized("NFKC", out)):
            table[ord(ch)] = out
    return table


_ONE_TO_ONE = _one_to_one()


def normalize(original: str) -> Normalized:
    n = len(original)
    if unicodedata.is_normalized("NFKC", original) and not _SPECIAL.search(original.replace("\n", "")):
        return Normalized(original, original, tuple(range(n)), tuple(range(1, n + 1)))
    # Full-width ！？, … and the like: when every character either is in the one-to-one table or stays as it
    # is on its own (no CR, control, format or voicing character, and the rest already NFKC), the text
    # maps character for character — what _normalize_by_char would give, without its loop.
    mapped = original.translate(_ONE_TO_ONE)
    if not _UNSAFE.search(mapped) and unicodedata.is_normalized("NFKC", mapped.replace("…", "").replace("‥", "")):
        return Normalized(original, mapped, tuple(range(n)), tuple(range(1, n + 1)))
    return _normalize_by_char(original)


def _normalize_by_char(original: str) -> Normalized:
    """The reference: chunk by chunk (a character and the voicing marks that combine with it)."""
    n = len(original)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < n:
        ch = original[i]
        if ch == "\r":
            j = i + 2 if i + 1 < n and original[i + 1] == "\n" else i + 1
            out.append("\n")
            starts.append(i)
            ends.append(j)
            i = j
            continue
        if _is_unwanted(ch):
            i += 1
            continue
        j = i + 1
        while j < n and original[j] in _COMBINING_NEXT:
            j += 1
        piece = _piece(original[i:j])
        for c in piece:
            out.append(c)
            starts.append(i)
            ends.append(j)
        i = j
    return Normalized(original, "".join(out), tuple(starts), tuple(ends))


def has_japanese(text: str) -> bool:
    """True when the text contains hiragana, katakana or CJK ideographs."""
    for ch in text:
        cp = ord(ch)
        if 0x3040 <= cp <= 0x30FF or 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xFF66 <= cp <= 0xFF9D:
            return True
    return False


def utf16_offset(text: str, index: int) -> int:
    """Code-point index → UTF-16 code-unit index (what a browser's String counts)."""
    head = text[:index]
    if head.isascii():
        return index
    return len(head.encode("utf-16-le", "surrogatepass")) // 2  # a character past U+FFFF takes two units
