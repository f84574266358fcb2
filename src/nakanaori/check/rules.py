"""The rule files (``knowledge/rules/*.yaml``): their pydantic schema, and loading them.

A rule is a small typed record: a label, morpheme patterns, scope conditions, the reason it
helps or hurts, a suggestion for NG labels, and its own examples that must (``match``) and must
not (``no_match``) fire. Unknown keys are errors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..knowledge.loader import KNOWLEDGE_DIR, cached, load_directory, load_yaml, validate
from ..labels import LABELS, NG_LABELS
from .predicates import CHECKS, Bound, Predicate

RULES_DIR = KNOWLEDGE_DIR / "rules"
Regex = re.Pattern[str]  # (inside TokenSpec, ``re`` is a field)

# First-level parts of speech in SudachiDict (UniDic style).
POS1 = {
    "名詞",
    "代名詞",
    "形状詞",
    "連体詞",
    "副詞",
    "接続詞",
    "感動詞",
    "動詞",
    "形容詞",
    "助動詞",
    "助詞",
    "接頭辞",
    "接尾辞",
    "記号",
    "補助記号",
    "空白",
}
CFORM1 = {"語幹", "未然形", "意志推量形", "連用形", "終止形", "連体形", "仮定形", "命令形", "已然形"}

StrOrList = str | list[str]


def _as_list(v: StrOrList | None) -> list[str] | None:
    if v is None:
        return None
    return [v] if isinstance(v, str) else list(v)


class TokenSpec(BaseModel):
    """Conditions on one morpheme. Lists mean any-of; ``pos``/``cform``/``ctype`` match by prefix."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    s: list[str] | None = None  # surface
    lemma: list[str] | None = None  # dictionary form
    norm: list[str] | None = None  # Sudachi normalised form
    pos: list[str] | None = None  # prefix of "pos1,pos2,pos3,pos4"
    cform: list[str] | None = None  # prefix of the conjugation form (連用形, 終止形 ...)
    ctype: list[str] | None = None  # prefix of the conjugation type (五段, 助動詞-タ ...)
    re: str | None = None  # regular expression, full match on the surface
    # a word: one morpheme whose surface, dictionary or normalised form is one of these, or up to four
    # morphemes of one sentence, no punctuation between, whose surfaces joined are one (音沙汰 = 音+沙汰)
    word: list[str] | None = None
    any: bool = False  # any morpheme (a gap)
    not_: TokenSpec | None = Field(default=None, alias="not")
    op: Literal["1", "?", "*", "+", "*?"] = "1"  # *? takes as few as it can (a lazy gap)
    max: int = Field(default=4, ge=1, le=20)  # upper bound for *, *? and +

    _rx: Regex | None = None

    @field_validator("s", "lemma", "norm", "pos", "cform", "ctype", "word", mode="before")
    @classmethod
    def _listify(cls, v: StrOrList | None) -> list[str] | None:
        out = _as_list(v)
        if out is not None and (not out or any(not isinstance(x, str) or not x for x in out)):
            raise ValueError("must be a non-empty string or a list of non-empty strings")
        return out

    @field_validator("pos")
    @classmethod
    def _known_pos(cls, v: list[str] | None) -> list[str] | None:
        for p in v or []:
            if p.split(",")[0] not in POS1:
                raise ValueError(f"unknown part of speech {p!r} (this rule could never match)")
        return v

    @field_validator("cform")
    @classmethod
    def _known_cform(cls, v: list[str] | None) -> list[str] | None:
        for p in v or []:
            if p.split("-")[0] not in CFORM1:
                raise ValueError(f"unknown conjugation form {p!r} (this rule could never match)")
        return v

    @model_validator(mode="after")
    def _check(self) -> TokenSpec:
        conds = [self.s, self.lemma, self.norm, self.pos, self.cform, self.ctype, self.re, self.not_, self.word]
        if not self.any and all(c is None for c in conds):
            raise ValueError("a token needs at least one condition (or any: true)")
        if self.any and any(c is not None for c in conds):
            raise ValueError("any: true cannot be combined with other conditions")
        if self.word is not None and self.op != "1":
            raise ValueError("a word takes no quantifier")
        if self.re is not None:
            try:
                object.__setattr__(self, "_rx", re.compile(self.re))
            except re.error as exc:
                raise ValueError(f"bad regular expression {self.re!r}: {exc}") from None
        return self

    @property
    def rx(self) -> Regex | None:
        if self.re is None:
            return None
        if self._rx is None:
            object.__setattr__(self, "_rx", re.compile(self.re))
        return self._rx


