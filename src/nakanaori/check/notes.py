"""Whole-message judgements (register vs relationship, heaviness, piled apologies, missing elements)
and the 0–100 score, driven by ``knowledge/message_checks.yaml``."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..knowledge.loader import KNOWLEDGE_DIR, cached, invalid, load_model
from ..labels import GOOD_LABELS, LABEL_JA, LABELS, NG_LABELS, Relationship, Stage
from ..text.analysis import Analysis, Token
from ..text.lexicon import lexicon
from .findings import Finding, Note, Verdict
from .questions import questions, releases_reply

try:  # has_words in C (built by make setup); _py_has_words is the reference
    from ..text import _speedups
except ImportError:  # pragma: no cover - a source tree without the built extension
    _speedups = None  # type: ignore[assignment]
if os.environ.get("NAKANAORI_PYTHON_LOOPS"):  # the Python reference, for benchmarks side by side
    _speedups = None  # type: ignore[assignment]

MESSAGE_CHECKS_FILE = KNOWLEDGE_DIR / "message_checks.yaml"


Presence = Literal["reply_release", "care_question"]


class StageNeed(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    labels: list[str]
    message: str
    # the need is also met when the text shows one of these (the analyser may miss the label, and the note must
    # never ask for what the text already has): words in order within one of the sender's sentences
    # (dictionary or surface forms), or a presence check of check/questions.py
    met_by_words: list[list[str]] = Field(default_factory=list)
    met_by: list[Presence] = Field(default_factory=list)


class ScoreBands(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    send: tuple[int, int]
    improve: tuple[int, int]
    counter: tuple[int, int]


class ScoreBandNames(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    send: str
    improve: str
    counter: str


class ScoreConfig(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    bands: ScoreBands
    # what each stage values (domain.md §4, §6): the weight of each good element; "default" without a stage
    values: dict[str, dict[str, int]]
    improve_step: int  # each further place to fix costs this much inside the band
    counter_step: int
    ng: dict[str, int]  # how much each NG label weighs when ordering the next edits
    notes: dict[str, int]
    note: str  # explains the number: "{lo}〜{hi} 点 …"
    names: ScoreBandNames
    note_values: str
    note_missing: str


class VerdictTexts(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    send: str
    improve: str
    counter: str
    none: str


class VerdictSummaries(VerdictTexts):
    counter_many: str


class VerdictConfig(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    counter_labels: list[str]
    # labels that make a message backfire at these stages only (pressing while they need space, joking right after)
    counter_by_stage: dict[Stage, list[str]]
    # this many NG places also make it likely to backfire
    counter_ng_count: int
    fix_notes: list[str]
    headline: VerdictTexts
    summary: VerdictSummaries


class StageWarning(BaseModel):
    """A good element that works against the stage (an apology reopened when it is settled, a promise that reads as
    persuasion after a rejection): a place to fix."""

    model_config = ConfigDict(defer_build=True, extra="forbid")
    stages: list[Stage]
    labels: list[str]
    message: str
    # a finding with one of these words does not count (ご決定を真摯に受け止めます accepts, it does not persuade)
    unless_words: list[str] = Field(default_factory=list)


def _inside(analysis: Analysis, f: Finding) -> list[Token]:
    """The tokens that begin inside the finding's span (of the user's text)."""
    norm = analysis.normalized
    # a token's original start, as norm.to_original(t.begin, t.end)[0] (Sudachi reads … as three periods:
    # two of them are empty tokens, at the end of the text after a final …)
    starts, n, size = norm.starts, len(norm.starts), len(norm.original)
    lo, hi = f.start, f.end
    return [t for t in analysis.tokens if lo <= (starts[t.begin] if t.begin < n else size) < hi]


def _has_any_word(analysis: Analysis, f: Finding, words: list[str]) -> bool:
    return any(t.lemma in words or t.surface in words for t in _inside(analysis, f))


class FindingText(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    why: str
    hint: str


class MessageChecks(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    no_japanese: str
    expected_registers: dict[Relationship, list[str]]
    register_mismatch: dict[Relationship, dict[str, str]]
    register_tips: dict[Relationship, dict[str, str]]
    light_stages: list[Stage]
    heavy_chars: int
    heavy_long: str
    heavy_question: str
    piled_apology_count: int
    piled_apology: str
    stage_needs: dict[Stage, StageNeed]
    stage_warnings: dict[str, StageWarning]
    apology_without_change: str
    vague_will_words: list[list[str]]
    vague_commitment: str
    vague_commitment_finding: FindingText
    no_good_elements: str
    score: ScoreConfig
    verdict: VerdictConfig

    def no_japanese_verdict(self) -> Verdict:
        v = self.verdict
        return Verdict(level="none", headline=v.headline.none, fix_count=0, summary=v.summary.none)

    def earned(self, analysis: Analysis, findings: list[Finding]) -> list[Finding]:
        """Praise is earned: a commitment that is only a will to change (今後は気をつけます) keeps its label
        (labels.md) but says so, and asks for the concrete change."""
        text = self.vague_commitment_finding
        return [
            f.model_copy(update={"why": text.why, "hint": text.hint})
            if f.label == "commitment" and is_vague_commitment(analysis, f)
            else f
            for f in findings
        ]

    def counter_labels_for(self, stage: Stage | None) -> list[str]:
        extra = self.verdict.counter_by_stage.get(stage, []) if stage is not None else []
        return list(dict.fromkeys([*self.verdict.counter_labels, *extra]))

    def compute_verdict(
        self, findings: list[Finding], labels: list[str], notes: list[Note], stage: Stage | None = None
    ) -> Verdict:
        """The verdict for the stage: each NG place and each of the stage's whole-message warnings is a place
        to fix; the stage's counter labels or ``counter_ng_count`` NG places make it likely to backfire."""
        v = self.verdict
        places = {(f.label, f.start, f.end) for f in findings if f.kind == "ng"}
        fix_count = len(places) + sum(1 for n in notes if n.code in v.fix_notes and n.severity == "warning")
        counter = self.counter_labels_for(stage)
        severe = [x for x in labels if x in counter]
        if severe:
            summary = v.summary.counter.format(labels="・".join(f"「{LABEL_JA[x]}」" for x in severe))
            return Verdict(level="counter", headline=v.headline.counter, fix_count=fix_count, summary=summary)
        if len(places) >= v.counter_ng_count:
            return Verdict(
                level="counter", headline=v.headline.counter, fix_count=fix_count, summary=v.summary.counter_many
            )
        if fix_count:
            return Verdict(
                level="improve",
                headline=v.headline.improve.format(n=fix_count),
                fix_count=fix_count,
                summary=v.summary.improve,
            )
        return Verdict(level="send", headline=v.headline.send, fix_count=0, summary=v.summary.send)

    def _need_met(self, analysis: Analysis, need: StageNeed, labels: list[str]) -> bool:
        if any(x in labels for x in need.labels):
            return True
        if "reply_release" in need.met_by and releases_reply(analysis):
            return True
        if "care_question" in need.met_by and any(q.kind == "care" for q in questions(analysis)):
            return True
        return any(has_words(analysis, seq) for seq in need.met_by_words)

    def judge(
        self,
        analysis: Analysis,
        register: str,
        findings: list[Finding],
        labels: list[str],
        rel: Relationship | None,
        stage: Stage | None,
    ) -> tuple[list[Note], list[str], bool | None]:
        notes: list[Note] = []
        expected: list[str] = []
        register_ok: bool | None = None
        if rel is not None:
            expected = self.expected_registers[rel]
            msg = self.register_mismatch.get(rel, {}).get(register)
            register_ok = msg is None
            if msg is not None:
                notes.append(Note(code="register_mismatch", severity="warning", message=msg))
            tip = self.register_tips.get(rel, {}).get(register)
            if tip is not None:
                notes.append(Note(code="register_tip", severity="info", message=tip))
        if stage is not None and stage in self.light_stages:
            body = len(analysis.text.strip())
            if body > self.heavy_chars:
                notes.append(Note(code="heavy_long", severity="warning", message=self.heavy_long))
            # a care question (少しは落ち着いた?) is fine; one that asks for a reply, a meeting or forgiveness is not
            demanding = any(q.kind == "demand" for q in questions(analysis))
            if demanding and "rushing" not in labels:
                notes.append(Note(code="heavy_question", severity="warning", message=self.heavy_question))
        apologies = sum(1 for f in findings if f.label == "apology")
        if apologies >= self.piled_apology_count:
            notes.append(Note(code="piled_apology", severity="info", message=self.piled_apology))
        if stage is not None:
            need = self.stage_needs.get(stage)
            if need is not None and not self._need_met(analysis, need, labels):
                wanted = "・".join(LABEL_JA[x] for x in need.labels)
                notes.append(
                    Note(
                        code="stage_needs",
                        severity="warning",
                        message=need.message,
                        suggestion=f"足りない要素: {wanted}",
                    )
                )
            for code, w in self.stage_warnings.items():
                if stage in w.stages and any(
                    f.label in w.labels and not _has_any_word(analysis, f, w.unless_words) for f in findings
                ):
                    notes.append(Note(code=code, severity="warning", message=w.message))
        commitments = [f for f in findings if f.label == "commitment"]
        will_only = not commitments and any(has_words(analysis, seq) for seq in self.vague_will_words)
        if "apology" in labels and not commitments and not will_only and stage in (None, Stage.just_apologized):
            notes.append(Note(code="apology_without_change", severity="info", message=self.apology_without_change))
        if will_only or (commitments and all(is_vague_commitment(analysis, f) for f in commitments)):
            notes.append(Note(code="vague_commitment", severity="info", message=self.vague_commitment))
        if not any(x in labels for x in GOOD_LABELS):
            severity = "warning" if stage is None else "info"  # with a stage, stage_needs says what to add
            notes.append(Note(code="no_good_elements", severity=severity, message=self.no_good_elements))
        return notes, expected, register_ok

    def stage_values(self, stage: Stage | None) -> dict[str, int]:
        return self.score.values.get(stage.value if stage is not None else "default", self.score.values["default"])

    def compute_score(
        self,
        findings: list[Finding],
        labels: list[str],
        notes: list[Note],
        stage: Stage | None,
        verdict: Verdict,
        vague: bool = False,
    ) -> tuple[int, str, list[str]]:
        """The number inside the verdict's band (it can never contradict the verdict), how it was reached, and the
        three most useful next edits.

        Inside the band, the number rises with the share of what the stage values that the message has (a vague
        promise counts half) and falls with each further place to fix."""
        w = self.score
        values = self.stage_values(stage)
        total = sum(values.values()) or 1
        have = sum((values[x] / 2 if x == "commitment" and vague else values[x]) for x in labels if x in values)
        share = min(1.0, have / total)
        level = verdict.level if verdict.level != "none" else "counter"
        lo, hi = getattr(w.bands, level)
        places = verdict.fix_count
        if level == "send":
            score = lo + round((hi - lo) * share)
        elif level == "improve":
            score = hi - w.improve_step + round(w.improve_step * share) - w.improve_step * max(0, places - 1)
        else:
            severe = [x for x in labels if x in self.counter_labels_for(stage)]
            extra = max(0, len(severe) - 1) + max(0, places - max(1, len(severe)))
            score = hi - 4 - w.counter_step * extra + round(4 * share)
        score = max(lo, min(hi, score))
        key = (id(self), stage, level, tuple(labels))
        hit = _EXPLAINED.get(key)
        if hit is not None and hit[0] is self:
            explained = hit[1]
        else:
            present = [f"「{LABEL_JA[x]}」" for x in values if x in labels]
            missing = [f"「{LABEL_JA[x]}」" for x in values if x not in labels]
            explained = w.note.format(lo=lo, hi=hi, name=getattr(w.names, level))
            if present:
                explained += w.note_values.format(labels="".join(present))
            if missing and level != "counter":
                explained += w.note_missing.format(labels="".join(missing[:3]))
            if len(_EXPLAINED) > 20_000:  # other checks files came and went (tests load their own): start again
                _EXPLAINED.clear()
            _EXPLAINED[key] = (self, explained)
        # the three most useful next edits: worst NG first, then the whole-message notes
        edits: list[tuple[int, str]] = []
        seen: set[str] = set()
        for f in sorted((f for f in findings if f.kind == "ng"), key=lambda f: -w.ng.get(f.label, 0)):
            if f.label in seen:
                continue
            seen.add(f.label)
            if f.suggestion:
                fix = f"「{f.text}」→「{f.suggestion}」"
            elif f.suggestion == "":
                fix = f"「{f.text}」を消す"
            else:
                fix = f"「{f.text}」を見直す"
            if f.hint:
                fix += f"（{f.hint}）"
            edits.append((w.ng.get(f.label, 0) + 100, f"{LABEL_JA[f.label]}：{fix}"))
        for n in notes:
            if n.severity in ("warning", "info") and n.code != "no_good_elements":
                edits.append((w.notes.get(n.code, 1), n.message))
        edits.sort(key=lambda e: -e[0])
        return score, explained, [e[1] for e in edits[:3]]


