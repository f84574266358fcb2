"""``check``: find the good and NG elements of a post-apology draft, with spans, reasons and fixes."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, Field

from ..errors import validate_text
from ..labels import GOOD_LABELS, LABEL_JA, LABELS, NG_LABELS, Relationship, Stage, parse_relationship, parse_stage
from ..text.analysis import Analysis, analyze
from ..text.normalize import utf16_offset
from .engine import run_rules, span_tokens
from .findings import Finding, Note, Verdict
from .notes import MessageChecks, load_message_checks
from .register import register_of
from .rules import Rule, load_rules

if TYPE_CHECKING:  # the model's modules load on the first check that uses it
    from .learned.combine import ModelTexts

# "register" is the contract's key name; pydantic warns that it shadows ABCMeta.register, which is harmless.
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)


class CheckReport(BaseModel):
    text: str
    relationship: str | None = None
    stage: str | None = None
    japanese: bool
    labels: list[str]
    good: list[str]
    ng: list[str]
    register: str = Field(...)  # required: without Field(...) pydantic would inherit ABCMeta.register as a default
    expected_registers: list[str] = Field(default_factory=list)
    register_ok: bool | None = None
    findings: list[Finding]
    notes: list[Note]
    verdict: Verdict
    score: int | None
    score_note: str | None = None  # how the number was reached (secondary to the verdict)
    next_edits: list[str]

    def has_ng(self) -> bool:
        return bool(self.ng)

    def commitments(self) -> list[Finding]:
        """The promises the message makes (one per distinct wording), for plans and the journal."""
        seen: set[str] = set()
        out: list[Finding] = []
        for f in self.findings:
            if f.label == "commitment" and f.text not in seen:
                seen.add(f.text)
                out.append(f)
        return out

    def sentence_around(self, start: int, end: int, limit: int = 120) -> str:
        """The sentence of the user's text that holds [start, end), spaces collapsed, so that a promise
        reads on its own (「次からは早めに出るね。」)."""
        text = self.text
        lo = start
        while lo > 0 and text[lo - 1] not in _SENTENCE_END:
            lo -= 1
        hi = end
        while hi < len(text) and text[hi - 1 : hi] not in _SENTENCE_END:
            hi += 1
        sentence = " ".join(text[lo:hi].split()) or text[start:end]
        return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


_SENTENCE_END = "。．.!?！？\n"
_LABEL_ORDER = {label: k for k, label in enumerate(LABELS)}


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # the characters that take two UTF-16 code units


def _utf16(original: str) -> Callable[[str, int], int] | None:
    """How code-point offsets of *original* become UTF-16 ones: ``None`` when they are the same (no
    character past U+FFFF, the usual case), else :func:`utf16_offset`."""
    if _ASTRAL.search(original) is None:
        return None
    return utf16_offset


# (id of a rule, register) -> (that rule, the fields of its findings that depend on the rule and the register
# alone); the rule is kept so that its id stays its own. Rules are read-only once loaded.
_RULE_FIELDS: dict[tuple[int, str], tuple[Rule, dict[str, Any]]] = {}


def _rule_fields(rule: Rule, register: str) -> dict[str, Any]:
    """What a rule's finding says wherever it is: label, reason, the suggestion for the register …"""
    hit = _RULE_FIELDS.get((id(rule), register))
    if hit is not None and hit[0] is rule:
        return hit[1]
    kind = rule.kind
    fields = {
        "label": rule.label,
        "label_ja": LABEL_JA[rule.label],
        "kind": kind,
        "why": rule.why.strip(),
        "suggestion": rule.suggestion_for(register) if kind == "ng" else None,
        "hint": rule.hint,
        "severity": rule.severity or ("warning" if kind == "ng" else "info"),
        "rule": rule.id,
    }
    if len(_RULE_FIELDS) > 20_000:  # other rule sets came and went (tests load their own): start again
        _RULE_FIELDS.clear()
    _RULE_FIELDS[(id(rule), register)] = (rule, fields)
    return fields


def _findings(analysis: Analysis, register: str, use_model: bool = True) -> list[Finding]:
    """The rules' findings (with the model's, unless *use_model* is false), one per label per overlapping
    region. Candidates stay plain dicts until the dedupe has chosen: only the survivors become models."""
    norm = analysis.normalized
    original = norm.original
    u16 = _utf16(original)
    found: list[dict[str, Any]] = []
    covered: dict[str, list[tuple[int, int]]] = {}  # label -> rule spans on the normalised text
    for m in run_rules(load_rules(), analysis):
        rule = cast(Rule, m.rule)
        lo, hi = span_tokens(rule, analysis, m)
        nb, ne = analysis.tokens[lo].begin, analysis.tokens[hi - 1].end
        start, end = norm.to_original(nb, ne)
        covered.setdefault(rule.label, []).append((nb, ne))
        found.append(
            {
                **_rule_fields(rule, register),
                "start": start,
                "end": end,
                "text": original[start:end],
                "start_utf16": start if u16 is None else u16(original, start),
                "end_utf16": end if u16 is None else u16(original, end),
            }
        )
    if use_model:
        found = _with_model(analysis, register, covered, found)
    return _dedupe(found)