Pattern = Annotated[list[TokenSpec], Field(min_length=1)]


class MatchExample(BaseModel):
    """A text the rule must fire on; optionally what it must highlight (``span``, as the text shows it)
    and what it must suggest there (``suggestion``, in the text's register)."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    span: str | None = Field(default=None, min_length=1)
    suggestion: str | None = None


class Examples(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    # texts where the rule must fire (for an NG rule: NG examples): a text, or {text, span?, suggestion?}
    match: list[MatchExample] = Field(default_factory=list)
    no_match: list[str] = Field(default_factory=list)  # texts where it must stay quiet (OK examples)

    @field_validator("match", mode="before")
    @classmethod
    def _texts(cls, v: object) -> object:
        return [{"text": x} if isinstance(x, str) else x for x in v] if isinstance(v, list) else v


# quote: inside 「」; reported: words reported with って/と + say; request: a clause asking the other person;
# negated: a negated predicate; other: the other person's words (「…」って言われた); own_quote: the sender's
# own quoted words (「ごめん」って言えた)
Scope = Literal["quote", "reported", "request", "negated", "other", "own_quote"]


_DEFAULT_EXCLUDED: tuple[Scope, ...] = ("quote", "reported")


class CheckCall(BaseModel):
    """A plain-Python predicate a rule names, with its arguments: ``check: own_future`` or
    ``check: {name: sentence_has, args: {words: [もう]}}``."""

    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    name: str
    args: dict[str, Any] = Field(default_factory=dict)


def _as_calls(v: object) -> object:
    if v is None:
        return []
    items = v if isinstance(v, list) else [v]
    return [{"name": x} if isinstance(x, str) else x for x in items]


class PatternRule(BaseModel):
    """What the engine matches: morpheme patterns (or text), scope conditions and predicates.

    Label rules (:class:`Rule`) and situation cues (``nakanaori.advise.cues``) are both pattern rules;
    each kind names the predicates its ``check`` may use (:attr:`PREDICATES`)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    PREDICATES: ClassVar[Mapping[str, Predicate]] = CHECKS

    patterns: list[Pattern] = Field(default_factory=list)
    # regular expressions over the normalised sentence text for slang the tokenizer splits oddly
    # (ごめーん, てへぺろ); a match must begin and end on morpheme boundaries, so 「いつでも」 is not 「でも」
    regex: list[str] = Field(default_factory=list)
    # pieces of the normalised text that start on a morpheme boundary and may end inside one (縁切, フラれ)
    text: list[str] = Field(default_factory=list)
    # scopes in which the match does not count (default: quoted and reported speech)
    exclude_scopes: list[Scope] = Field(default_factory=lambda: list(_DEFAULT_EXCLUDED))
    require_scopes: list[Scope] = Field(default_factory=list)  # every matched morpheme must be in these
    not_before: list[Pattern] = Field(default_factory=list)  # must not directly follow the match
    not_after: list[Pattern] = Field(default_factory=list)  # must not directly precede the match
    sentence_requires: list[Pattern] = Field(default_factory=list)  # one must occur in the same sentence
    sentence_forbids: list[Pattern] = Field(default_factory=list)  # none may occur in the same sentence
    message_forbids: list[Pattern] = Field(default_factory=list)  # none may occur anywhere in the message
    # plain-Python predicates (all must hold): ``check: NAME``, ``{name, args}`` or a list of them
    check: list[CheckCall] = Field(default_factory=list)
    # where a match can start, the engine tries each way the pattern can end until one passes the
    # conditions ("all"), or only the first way ("first": a rejected first reading is no match)
    ends: Literal["all", "first"] = "all"

    @field_validator("check", mode="before")
    @classmethod
    def _calls(cls, v: object) -> object:
        return _as_calls(v)

    @field_validator("regex")
    @classmethod
    def _compile_regex(cls, v: list[str]) -> list[str]:
        for r in v:
            if not r:
                raise ValueError("empty regular expression")
            try:
                rx = re.compile(r)
            except re.error as exc:
                raise ValueError(f"bad regular expression {r!r}: {exc}") from None
            if rx.fullmatch(""):
                raise ValueError(f"regular expression {r!r} matches the empty string")
        return v

    @field_validator("text")
    @classmethod
    def _text(cls, v: list[str]) -> list[str]:
        if any(not x.strip() for x in v):
            raise ValueError("text pieces must be non-empty")
        return v

    @model_validator(mode="after")
    def _check_patterns(self) -> PatternRule:
        if not self.patterns and not self.regex and not self.text:
            raise ValueError("a rule needs at least one pattern, regex or text")
        for p in self.patterns:
            if all(t.op in ("?", "*", "*?") for t in p):
                raise ValueError("a pattern made only of optional tokens matches the empty string")
        bound = []
        for call in self.check:
            pred = self.PREDICATES.get(call.name)
            if pred is None:
                raise ValueError(f"unknown check {call.name!r}; known: {', '.join(sorted(self.PREDICATES))}")
            bound.append(pred.bind(call.args))
        self.__dict__["_bound_checks"] = tuple(bound)
        return self

    @property
    def bound_checks(self) -> tuple[Bound, ...]:
        """The rule's predicates with their arguments, ready to call as ``f(analysis, start, end)``."""
        return self.__dict__["_bound_checks"]  # type: ignore[no-any-return]

    @property
    def compiled_regex(self) -> list[re.Pattern[str]]:
        cached = self.__dict__.get("_compiled")
        if cached is None:
            cached = [re.compile(r) for r in self.regex]
            self.__dict__["_compiled"] = cached
        return cached


