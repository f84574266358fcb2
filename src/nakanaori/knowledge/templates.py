"""Message templates: fresh Japanese follow-up messages for each relationship × stage.

YAML under ``knowledge/templates/``, one file per relationship (``partner.yaml`` …). Each file is
``{relationship: R, templates: [{id, stage, register, text, elements}, ...]}``; unknown keys are
errors, and every error names the file and the template id. Ids are unique across all files.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..labels import GOOD_LABELS, Register, Relationship, Stage, parse_relationship, parse_stage
from .loader import KnowledgeError
from .yamlio import load_directory, load_yaml

TEMPLATES_DIR = Path(__file__).parent / "templates"

# "register" is the contract's field name; pydantic warns that it shadows BaseModel.register (harmless).
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)

# Registers that fit each relationship (labels.md §1): casual/polite for close people,
# 敬語 or です・ます for work.
RELATIONSHIP_REGISTERS: dict[Relationship, tuple[Register, ...]] = {
    Relationship.partner: (Register.casual, Register.polite),
    Relationship.friend: (Register.casual, Register.polite),
    Relationship.family: (Register.casual, Register.polite),
    Relationship.work: (Register.honorific, Register.polite),
}

# What a message needs at each stage (domain.md §4, §6): every group must be present, and a group
# is satisfied by any one of its labels.
STAGE_ELEMENTS: dict[Stage, tuple[tuple[str, ...], ...]] = {
    Stage.just_apologized: (("gratitude",),),
    Stage.days_later: (("forward",),),
    Stage.not_forgiven: (("patience",),),
    Stage.cold: (("patience", "empathy"),),
    Stage.no_reply: (("patience",),),
    Stage.rejected: (("gratitude",),),
    Stage.awkward: (("forward",),),
    Stage.distance: (("patience",),),
    Stage.not_my_fault: (("empathy",),),
    Stage.improve: (("commitment",), ("forward",)),
}

# Stages where the other person has not answered or needs space: keep it LINE-short.
SHORT_STAGES: frozenset[Stage] = frozenset(
    {Stage.no_reply, Stage.distance, Stage.not_forgiven, Stage.cold, Stage.rejected}
)
SHORT_MAX_CHARS = 80


def missing_stage_elements(stage: str | Stage, labels: list[str] | set[str] | tuple[str, ...]) -> list[str]:
    """The groups of :data:`STAGE_ELEMENTS` not covered by ``labels``, as ``"a"`` or ``"a|b"``."""
    stg = Stage(stage)
    have = set(labels)
    return ["|".join(group) for group in STAGE_ELEMENTS[stg] if not have.intersection(group)]


class Template(BaseModel):
    """One ready-to-send message. ``elements`` = the good labels of labels.md the text contains."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z]+\.[a-z_]+\.[a-z0-9_]+$")
    relationship: Relationship
    stage: Stage
    register: Register = Field(...)  # required (see CheckReport.register)
    text: str = Field(min_length=2, max_length=400)
    elements: list[str] = Field(min_length=1)

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


class _TemplateFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    relationship: Relationship
    # pairs deliberately left out, with the reason (documentation only)
    omitted: dict[str, str] = Field(default_factory=dict)
    templates: list[_TemplateIn] = Field(min_length=1)


def _errors(path: Path, data: object, exc: ValidationError, tid: str | None = None) -> str:
    lines = [f"{path.name}: invalid template file"]
    for err in exc.errors():
        loc = list(err["loc"])
        where = ".".join(str(x) for x in loc)
        ident = tid
        if ident is None and len(loc) >= 2 and loc[0] == "templates" and isinstance(loc[1], int):
            try:
                ident = str(data["templates"][loc[1]].get("id", ""))  # type: ignore[index]
            except (KeyError, IndexError, AttributeError, TypeError):
                ident = None
        prefix = f"template {ident!r} " if ident else ""
        lines.append(f"  {path.name}: {prefix}at {where}: {err['msg']}")
    return "\n".join(lines)


def load_template_file(path: Path) -> list[Template]:
    try:
        data = load_yaml(path)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: YAML error: {exc}") from None
    try:
        parsed = _TemplateFile.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(_errors(path, data, exc)) from None
    if path.stem != parsed.relationship.value:
        rel = parsed.relationship.value
        raise KnowledgeError(f"{path.name}: relationship {rel!r} does not match the file name")
    out: list[Template] = []
    prefix_rel = parsed.relationship.value
    for raw in parsed.templates:
        try:
            out.append(
                Template.model_validate(
                    {
                        "id": raw.id,
                        "relationship": parsed.relationship,
                        "stage": raw.stage,
                        "register": raw.register,
                        "text": raw.text.strip(),
                        "elements": raw.elements,
                    }
                )
            )
        except ValidationError as exc:
            raise KnowledgeError(_errors(path, data, exc, tid=raw.id)) from None
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


def templates_for(relationship: str, stage: str, register: str | None = None) -> list[Template]:
    """Templates of one relationship × stage, optionally of one register, in file order.

    Raises ``ValueError`` (with a clear message) for unknown relationship, stage or register values.
    """
    rel = parse_relationship(relationship)
    stg = parse_stage(stage)
    if rel is None or stg is None:
        raise ValueError("relationship and stage are required")
    reg: Register | None = None
    if register is not None and register != "":
        try:
            reg = Register(register.strip().lower())
        except ValueError:
            choices = ", ".join(r.value for r in Register)
            raise ValueError(f"unknown register {register!r}; choose one of: {choices}") from None
    return [
        t for t in load_templates()
        if t.relationship == rel and t.stage == stg and (reg is None or t.register == reg)
    ]
