"""Accuracy of the situation reader on labelled JSONL (format of ``situations.dev.jsonl``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..labels import Relationship, Stage
from .situation import read_situation


@dataclass
class _Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def scores(self) -> dict[str, float | int]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class SituationEval:
    n: int = 0
    relationship_correct: int = 0
    stage_correct: int = 0
    per_stage: dict[str, _Counts] = field(default_factory=lambda: {s.value: _Counts() for s in Stage})
    errors: list[dict[str, Any]] = field(default_factory=list)  # id, gold and predicted values (never the text)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def add(self, item_id: str, gold_rel: str, gold_stage: str, rel: str, stage: str) -> None:
        self.n += 1
        self.relationship_correct += int(gold_rel == rel)
        self.stage_correct += int(gold_stage == stage)
        if gold_stage == stage:
            self.per_stage[stage].tp += 1
        else:
            self.per_stage[stage].fp += 1
            self.per_stage[gold_stage].fn += 1
        if gold_rel != rel or gold_stage != stage:
            self.errors.append({"id": item_id, "relationship": [gold_rel, rel], "stage": [gold_stage, stage]})

    @property
    def relationship_accuracy(self) -> float:
        return self.relationship_correct / self.n if self.n else 0.0

    @property
    def stage_accuracy(self) -> float:
        return self.stage_correct / self.n if self.n else 0.0

    def as_dict(self) -> dict[str, Any]:
        stages = {k: v.scores() for k, v in self.per_stage.items()}
        return {
            "n": self.n,
            "relationship_accuracy": round(self.relationship_accuracy, 4),
            "stage_accuracy": round(self.stage_accuracy, 4),
            "stage_macro_f1": round(sum(s["f1"] for s in stages.values()) / len(stages), 4),
            "stages": stages,
            "errors": self.errors,
            "skipped": self.skipped,
        }


def evaluate_situations(rows: Iterable[dict[str, Any]], today: dt.date | None = None) -> SituationEval:
    """Read each labelled row's text and compare relationship and stage with the gold labels."""
    result = SituationEval()
    rel_values = {r.value for r in Relationship}
    stage_values = {s.value for s in Stage}
    for k, row in enumerate(rows, start=1):
        item_id = str(row.get("id", k))
        text, gold_rel, gold_stage = row.get("text"), row.get("relationship"), row.get("stage")
        if not isinstance(text, str) or gold_rel not in rel_values or gold_stage not in stage_values:
            result.skipped.append({"id": item_id, "reason": "text/relationship/stage missing or unknown"})
            continue
        try:
            sit = read_situation(text, today=today)
        except InputError as exc:
            result.skipped.append({"id": item_id, "reason": exc.code})
            continue
        result.add(item_id, gold_rel, gold_stage, sit.relationship.value, sit.stage.value)
    return result
