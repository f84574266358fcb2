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


def normalize(original: str) -> Normalized:
    if unicodedata.is_normalized("NFKC", original) and not _SPECIAL.search(original.replace("\n", "")):
        n = len(original)
        return Normalized(original, original, tuple(range(n)), tuple(range(1, n + 1)))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    n = len(original)
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
        chunk = original[i:j]
        if chunk in _KEEP:
            piece = _KEEP[chunk]
        elif chunk in _TILDES:
            piece = _TILDES[chunk]
        else:
            piece = unicodedata.normalize("NFKC", chunk)
            piece = "".join(_TILDES.get(c, c) for c in piece)
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
