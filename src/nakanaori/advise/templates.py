"""Message templates: fresh Japanese follow-up messages for each relationship × stage.

YAML under ``knowledge/templates/``, one file per relationship (``partner.yaml`` …). Each file is
``{relationship: R, templates: [{id, stage, register, text, elements}, ...]}``; unknown keys are
errors, and every error names the file and the template id. Ids are unique across all files.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..knowledge.loader import KNOWLEDGE_DIR, KnowledgeError, load_directory, load_yaml, validate
from ..labels import (
    GOOD_LABELS,
    RELATIONSHIP_REGISTERS,
    SHORT_MAX_CHARS,
    SHORT_STAGES,
    STAGE_ELEMENTS,
    Purpose,
    Register,
    Relationship,
    Stage,
    missing_stage_elements,
    parse_relationship,
    parse_stage,
)

TEMPLATES_DIR = KNOWLEDGE_DIR / "templates"
__all__ = [
    "RELATIONSHIP_REGISTERS",
    "STAGE_ELEMENTS",
    "Audience",
    "Template",
    "load_templates",
    "missing_stage_elements",
    "templates_for",
]

# "register" is the contract's field name; pydantic warns that it shadows BaseModel.register (harmless).
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)


# who a template is written for, when it is narrower than its relationship: ``in_law`` = 義理の家族
# (です・ます); shown only when the situation names an in-law
Audience = Literal["in_law"]


class Template(BaseModel):
    """One ready-to-send message. ``elements`` = the good labels of labels.md the text contains;
    ``purpose`` = what the message is for (the plan picks its examples by purpose)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z]+\.[a-z_]+\.[a-z0-9_]+$")
    relationship: Relationship
    stage: Stage
    register: Register = Field(...)  # required (see CheckReport.register)
    text: str = Field(min_length=2, max_length=400)
    elements: list[str] = Field(min_length=1)
    purpose: Purpose
    audience: Audience | None = None

    @field_validator("elements")
    @classmethod
    def _known_elements(cls, v: list[str]) -> list[str]:
        for x in v:
            if x not in GOOD_LABELS:
                known = ", ".join(GOOD_LABELS)
                raise ValueError(f"unknown element {x!r}; elements are the good labels: {known}")
        if len(set(v)) != len(v):
            raise ValueError("elements must not repeat")
        return v

    @model_validator(mode="after")
    def _fits(self) -> Template:
        if self.register not in RELATIONSHIP_REGISTERS[self.relationship]:
            fits = ", ".join(r.value for r in RELATIONSHIP_REGISTERS[self.relationship])
            rel = self.relationship.value
            raise ValueError(f"register {self.register.value!r} does not fit {rel} (use {fits})")
        missing = missing_stage_elements(self.stage, self.elements)
        if missing:
            raise ValueError(f"stage {self.stage.value} needs the elements {missing}, not declared")
        if self.audience == "in_law" and self.relationship is not Relationship.family:
            raise ValueError("audience in_law is for family templates only")
        if self.stage in SHORT_STAGES and len(self.text) > SHORT_MAX_CHARS:
            raise ValueError(f"stage {self.stage.value} needs a short message (≤ {SHORT_MAX_CHARS} chars)")
        return self


class _TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    stage: str
    register: str = Field(...)
    text: str
    elements: list[str]
    purpose: str
    audience: str | None = None


class _TemplateFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    relationship: Relationship
    # pairs deliberately left out, with the reason (documentation only)
    omitted: dict[str, str] = Field(default_factory=dict)
    templates: list[_TemplateIn] = Field(min_length=1)


def load_template_file(path: Path) -> list[Template]:
    data = load_yaml(path)
    parsed = validate(path, data, _TemplateFile, "template file")
    if path.stem != parsed.relationship.value:
        rel = parsed.relationship.value
        raise KnowledgeError(f"{path.name}: relationship {rel!r} does not match the file name")
    out: list[Template] = []
    prefix_rel = parsed.relationship.value
    for k, raw in enumerate(parsed.templates):
        item = {
            "id": raw.id,
            "relationship": parsed.relationship,
            "stage": raw.stage,
            "register": raw.register,
            "text": raw.text.strip(),
            "elements": raw.elements,
            "purpose": raw.purpose,
            "audience": raw.audience,
        }
        out.append(validate(path, item, Template, "template file", whole=data, prefix=("templates", k)))
        if not raw.id.startswith(f"{prefix_rel}.{raw.stage}."):
            want = f"{prefix_rel}.{raw.stage}."
            raise KnowledgeError(f"{path.name}: template {raw.id!r}: id must start with {want!r}")
    return out


def load_templates_from(directory: Path) -> tuple[Template, ...]:
    return load_directory(directory, load_template_file, "template")


@lru_cache(maxsize=1)
def load_templates() -> tuple[Template, ...]:
    """All packaged templates (cached)."""
    return load_templates_from(TEMPLATES_DIR)


_E = TypeVar("_E", Register, Purpose)


def _option(kind: type[_E], value: str | None, name: str) -> _E | None:
    """*value* as a member of *kind* (``None`` or ``""``: no filter); a clear ``ValueError`` otherwise."""
    if value is None or value == "":
        return None
    try:
        return kind(value.strip().lower())
    except ValueError:
        choices = ", ".join(m.value for m in kind)
        raise ValueError(f"unknown {name} {value!r}; choose one of: {choices}") from None


def templates_for(
    relationship: str, stage: str, register: str | None = None, *, purpose: str | None = None
) -> list[Template]:
    """Templates of one relationship × stage, optionally of one register and one purpose, in file order.

    Raises ``ValueError`` (with a clear message) for unknown relationship, stage or register values.
    """
    rel = parse_relationship(relationship)
    stg = parse_stage(stage)
    if rel is None or stg is None:
        raise ValueError("relationship and stage are required")
    reg = _option(Register, register, "register")
    pur = _option(Purpose, purpose, "purpose")
    return [
        t
        for t in load_templates()
        if t.relationship == rel
        and t.stage == stg
        and (reg is None or t.register == reg)
        and (pur is None or t.purpose == pur)
    ]


def templates_of_purpose(relationship: str, purpose: str) -> list[Template]:
    """Templates of one relationship with one purpose, any stage, in file order."""
    rel = parse_relationship(relationship)
    if rel is None:
        raise ValueError("relationship is required")
    pur = Purpose(purpose)
    return [t for t in load_templates() if t.relationship == rel and t.purpose == pur]