def _with_model(
    analysis: Analysis, register: str, covered: dict[str, list[tuple[int, int]]], found: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The rules' findings, less those the model withdraws, plus those it adds (``rule: model``)."""
    from .learned.combine import judge, model_texts

    added, withdrawn = judge(analysis, covered)
    out = [f for f in found if f["label"] not in withdrawn] if withdrawn else found
    if not added:
        return out
    texts = model_texts()
    norm = analysis.normalized
    original = norm.original
    u16 = _utf16(original)
    for label, nb, ne, _p in added:
        start, end = norm.to_original(nb, ne)
        out.append(
            {
                **_model_fields(texts, label, register),
                "start": start,
                "end": end,
                "text": original[start:end],
                "start_utf16": start if u16 is None else u16(original, start),
                "end_utf16": end if u16 is None else u16(original, end),
            }
        )
    return out


# (id of the model's texts, label, register) -> (those texts, the fields of a model finding that depend on the
# label and the register alone), as _RULE_FIELDS for the rules
_MODEL_FIELDS: dict[tuple[int, str, str], tuple[object, dict[str, Any]]] = {}


def _model_fields(texts: ModelTexts, label: str, register: str) -> dict[str, Any]:
    """What the model's finding of *label* says wherever it is: label, reason, hint for the register …"""
    hit = _MODEL_FIELDS.get((id(texts), label, register))
    if hit is not None and hit[0] is texts:
        return hit[1]
    lt = texts.labels[label]
    kind = "ng" if label in NG_LABELS else "good"
    fields = {
        "label": label,
        "label_ja": LABEL_JA[label],
        "kind": kind,
        "why": lt.why,
        "suggestion": lt.suggestion[register] if lt.suggestion else None,
        "hint": lt.hint[register] if lt.hint else None,
        "severity": "warning" if kind == "ng" else "info",
        "rule": "model",
    }
    if len(_MODEL_FIELDS) > 1_000:  # other texts came and went (tests load their own): start again
        _MODEL_FIELDS.clear()
    _MODEL_FIELDS[(id(texts), label, register)] = (texts, fields)
    return fields


def _dedupe(found: list[dict[str, Any]]) -> list[Finding]:
    """One finding per label per overlapping region (the longest wins), sorted by position."""
    found.sort(key=lambda f: (f["label"], f["start"], f["start"] - f["end"]))
    out: list[dict[str, Any]] = []
    for f in found:
        if out and out[-1]["label"] == f["label"] and f["start"] < out[-1]["end"]:
            continue
        out.append(f)
    out.sort(key=lambda f: (f["start"], _LABEL_ORDER[f["label"]]))
    validate = Finding.__pydantic_validator__.validate_python  # Finding(**f) without the keyword round trip
    return [validate(f) for f in out]


def check(
    text: str,
    relationship: str | Relationship | None = None,
    stage: str | Stage | None = None,
    *,
    use_model: bool = True,
) -> CheckReport:
    """Analyse one draft. Raises :class:`nakanaori.errors.InputError` for empty or over-long text.

    ``use_model=False`` gives the rules' judgement alone (for evaluation and training)."""
    validate_text(text)
    rel = parse_relationship(relationship) if relationship is not None else None
    stg = parse_stage(stage) if stage is not None else None
    analysis = analyze(text)
    return report_from_analysis(analysis, rel, stg, use_model=use_model)


def report_from_analysis(
    analysis: Analysis, rel: Relationship | None, stg: Stage | None, *, use_model: bool = True
) -> CheckReport:
    mc: MessageChecks = load_message_checks()
    original = analysis.normalized.original
    register = register_of(analysis)
    if not analysis.japanese:
        return CheckReport(
            text=original,
            relationship=rel.value if rel else None,
            stage=stg.value if stg else None,
            japanese=False,
            labels=[],
            good=[],
            ng=[],
            register=register,
            findings=[],
            notes=[Note(code="no_japanese", severity="error", message=mc.no_japanese)],
            verdict=mc.no_japanese_verdict(),
            score=None,
            next_edits=[mc.no_japanese],
        )
    findings = mc.earned(analysis, _findings(analysis, register, use_model))
    labels = sorted({f.label for f in findings}, key=_LABEL_ORDER.__getitem__)
    notes, expected, register_ok = mc.judge(analysis, register, findings, labels, rel, stg)
    verdict = mc.compute_verdict(findings, labels, notes, stg)
    vague = any(n.code == "vague_commitment" for n in notes)
    score, score_note, edits = mc.compute_score(findings, labels, notes, stg, verdict, vague)
    # validated as CheckReport(**fields) would, without the keyword round trip of BaseModel.__init__
    return cast(
        CheckReport,
        CheckReport.__pydantic_validator__.validate_python(
            {
                "text": original,
                "relationship": rel.value if rel else None,
                "stage": stg.value if stg else None,
                "japanese": True,
                "labels": labels,
                "good": [x for x in labels if x in GOOD_LABELS],
                "ng": [x for x in labels if x in NG_LABELS],
                "register": register,
                "expected_registers": expected,
                "register_ok": register_ok,
                "findings": findings,
                "notes": notes,
                "verdict": verdict,
                "score": score,
                "score_note": score_note,
                "next_edits": edits,
            }
        ),
    )
