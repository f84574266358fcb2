"""The one diagnostic type (:class:`Finding`) and the whole-message judgement (:class:`Note`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Finding(BaseModel):
    """One diagnostic: a label found at a code-point span of the user's text."""

    label: str
    label_ja: str
    kind: str  # "good" | "ng"
    start: int  # code points, 0-based, end-exclusive, on the text as the user wrote it
    end: int
    text: str
    why: str
    suggestion: str | None = None
    hint: str | None = None
    severity: str
    rule: str
    start_utf16: int
    end_utf16: int


class Note(BaseModel):
    """A judgement on the message as a whole (register, heaviness, piled apologies, what is missing)."""

    code: str
    severity: str
    message: str
    suggestion: str | None = None


VerdictLevel = Literal["send", "improve", "counter", "none"]


class Verdict(BaseModel):
    """The answer to the user's question "can I send this now?" for the stage.

    ``level``: ``send`` (このまま送って大丈夫) · ``improve`` (n か所直すとよくなります) ·
    ``counter`` (このままだと逆効果になりそうです) · ``none`` (not Japanese: nothing to judge).
    ``fix_count`` counts the places worth fixing (NG findings and the stage's whole-message warnings);
    ``headline`` is the Japanese line shown first; ``summary`` says why in one sentence."""

    level: VerdictLevel
    headline: str
    fix_count: int
    summary: str
