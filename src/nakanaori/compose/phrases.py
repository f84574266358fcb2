"""The sentences around the user's facts (``knowledge/compose.yaml``): three per register for each slot of
the message, rotated per variant (fresh wording)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..knowledge.loader import KNOWLEDGE_DIR, load_model
from ..labels import Register, Stage

PHRASES_FILE = KNOWLEDGE_DIR / "compose.yaml"
RegisterName = Literal["casual", "polite", "honorific"]
Three = Annotated[list[str], Field(min_length=3, max_length=3)]
ShapeSlot = Literal["opening", "apology", "thanks", "will", "closer"]


Slot = Literal["did", "will", "thanks"]


def _all_slots() -> list[Slot]:
    return ["did", "will", "thanks"]


def _honorific_only() -> list[RegisterName]:
    return ["honorific"]


def _did_and_will() -> list[Slot]:
    return ["did", "will"]


class Beautified(BaseModel):
    """A 美化語 prefix for a noun, in the slots and registers where it refers to the other person."""

    model_config = ConfigDict(extra="forbid")

    prefix: Literal["お", "ご"]
    slots: list[Slot] = Field(default_factory=_all_slots)
    registers: list[RegisterName] = Field(default_factory=_honorific_only)


class Humble(BaseModel):
    """A 謙譲語 verb for the user's own act, in the slots where the act is toward the other person."""

    model_config = ConfigDict(extra="forbid")

    word: str
    slots: list[Slot] = Field(default_factory=_did_and_will)
    affirmative_only: bool = False  # not before a negative (使わない stays as it is)
    objects: list[str] = Field(default_factory=list)  # only after these nouns (迷惑をかける)


class Words(BaseModel):
    """``words`` in ``knowledge/compose.yaml``: what the conjugation needs to know about particular words."""

    model_config = ConfigDict(extra="forbid")

    serious: list[str]
    words_said: list[str] = Field(default_factory=list)
    effort_verbs: list[str]
    firm_adverbs: list[str]
    character_nouns: list[str]
    manner_nouns: dict[str, str]
    mistake_nouns: dict[str, dict[RegisterName, str]]
    beautified: dict[str, Beautified]
    humble: dict[str, Humble]
    restraint_nouns: list[str]
    respect_nouns: dict[str, str]
    respect_verbs: dict[str, str]
    receiving_idioms: list[str]
    standard: dict[str, dict[RegisterName, str]]
    standard_bare: dict[str, dict[RegisterName, str]] = Field(default_factory=dict)
    keep_verbs: dict[str, str] = Field(default_factory=dict)
    promise_adverbs: dict[str, str] = Field(default_factory=dict)
    humble_acts: dict[str, str] = Field(default_factory=dict)
    refusal_verbs: dict[str, str] = Field(default_factory=dict)
    own_requests: dict[str, str] = Field(default_factory=dict)
    imposing_modifiers: list[str] = Field(default_factory=list)


class WorkPolite(BaseModel):
    """``work_polite`` in ``knowledge/compose.yaml``: the sentences for work in です・ます, which the polite bank
    (written for people close to the user) does not fit."""

    model_config = ConfigDict(extra="forbid")

    thanks: Three
    thanks_fallback: Three
    will_fallback: Three
    opening: dict[Stage, Three]
    closer: dict[Stage, Three]

    @model_validator(mode="after")
    def _complete(self) -> WorkPolite:
        for slot in ("opening", "closer"):
            if set(getattr(self, slot)) != set(Stage):
                raise ValueError(f"work_polite.{slot}: needs every stage")
        return self


class PhraseBank(BaseModel):
    """``knowledge/compose.yaml``: three sentences per register for each slot of the message."""

    model_config = ConfigDict(extra="forbid")

    apology: dict[RegisterName, Three]
    apology_hurt: dict[RegisterName, Three]
    thanks: dict[RegisterName, Three]
    will: dict[RegisterName, Three]
    will_fallback: dict[RegisterName, Three]
    thanks_fallback: dict[RegisterName, Three]
    empathy_fallback: dict[RegisterName, Three]
    closer: dict[Stage, dict[RegisterName, Three]]
    opening: dict[Stage, dict[RegisterName, Three]]
    shapes: dict[Stage, Annotated[list[list[ShapeSlot]], Field(min_length=3, max_length=3)]]
    words: Words
    work_polite: WorkPolite

    @model_validator(mode="after")
    def _complete(self) -> PhraseBank:
        for name in (
            "apology",
            "apology_hurt",
            "thanks",
            "will",
            "will_fallback",
            "thanks_fallback",
            "empathy_fallback",
        ):
            if set(getattr(self, name)) != set(Register):
                raise ValueError(f"{name}: needs casual, polite and honorific")
        for slot in ("closer", "opening"):
            table: dict[Stage, dict[RegisterName, list[str]]] = getattr(self, slot)
            if set(table) != set(Stage):
                raise ValueError(f"{slot}: needs every stage")
            for stage, regs in table.items():
                if set(regs) != set(Register):
                    raise ValueError(f"{slot}.{stage.value}: needs casual, polite and honorific")
        if set(self.shapes) != set(Stage):
            raise ValueError("shapes: needs every stage")
        return self


def load_phrases_from(path: Path) -> PhraseBank:
    return load_model(path, PhraseBank, "phrase bank")


@lru_cache(maxsize=1)
def phrases() -> PhraseBank:
    """The validated phrase bank (cached); errors name the file and the field."""
    return load_phrases_from(PHRASES_FILE)
