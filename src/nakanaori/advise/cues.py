"""Situation cues as rules of the shared engine: ``knowledge/situations.yaml`` and its schema.

A cue is evidence for a stage with a weight: a sequence of words matched on morphemes (``seq``) or a
piece of text (``text``), with scope conditions. Each cue compiles to a :class:`CueRule`, a pattern rule
of :mod:`nakanaori.check.engine` (one dispatch pass runs them all on the message's one
:class:`~nakanaori.text.analysis.Analysis`), whose predicates are :data:`~nakanaori.advise.predicates.CUE_CHECKS`:

* ``seq: [A|B, C]`` — one word per item (surface, dictionary or normalised form, or up to four
  morphemes joined: 音沙汰 = 音+沙汰), at most ``gap`` morphemes between items (the fewest first), never
  across punctuation or a sentence end;
* ``text: 縁切`` — a piece of the text that starts on a morpheme boundary;
* ``negated: true|false|any`` — ``negated`` / ``not_negated`` / either (absent: a positive cue does not
  count when negated: 距離を置かれたくなくて is no evidence of distance; ``any`` is for a word whose clause
  may end in a negation that is not about it: そもそも何もしてないのに);
* ``scope: other`` — every matched morpheme is in the other person's words; ``self`` — none is quoted;
* ``with`` / ``without`` — words that must / must not occur in the same sentence;
* ``quote_only`` — the match is all a 「…」 says (「了解」: a curt reply);
* a positive cue does not count for an event only feared (既読スルーされたらどうしよう), and a sign of the
  other's behaviour (cold, no_reply) does not count for the sender's own act (冷たく当たってしまった).

The weights, the confidence bands and the fit table (``decision``, ``relationship_scoring``) are data
beside the cues; :mod:`nakanaori.advise.stage` and :mod:`nakanaori.advise.relationship` apply them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..check.predicates import Predicate
from ..check.rules import Examples, PatternRule, TokenSpec
from ..knowledge.loader import KNOWLEDGE_DIR, load_model
from ..labels import Relationship, Stage
from .predicates import CUE_CHECKS

SITUATIONS_FILE = KNOWLEDGE_DIR / "situations.yaml"
OTHERS_BEHAVIOUR = {"cold", "no_reply"}  # stages that are signs of the other's behaviour

# punctuation or space (a long-vowel mark or a tilde belongs to the word)
_BREAK = TokenSpec.model_validate({"pos": ["補助記号", "空白"], "not": {"s": ["ー", "〜"]}})


class CueRule(PatternRule):
    """A cue compiled into an engine rule: evidence for ``stage`` (None: the other has forgiven)."""

    PREDICATES: ClassVar[Mapping[str, Predicate]] = CUE_CHECKS

    id: str
    stage: str | None
    weight: float
    examples: Examples = Field(default_factory=Examples)

    @classmethod
    def from_cue(cls, cue: Cue, stage: str | None, number: int) -> CueRule:
        data: dict[str, Any] = {
            "id": cue.id or f"{stage or 'forgiven'}.{number}",
            "stage": stage,
            "weight": cue.weight,
            "examples": cue.examples,
            "exclude_scopes": ["other", "own_quote"] if cue.scope == "self" else [],
            "require_scopes": ["other"] if cue.scope == "other" else [],
            "ends": "first",  # the fewest-gap reading of the words, or none
        }
        if cue.seq is not None:
            pattern: list[dict[str, Any]] = []
            for k, item in enumerate(cue.seq):
                if k and cue.gap:
                    pattern.append({"op": "*?", "max": cue.gap, "not": _BREAK})
                word: dict[str, Any] = {"word": [a for a in item.split("|") if a]}
                if k:
                    word["not"] = _BREAK
                pattern.append(word)
            data["patterns"] = [pattern]
        else:
            data["text"] = [cue.text]
        checks: list[Any] = []
        if cue.negated is True:
            checks.append("negated")
        elif cue.negated == "any":
            pass
        elif cue.negated is False or cue.weight > 0:
            checks.append("not_negated")  # a denied event is no evidence (絶交にならなくてよかった)
        if cue.with_:
            checks.append({"name": "sentence_has", "args": {"words": cue.with_}})
        if cue.without:
            checks.append({"name": "sentence_lacks", "args": {"words": cue.without}})
        if cue.quote_only:
            checks.append("whole_quote")
        if cue.weight > 0:
            checks.append("not_feared")
            if stage in OTHERS_BEHAVIOUR:
                checks.append("not_own_act")
        data["check"] = checks
        return cls.model_validate(data)


class ConfidenceBands(BaseModel):
    model_config = ConfigDict(extra="forbid")

    strong_at: float  # evidence at which a fitting stage is read with `strong` confidence
    strong: float
    fit: float
    rival_penalty: float  # another stage fits strongly too
    rival_exempt: list[Stage]  # stages that never count as rivals
    lean_at: float  # no stage fits: the best one with this much evidence
    lean: float
    weak: float
    forgiven_only: float  # nothing but "forgiven" was read
    nothing: float


class ForgivenBonus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    below_fit: dict[Stage, float]  # added to a stage with some evidence, not yet enough to fit
    later: dict[Stage, float]  # days since the apology >= 2
    today: dict[Stage, float]  # apologised today


class DayBonus(BaseModel):
    model_config = ConfigDict(extra="forbid")

    today: dict[Stage, float]
    yesterday: dict[Stage, float]
    later: dict[Stage, float]


class ModelFallback(BaseModel):
    """No stage fits: the learned stage reader decides, the weak cues and day bonuses adding a little."""

    model_config = ConfigDict(extra="forbid")

    cue_weight: float = Field(ge=0.0)  # per unit of weak cue evidence, added to the model's probability
    confidence_cap: float = Field(gt=0.0, le=1.0)  # a stage read by the model is never surer than this
    min_confidence: float = Field(ge=0.0, le=1.0)  # below this the model is guessing: the rules' prior stands
    # cue ids that are a generic prior only (「謝ったけど」): their weight never makes a stage lean on its own
    prior_cues: list[str] = Field(default_factory=list)
    # stages whose evidence is mostly the days (a prior too): the model decides them, never a lean
    never_lean: list[Stage] = Field(default_factory=list)


class Decision(BaseModel):
    """How evidence becomes a stage: the fit table (precedence and threshold), bonuses and bands."""

    model_config = ConfigDict(extra="forbid")

    precedence: list[Stage]  # labels.md §3: when several stages fit, the first of this order wins
    fit: float  # evidence a stage needs to fit
    days: DayBonus
    forgiven: ForgivenBonus
    confidence: ConfidenceBands
    model: ModelFallback


class RelationshipConfidence(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clear_gap: float
    clear: float
    gap: float
    lean: float
    close: float
    context_gap: float
    context: float
    context_weak: float
    nothing: float


class RelationshipScoring(BaseModel):
    """Weights of the words that name the other person, and the confidence bands."""

    model_config = ConfigDict(extra="forbid")

    person: float
    modifier: float  # 夫の実家, 部長の発言: a modifier, not the person of the story
    story: float  # added when the sentence tells the story (謝った, 喧嘩 …) and a particle targets the person
    in_other_words: float  # multiplier when the person is named only in the other's words
    first: float  # the first person named
    context: float
    partner_marker: float
    confidence: RelationshipConfidence


class Cue(BaseModel):
    """One piece of evidence: a morpheme sequence or a piece of text, with scope conditions."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seq: list[str] | None = None
    text: str | None = None
    gap: int = Field(default=2, ge=0, le=6)
    negated: bool | Literal["any"] | None = None
    scope: Literal["any", "other", "self"] = "any"
    with_: list[str] | None = Field(default=None, alias="with")
    without: list[str] | None = None
    quote_only: bool = False  # the match is all a bracketed quote says: 「了解」, 「で?」 (a curt reply)
    weight: float = Field(default=1.0, ge=-3.0, le=3.0)
    id: str | None = Field(default=None, pattern=r"^[a-z_]+\.[a-z0-9_]+$")  # default: stage.N (1-based)
    examples: Examples = Field(default_factory=Examples)  # texts the cue must / must not fire on

    @model_validator(mode="after")
    def _one_form(self) -> Cue:
        if (self.seq is None) == (self.text is None):
            raise ValueError("a cue needs exactly one of seq / text")
        if self.seq is not None and (not self.seq or any(not s.strip() for s in self.seq)):
            raise ValueError("seq items must be non-empty")
        if self.text is not None and not self.text.strip():
            raise ValueError("text must be non-empty")
        return self


