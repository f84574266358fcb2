"""Evaluation against labelled JSONL files (format of shared/eval/*.dev.jsonl)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..labels import LABELS
from .checker import check


@dataclass
class LabelScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class MessageEval:
    per_label: dict[str, LabelScore] = field(default_factory=lambda: {x: LabelScore() for x in LABELS})
    n: int = 0
    register_correct: int = 0
    register_n: int = 0
    exact: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # id, missing, extra (no text)

    @property
    def macro_f1(self) -> float:
        return sum(s.f1 for s in self.per_label.values()) / len(self.per_label)

    @property
    def register_accuracy(self) -> float:
        return self.register_correct / self.register_n if self.register_n else 0.0

    def add(
        self,
        item_id: str,
        gold: Iterable[str],
        predicted: Iterable[str],
        gold_register: str | None,
        predicted_register: str,
    ) -> None:
        g, p = set(gold), set(predicted)
        self.n += 1
        for label in LABELS:
            s = self.per_label[label]
            if label in g and label in p:
                s.tp += 1
            elif label in p:
                s.fp += 1
            elif label in g:
                s.fn += 1
        if g == p:
            self.exact += 1
        else:
            self.errors.append({"id": item_id, "missing": sorted(g - p), "extra": sorted(p - g)})
        if gold_register is not None:
            self.register_n += 1
            self.register_correct += int(gold_register == predicted_register)
            if gold_register != predicted_register:
                self.errors.append({"id": item_id, "register": [gold_register, predicted_register]})

    def as_dict(self, *, errors: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "n": self.n,
            "macro_f1": round(self.macro_f1, 4),
            "register_accuracy": round(self.register_accuracy, 4),
            "exact_match": round(self.exact / self.n, 4) if self.n else 0.0,
            "labels": {
                k: {
                    "precision": round(v.precision, 4),
                    "recall": round(v.recall, 4),
                    "f1": round(v.f1, 4),
                    "tp": v.tp,
                    "fp": v.fp,
                    "fn": v.fn,
                }
                for k, v in self.per_label.items()
            },
        }
        if errors:
            out["errors"] = self.errors
        return out


def evaluate_messages(rows: Iterable[dict[str, Any]]) -> MessageEval:
    """Run ``check`` on each labelled row ({id, text, relationship?, labels, register?})."""
    ev = MessageEval()
    for row in rows:
        report = check(row["text"], relationship=row.get("relationship"))
        ev.add(str(row.get("id", ev.n + 1)), row.get("labels", []), report.labels, row.get("register"), report.register)
    return ev


@dataclass
class ThreeWay:
    """The same rows judged by the rules alone, the model alone and the two combined (the product)."""

    rules: MessageEval
    model: MessageEval
    combined: MessageEval

    def as_dict(self) -> dict[str, Any]:
        out = self.combined.as_dict()
        out["rules"] = self.rules.as_dict(errors=False)
        out["model"] = self.model.as_dict(errors=False)
        return out


def evaluate_three_way(rows: Iterable[dict[str, Any]]) -> ThreeWay:
    """Each row analysed once, then judged by the rules, the model and both (``check`` as the product runs).

    The model alone reports a label where its most likely sentence reaches the label's threshold (0.5 for
    a label the combiner never takes from the model)."""
    from ..errors import validate_text
    from ..labels import parse_relationship
    from ..text.analysis import analyze
    from .checker import report_from_analysis
    from .learned.model import shipped_model
    from .register import detect_register

    model = shipped_model()
    three = ThreeWay(MessageEval(), MessageEval(), MessageEval())
    for row in rows:
        text = row["text"]
        validate_text(text)
        rel = parse_relationship(row.get("relationship"))
        analysis = analyze(text)
        item_id = str(row.get("id", three.combined.n + 1))
        gold, gold_reg = row.get("labels", []), row.get("register")
        rules = report_from_analysis(analysis, rel, None, use_model=False)
        combined = report_from_analysis(analysis, rel, None)
        best: dict[str, float] = {}
        for us in model.score(analysis) if analysis.japanese else []:
            for j, label in enumerate(LABELS):
                best[label] = max(best.get(label, 0.0), float(us.probs[j]))
        alone = [x for x in LABELS if best.get(x, 0.0) >= model.thresholds.get(x, 0.5)]
        three.rules.add(item_id, gold, rules.labels, gold_reg, rules.register)
        three.model.add(item_id, gold, alone, gold_reg, detect_register(analysis)[0])
        three.combined.add(item_id, gold, combined.labels, gold_reg, combined.register)
    return three
