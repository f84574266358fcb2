"""The follow-up timeline as data: ``knowledge/plan.yaml``, validated by pydantic at load.

Unknown keys are errors; every error names the file and the entry (``stages.no_reply.steps[1]``
with its id). See the header of ``plan.yaml`` for what each field means.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..knowledge.loader import KNOWLEDGE_DIR, load_model
from ..labels import Purpose, Relationship, Stage

PLAN_FILE = KNOWLEDGE_DIR / "plan.yaml"

StepKind = Literal["send", "wait", "do", "check_in"]
Anchor = Literal["apology", "last_contact"]

_ID = r"^[a-z][a-z0-9_]*$"
_SPACE_NEAR_JA = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")


def tidy(text: str) -> str:
    """Undo YAML line folding: Japanese does not put spaces where the source lines were broken."""
    return _SPACE_NEAR_JA.sub("", " ".join(text.split()))


class Wording(BaseModel):
    """What changes for one relationship: the words, and (for a sending step) the purpose of its example."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str | None = Field(default=None, min_length=2, max_length=80)
    reason: str | None = Field(default=None, min_length=10, max_length=600)
    purpose: Purpose | None = None

    @field_validator("title", "reason")
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        return None if v is None else tidy(v)


class Repeat(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    every_days: int = Field(ge=1, le=90)
    count: int = Field(ge=2, le=12)


class StepRule(BaseModel):
    """One step of a timeline, before it is dated."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID)
    kind: StepKind
    anchor: Anchor = "apology"
    offset_days: int = Field(ge=0, le=365)
    latest_days: int | None = Field(default=None, ge=0, le=365)
    if_late: Literal["roll", "skip"] = "roll"
    title: str = Field(min_length=2, max_length=80)
    reason: str = Field(min_length=10, max_length=600)
    purpose: Purpose | None = None
    example_stage: Stage | None = None
    only_relationships: list[Relationship] | None = None
    except_relationships: list[Relationship] | None = None
    only_stages: list[Stage] | None = None
    except_stages: list[Stage] | None = None
    overrides: dict[Relationship, Wording] = Field(default_factory=dict)
    repeat: Repeat | None = None

    @field_validator("title", "reason")
    @classmethod
    def _strip(cls, v: str) -> str:
        return tidy(v)

    @model_validator(mode="after")
    def _check(self) -> StepRule:
        if self.latest_days is not None and self.latest_days < self.offset_days:
            raise ValueError(f"latest_days ({self.latest_days}) is before offset_days ({self.offset_days})")
        sends = self.kind in ("send", "check_in")
        if not sends and (self.purpose is not None or self.example_stage is not None):
            raise ValueError(f"a {self.kind} step sends nothing, so it takes no purpose or example_stage")
        if not sends and any(o.purpose is not None for o in self.overrides.values()):
            raise ValueError(f"a {self.kind} step sends nothing, so its overrides take no purpose")
        if sends and self.purpose is None:
            raise ValueError(f"a {self.kind} step needs a purpose (the kind of message its example shows)")
        if self.only_relationships is not None and self.except_relationships is not None:
            raise ValueError("use only_relationships or except_relationships, not both")
        if self.only_stages is not None and self.except_stages is not None:
            raise ValueError("use only_stages or except_stages, not both")
        if self.repeat is not None and self.kind == "wait":
            raise ValueError("a wait step does not repeat")
        return self

    @property
    def latest(self) -> int:
        return self.offset_days if self.latest_days is None else self.latest_days

    def applies(self, relationship: Relationship, stage: Stage) -> bool:
        if self.only_relationships is not None and relationship not in self.only_relationships:
            return False
        if self.except_relationships is not None and relationship in self.except_relationships:
            return False
        if self.only_stages is not None and stage not in self.only_stages:
            return False
        return not (self.except_stages is not None and stage in self.except_stages)

    def wording(self, relationship: Relationship) -> tuple[str, str]:
        o = self.overrides.get(relationship)
        title = o.title if o is not None and o.title else self.title
        reason = o.reason if o is not None and o.reason else self.reason
        return title, reason

    def purpose_for(self, relationship: Relationship) -> Purpose | None:
        """The purpose of this step's example for ``relationship`` (None: the step sends nothing)."""
        o = self.overrides.get(relationship)
        return o.purpose if o is not None and o.purpose is not None else self.purpose


class StagePlan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    summary: str = Field(min_length=10, max_length=200)
    steps: list[StepRule] = Field(min_length=1)

    @field_validator("summary")
    @classmethod
    def _strip(cls, v: str) -> str:
        return tidy(v)

    @model_validator(mode="after")
    def _unique(self) -> StagePlan:
        ids = [s.id for s in self.steps]
        dup = {x for x in ids if ids.count(x) > 1}
        if dup:
            raise ValueError(f"step ids repeat: {sorted(dup)}")
        if not any(s.kind in ("send", "check_in") for s in self.steps):
            raise ValueError("a stage needs at least one send or check_in step")
        return self


class PromiseCheckInRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    after_days: int = Field(ge=1, le=365)
    title: str = Field(min_length=2, max_length=80)
    reason: str = Field(min_length=10, max_length=600)

    @field_validator("title", "reason")
    @classmethod
    def _strip(cls, v: str) -> str:
        return tidy(v)


class PlanRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_times: dict[Relationship, str]
    stages: dict[Stage, StagePlan]
    relationship_steps: dict[Relationship, list[StepRule]] = Field(default_factory=dict)
    promise_check_ins: list[PromiseCheckInRule] = Field(min_length=1)

    @field_validator("event_times")
    @classmethod
    def _times(cls, v: dict[Relationship, str]) -> dict[Relationship, str]:
        for rel, hhmm in v.items():
            if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", hhmm):
                raise ValueError(f"event_times.{rel.value}: {hhmm!r} is not a HH:MM time")
        missing = [r.value for r in Relationship if r not in v]
        if missing:
            raise ValueError(f"event_times needs every relationship; missing: {missing}")
        return v

    @model_validator(mode="after")
    def _complete(self) -> PlanRules:
        missing = [s.value for s in Stage if s not in self.stages]
        if missing:
            raise ValueError(f"every stage needs a timeline; missing: {missing}")
        for rel, steps in self.relationship_steps.items():
            ids = [s.id for s in steps]
            if len(set(ids)) != len(ids):
                raise ValueError(f"relationship_steps.{rel.value}: step ids repeat")
        days = [c.after_days for c in self.promise_check_ins]
        if days != sorted(set(days)):
            raise ValueError("promise_check_ins must be in increasing after_days, without repeats")
        return self


def load_plan_rules_from(path: Path) -> PlanRules:
    return load_model(path, PlanRules, "plan file")


@lru_cache(maxsize=1)
def load_plan_rules() -> PlanRules:
    """The packaged timeline rules (cached)."""
    return load_plan_rules_from(PLAN_FILE)
