"""Whole-message judgements (register vs relationship, heaviness, piled apologies, missing elements)
and the 0–100 score, driven by ``knowledge/message_checks.yaml``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from ..knowledge.loader import KNOWLEDGE_DIR, cached, invalid, load_model
from ..labels import GOOD_LABELS, LABEL_JA, LABELS, NG_LABELS, Relationship, Stage
from ..text.analysis import Analysis
from .findings import Finding, Note, Verdict

MESSAGE_CHECKS_FILE = KNOWLEDGE_DIR / "message_checks.yaml"


class StageNeed(BaseModel):
    model_config = ConfigDict(extra="forbid")
    labels: list[str]
    message: str


class ScoreWeights(BaseModel):
    model_config = ConfigDict(extra="forbid")
    base: int
    good: dict[str, int]
    ng: dict[str, int]
    notes: dict[str, int]


class VerdictTexts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    send: str
    improve: str
    counter: str
    none: str


class VerdictSummaries(VerdictTexts):
    counter_many: str


class VerdictConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    counter_labels: list[str]
    counter_fix_count: int
    fix_notes: list[str]
    headline: VerdictTexts
    summary: VerdictSummaries


class MessageChecks(BaseModel):
    model_config = ConfigDict(extra="forbid")

    no_japanese: str
    expected_registers: dict[Relationship, list[str]]
    register_mismatch: dict[Relationship, dict[str, str]]
    light_stages: list[Stage]
    heavy_chars: int
    heavy_long: str
    heavy_question: str
    piled_apology_count: int
    piled_apology: str
    stage_needs: dict[Stage, StageNeed]
    apology_without_change: str
    no_good_elements: str
    score: ScoreWeights
    verdict: VerdictConfig

    def no_japanese_verdict(self) -> Verdict:
        v = self.verdict
        return Verdict(level="none", headline=v.headline.none, fix_count=0, summary=v.summary.none)

    def compute_verdict(self, findings: list[Finding], labels: list[str], notes: list[Note]) -> Verdict:
        """The verdict for the stage: each NG place and each of the stage's whole-message warnings is a place
        to fix; the labels in ``counter_labels`` or ``counter_fix_count`` places make it likely to backfire."""
        v = self.verdict
        places = {(f.label, f.start, f.end) for f in findings if f.kind == "ng"}
        fix_count = len(places) + sum(1 for n in notes if n.code in v.fix_notes)
        severe = [x for x in labels if x in v.counter_labels]
        if severe:
            summary = v.summary.counter.format(labels="・".join(f"「{LABEL_JA[x]}」" for x in severe))
            return Verdict(level="counter", headline=v.headline.counter, fix_count=fix_count, summary=summary)
        if fix_count >= v.counter_fix_count:
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
        if stage is not None and stage in self.light_stages:
            body = len(analysis.text.strip())
            if body > self.heavy_chars:
                notes.append(Note(code="heavy_long", severity="warning", message=self.heavy_long))
            if _asks_question(analysis) and "rushing" not in labels:
                notes.append(Note(code="heavy_question", severity="warning", message=self.heavy_question))
        apologies = sum(1 for f in findings if f.label == "apology")
        if apologies >= self.piled_apology_count:
            notes.append(Note(code="piled_apology", severity="info", message=self.piled_apology))
        if stage is not None:
            need = self.stage_needs.get(stage)
            if need is not None and not any(x in labels for x in need.labels):
                wanted = "・".join(LABEL_JA[x] for x in need.labels)
                notes.append(
                    Note(
                        code="stage_needs",
                        severity="warning",
                        message=need.message,
                        suggestion=f"足りない要素: {wanted}",
                    )
                )
        if "apology" in labels and "commitment" not in labels and stage in (None, Stage.just_apologized):
            notes.append(Note(code="apology_without_change", severity="info", message=self.apology_without_change))
        if not any(x in labels for x in GOOD_LABELS):
            notes.append(Note(code="no_good_elements", severity="info", message=self.no_good_elements))
        return notes, expected, register_ok

    def compute_score(
        self, findings: list[Finding], labels: list[str], notes: list[Note], stage: Stage | None
    ) -> tuple[int, list[str]]:
        w = self.score
        s = w.base + sum(w.good.get(x, 0) for x in labels if x in GOOD_LABELS)
        s -= sum(w.ng.get(x, 0) for x in labels if x in NG_LABELS)
        s -= sum(w.notes.get(n.code, 0) for n in notes)
        score = max(0, min(100, s))
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
        return score, [e[1] for e in edits[:3]]


def _asks_question(analysis: Analysis) -> bool:
    for s in analysis.sentences:
        toks = analysis.tokens[s.start_token : s.end_token]
        if any(t.surface in ("?",) for t in toks):
            return True
        if any(t.surface in ("か", "の") and t.pos_str.startswith("助詞,終助詞") for t in toks[-3:]):
            return True
    return False


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
    if problems:
        raise invalid(path, "message checks file", problems)
    return mc


@lru_cache(maxsize=1)
def load_message_checks() -> MessageChecks:
    return cached("message_checks", lambda: load_message_checks_from(MESSAGE_CHECKS_FILE))
