"""Guidance knowledge base: what to do and not do at each stage after an apology, per relationship.

``guidance.yaml`` is validated with pydantic (``extra="forbid"``) at load; errors name the file and
the entry. Every stage and every relationship must be present.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..knowledge.loader import KNOWLEDGE_DIR, load_model
from ..labels import Relationship, Stage

GUIDANCE_FILE = KNOWLEDGE_DIR / "guidance.yaml"


class Dont(BaseModel):
    """A thing not to do, and why it hurts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    what: str = Field(min_length=4)
    why: str = Field(min_length=8)


class Timing(BaseModel):
    """When the next message makes sense: days after the apology or after the last contact."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    earliest_days: int = Field(ge=0, le=365)
    latest_days: int = Field(ge=0, le=365)
    basis: Literal["apology", "last_contact"]
    note: str = Field(min_length=4)

    @model_validator(mode="after")
    def _order(self) -> Timing:
        if self.latest_days < self.earliest_days:
            raise ValueError("latest_days must not be before earliest_days")
        return self


class StageOverride(BaseModel):
    """What one relationship changes in a stage's guidance (work: business contact goes on, and no
    personal-relationship wording). Lists replace the stage's lists; absent fields keep the stage's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    summary: str | None = Field(default=None, min_length=8)
    do: list[str] | None = Field(default=None, min_length=2)
    dont: list[Dont] | None = Field(default=None, min_length=2)
    why: str | None = Field(default=None, min_length=8)
    timing_note: str | None = Field(default=None, min_length=4)


class StageGuidance(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    summary: str = Field(min_length=8)
    do: list[str] = Field(min_length=2)
    dont: list[Dont] = Field(min_length=2)
    why: str = Field(min_length=8)
    timing: Timing
    overrides: dict[Relationship, StageOverride] = Field(default_factory=dict)

    def for_relationship(self, relationship: Relationship) -> StageGuidance:
        """This stage's guidance as ``relationship`` reads it (its override applied)."""
        o = self.overrides.get(relationship)
        if o is None:
            return self
        timing = self.timing if o.timing_note is None else self.timing.model_copy(update={"note": o.timing_note})
        return StageGuidance(
            summary=o.summary or self.summary,
            do=o.do if o.do is not None else self.do,
            dont=o.dont if o.dont is not None else self.dont,
            why=o.why or self.why,
            timing=timing,
        )


class RelationshipGuidance(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    focus: str = Field(min_length=8)
    do: list[str] = Field(min_length=1)
    dont: list[Dont] = Field(min_length=1)
    tone: str = Field(min_length=4)  # the register to write in, and why


class Channels(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    small: str
    serious: str
    message_only: str
    unknown: str
    wait: str
    work: str
    work_wait: str  # a waiting stage at work: one message on the matter, business contact goes on


class Related(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    summary: str


class Guidance(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    stages: dict[Stage, StageGuidance]
    relationships: dict[Relationship, RelationshipGuidance]
    channels: Channels
    wait_stages: list[Stage] = Field(default_factory=list)
    related: list[Related] = Field(default_factory=list)

    @field_validator("stages")
    @classmethod
    def _every_stage(cls, v: dict[Stage, StageGuidance]) -> dict[Stage, StageGuidance]:
        missing = [s.value for s in Stage if s not in v]
        if missing:
            raise ValueError(f"guidance is missing for stage(s): {', '.join(missing)}")
        return v

    @field_validator("relationships")
    @classmethod
    def _every_relationship(
        cls, v: dict[Relationship, RelationshipGuidance]
    ) -> dict[Relationship, RelationshipGuidance]:
        missing = [r.value for r in Relationship if r not in v]
        if missing:
            raise ValueError(f"guidance is missing for relationship(s): {', '.join(missing)}")
        return v


def load_guidance_from(path: Path) -> Guidance:
    return load_model(path, Guidance, "guidance file")


@lru_cache(maxsize=1)
def load_guidance() -> Guidance:
    """The packaged guidance knowledge base (validated, cached)."""
    return load_guidance_from(GUIDANCE_FILE)


def working_day(day: dt.date) -> dt.date:
    """*day*, or the Monday after it when it is a Saturday or Sunday: contact at work waits for a working
    day (advise's timing and the plan's steps for work both follow this rule)."""
    return day + dt.timedelta(days=7 - day.weekday()) if day.weekday() >= 5 else day
