"""What a situation reading returns: the facts, the evidence, the relationship and the stage."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from ..labels import Relationship, Stage

CHANNELS = ("line", "sns", "email", "phone", "in_person")
Channel = Literal["line", "sns", "email", "phone", "in_person"]
Severity = Literal["small", "serious"]


class Facts(BaseModel):
    """What could be read from the text (None = not said)."""

    days_since_apology: int | None = None
    days_approximate: bool = False
    apology_date: dt.date | None = None
    unanswered_messages: int | None = None
    channel: Channel | None = None
    severity: Severity | None = None
    forgiven: bool = False
    mentions_apology: bool = False


class Evidence(BaseModel):
    kind: Literal["relationship", "stage"]
    value: str
    text: str
    weight: float


class Situation(BaseModel):
    relationship: Relationship
    stage: Stage
    facts: Facts
    confidence: float = Field(ge=0.0, le=1.0)
    relationship_confidence: float = Field(ge=0.0, le=1.0)
    stage_confidence: float = Field(ge=0.0, le=1.0)
    question: str | None = None
    # the one thing to ask when the reading is unsure (what ``question`` asks about); every interface
    # asks this and only this, so the web app, the LINE bot and the CLI ask the same thing
    ask: Literal["relationship", "stage"] | None = None
    relationship_given: bool = False
    stage_given: bool = False
    stage_scores: dict[str, float] = Field(default_factory=dict)
    evidence: list[Evidence] = Field(default_factory=list)