class Ambiguous(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default: Relationship
    friend: list[str] = Field(default_factory=list)
    work: list[str] = Field(default_factory=list)
    family: list[str] = Field(default_factory=list)
    partner: list[str] = Field(default_factory=list)


class RelationshipWords(BaseModel):
    model_config = ConfigDict(extra="forbid")

    persons: list[str] = Field(min_length=1)
    context: list[str] = Field(default_factory=list)


class RelationshipLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner: RelationshipWords
    friend: RelationshipWords
    work: RelationshipWords
    family: RelationshipWords
    ambiguous: dict[str, Ambiguous] = Field(default_factory=dict)
    partner_markers: list[str] = Field(default_factory=list)
    # family persons who are in-laws: templates written for in-laws (audience in_law) are shown only then
    in_laws: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _in_laws_are_family(self) -> RelationshipLexicon:
        stray = [w for w in self.in_laws if w not in self.family.persons]
        if stray:
            raise ValueError(f"in_laws must be family persons: {stray}")
        return self


class Questions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    relationship: str = Field(min_length=4)
    stage_default: str = Field(min_length=4)
    stage: dict[Stage, str]

    @field_validator("stage")
    @classmethod
    def _all_stages(cls, v: dict[Stage, str]) -> dict[Stage, str]:
        missing = [s.value for s in Stage if s not in v]
        if missing:
            raise ValueError(f"a question is missing for: {', '.join(missing)}")
        return v


class Severities(BaseModel):
    model_config = ConfigDict(extra="forbid")

    serious: list[str] = Field(min_length=1)
    small: list[str] = Field(min_length=1)


class SituationLexicon(BaseModel):
    model_config = ConfigDict(extra="forbid")

    relationships: RelationshipLexicon
    stages: dict[Stage, list[Cue]]
    forgiven: list[Cue] = Field(default_factory=list)
    apology_words: list[str] = Field(min_length=1)
    channels: dict[Literal["line", "sns", "email", "phone", "in_person"], list[str]]
    severity: Severities
    questions: Questions
    # words that name somebody without saying who (あの人, 別の人, 相手): with a person's name or an act they
    # make a description one to ask about rather than refuse (issue 10 §4)
    anyone: list[str] = Field(default_factory=list)
    decision: Decision
    relationship_scoring: RelationshipScoring

    @model_validator(mode="after")
    def _compile(self) -> SituationLexicon:
        if len(self.decision.precedence) != len(Stage) or set(self.decision.precedence) != set(Stage):
            raise ValueError("decision.precedence must name every stage once")
        rules: list[CueRule] = []
        for stage, cues in self.stages.items():
            rules += [CueRule.from_cue(c, stage.value, k) for k, c in enumerate(cues, start=1)]
        self.__dict__["_stage_rules"] = tuple(rules)
        self.__dict__["_forgiven_rules"] = tuple(
            CueRule.from_cue(c, None, k) for k, c in enumerate(self.forgiven, start=1)
        )
        ids = [r.id for r in (*rules, *self.forgiven_rules)]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"cue ids must be unique: {', '.join(dupes)}")
        unknown = sorted(set(self.decision.model.prior_cues) - {r.id for r in rules})
        if unknown:
            raise ValueError(f"decision.model.prior_cues names no stage cue: {', '.join(unknown)}")
        return self

    @property
    def stage_rules(self) -> tuple[CueRule, ...]:
        """Every stage cue as an engine rule, in file order."""
        return self.__dict__["_stage_rules"]  # type: ignore[no-any-return]

    @property
    def forgiven_rules(self) -> tuple[CueRule, ...]:
        return self.__dict__["_forgiven_rules"]  # type: ignore[no-any-return]

    @field_validator("stages")
    @classmethod
    def _every_stage(cls, v: dict[Stage, list[Cue]]) -> dict[Stage, list[Cue]]:
        missing = [s.value for s in Stage if not v.get(s)]
        if missing:
            raise ValueError(f"no cues for stage(s): {', '.join(missing)}")
        return v


def load_situation_lexicon_from(path: Path) -> SituationLexicon:
    return load_model(path, SituationLexicon, "situation lexicon")


@lru_cache(maxsize=1)
def load_situation_lexicon() -> SituationLexicon:
    """The packaged cues and lexicon (validated, compiled, cached)."""
    return load_situation_lexicon_from(SITUATIONS_FILE)