# (id of a checks file, stage, level, labels) -> (that file, how the score was reached): the explanation depends on
# these alone (the file is kept so that its id stays its own; checks files are read-only once loaded)
_EXPLAINED: dict[tuple[int, Stage | None, str, tuple[str, ...]], tuple[MessageChecks, str]] = {}


def has_words(analysis: Analysis, words: list[str]) -> bool:
    """Whether one of the sender's own sentences has *words* in this order (each a dictionary or surface form of
    one morpheme), outside quotes, the other person's words and negated predicates."""
    if _speedups is not None and analysis.tokens:
        return _speedups.has_words(analysis.tokens, words)
    return _py_has_words(analysis, words)


def _py_has_words(analysis: Analysis, words: list[str]) -> bool:
    """:func:`has_words` in Python (the reference of ``nakanaori.text._speedups.has_words``)."""
    for s in analysis.sentences:
        k = 0
        for t in analysis.tokens[s.start_token : s.end_token]:
            if t.quote or t.other or t.reported or t.negated:
                continue
            if t.lemma == words[k] or t.surface == words[k]:
                k += 1
                if k == len(words):
                    return True
    return False


def is_vague_commitment(analysis: Analysis, f: Finding) -> bool:
    """A will to change that names no concrete change (今後は気をつけます, 二度と同じことはしません): the content
    words of its clauses are only time words and the generic words of ``vague_commitment_words`` (lexicon)."""
    key = f"vague_commitment:{f.start}:{f.end}"  # asked by earned() and judge() for the same findings
    cached_answer = analysis.derived.get(key)
    if cached_answer is not None:
        return bool(cached_answer)
    generic = lexicon().words("vague_commitment_words")
    clauses = {(t.sent, t.clause) for t in _inside(analysis, f)}  # the clause says what is changed (言い方を|改めます)
    content = []
    for t in analysis.tokens:
        if (t.sent, t.clause) not in clauses:
            continue
        if t.pos_str.startswith(("名詞", "動詞", "形容詞", "形状詞", "副詞")) and not t.pos_str.startswith(
            ("名詞,数詞", "動詞,非自立可能", "形容詞,非自立可能", "名詞,普通名詞,副詞可能", "名詞,普通名詞,助数詞可能")
        ):
            content.append(t)
    answer = all(t.lemma in generic or t.surface in generic for t in content)
    analysis.derived[key] = answer
    return answer


