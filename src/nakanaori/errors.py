"""Input errors with a stable code, a Japanese message for people and an English one for logs.

Each code has its own process exit status so that scripts can tell the failures apart.
The message never contains the user's text.
"""

from __future__ import annotations

import re

MAX_TEXT_CHARS = 5000  # LINE's limit for one text message

EXIT_CODES: dict[str, int] = {
    "empty": 3,
    "too_long": 4,
    "invalid_utf8": 5,
    "binary": 6,
    "bad_jsonl": 7,
    "bad_option": 2,
    "bad_date": 8,
    "not_found": 9,
    "no_japanese": 10,
    "no_situation": 11,
}


class InputError(ValueError):
    """Bad input from the user. ``code`` is one of :data:`EXIT_CODES`."""

    def __init__(self, code: str, message_ja: str, message_en: str, *, field: str | None = None) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_ja = message_ja
        self.message_en = message_en
        self.field = field  # the request field at fault, when an interface knows it

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.code, 1)


def decode_bytes(data: bytes) -> str:
    """Decode user bytes as UTF-8 (BOM allowed), rejecting binary data and broken UTF-8."""
    if b"\x00" in data[:8192]:
        raise InputError("binary", "バイナリデータのようです。テキストを入力してください。", "input looks binary")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            "invalid_utf8",
            f"文字コードがUTF-8ではありません({exc.start}バイト目)。UTF-8で保存し直してください。",
            f"invalid UTF-8 at byte {exc.start}",
        ) from None
    return text


_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def validate_text(text: str, *, max_chars: int = MAX_TEXT_CHARS, what: str = "メッセージ") -> str:
    """Reject empty, over-long and binary-looking text; return it unchanged otherwise."""
    if not isinstance(text, str):
        raise InputError("binary", f"{what}は文字列で入力してください。", "text must be a string")
    if not text.strip():
        raise InputError("empty", f"{what}が空です。本文を入力してください。", "empty text")
    if len(text) > max_chars:
        raise InputError(
            "too_long",
            f"{what}が長すぎます({len(text):,}文字)。{max_chars:,}文字以内にしてください。",
            f"text too long: {len(text)} > {max_chars} characters",
        )
    controls = len(_CONTROLS.findall(text))  # C0 controls other than TAB, LF, CR
    if "\x00" in text or controls > max(8, len(text) // 10):
        raise InputError("binary", "バイナリデータのようです。テキストを入力してください。", "text looks binary")
    return text