class Rule(PatternRule):
    """A label rule: a pattern rule with a label, the reason, a suggestion and its own examples."""

    id: str = Field(pattern=r"^[a-z_]+\.[a-z0-9_]+$")
    label: str
    why: str = Field(min_length=4)
    # replacement wording for NG rules: one text, or one per register (casual / polite / honorific)
    suggestion: str | dict[Literal["casual", "polite", "honorific"], str] | None = None
    hint: str | None = None  # how to change it, in a few words
    severity: Literal["info", "warning", "error"] | None = None
    span: Literal["match", "clause", "sentence"] = "match"
    examples: Examples

    @field_validator("label")
    @classmethod
    def _known_label(cls, v: str) -> str:
        if v not in LABELS:
            raise ValueError(f"unknown label {v!r}; labels are: {', '.join(LABELS)}")
        return v

    @model_validator(mode="after")
    def _check(self) -> Rule:
        if self.label in NG_LABELS and self.suggestion is None:
            raise ValueError('an NG rule needs a suggestion ("" means: delete the span)')
        if isinstance(self.suggestion, dict) and set(self.suggestion) != {"casual", "polite", "honorific"}:
            raise ValueError("a per-register suggestion needs casual, polite and honorific")
        return self

    @property
    def kind(self) -> str:
        return "ng" if self.label in NG_LABELS else "good"

    def suggestion_for(self, register: str) -> str | None:
        if isinstance(self.suggestion, dict):
            return self.suggestion.get(register) or self.suggestion["polite"]  # type: ignore[call-overload]
        return self.suggestion


class RuleFile(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    rules: list[Rule] = Field(min_length=1)


def load_rule_file(path: Path) -> list[Rule]:
    return validate(path, load_yaml(path), RuleFile, "rule file").rules


def load_rules_from(directory: Path) -> tuple[Rule, ...]:
    return load_directory(directory, load_rule_file, "rule")


@lru_cache(maxsize=1)
def load_rules() -> tuple[Rule, ...]:
    """All label rules of the packaged knowledge base (cached in the process, and on disk by
    :func:`nakanaori.knowledge.loader.cached`)."""
    return cached("rules", lambda: load_rules_from(RULES_DIR))