def load_message_checks_from(path: Path) -> MessageChecks:
    mc = load_model(path, MessageChecks, "message checks file")
    problems = [
        (f"stage_needs.{stage.value}.labels", f"unknown label {x!r}")
        for stage, need in mc.stage_needs.items()
        for x in need.labels
        if x not in LABELS
    ]
    problems += [
        ("verdict.counter_labels", f"not an NG label {x!r}") for x in mc.verdict.counter_labels if x not in NG_LABELS
    ]
    problems += [
        (f"verdict.counter_by_stage.{stage.value}", f"not an NG label {x!r}")
        for stage, xs in mc.verdict.counter_by_stage.items()
        for x in xs
        if x not in NG_LABELS
    ]
    problems += [
        (f"stage_warnings.{code}.labels", f"not a good label {x!r}")
        for code, w in mc.stage_warnings.items()
        for x in w.labels
        if x not in GOOD_LABELS
    ]
    problems += [
        (f"score.values.{key}", f"not a good label {x!r}")
        for key, values in mc.score.values.items()
        for x in values
        if x not in GOOD_LABELS
    ]
    problems += [
        (f"score.values.{key}", "neither a stage nor 'default'")
        for key in mc.score.values
        if key != "default" and key not in {s.value for s in Stage}
    ]
    if "default" not in mc.score.values:
        problems.append(("score.values", "needs a 'default' entry (no stage)"))
    bands = mc.score.bands
    if not (
        bands.counter[0] <= bands.counter[1] < bands.improve[0] <= bands.improve[1] < bands.send[0] <= bands.send[1]
    ):
        problems.append(("score.bands", "the bands must be ordered counter < improve < send and not overlap"))
    if problems:
        raise invalid(path, "message checks file", problems)
    return mc


@lru_cache(maxsize=1)
def load_message_checks() -> MessageChecks:
    return cached("message_checks", lambda: load_message_checks_from(MESSAGE_CHECKS_FILE))
