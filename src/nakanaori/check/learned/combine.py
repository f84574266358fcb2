"""Rules and the learned model together.

Rules come first: they give exact spans, reasons and register-aware suggestions. The model adds a
finding for a label only where no rule found that label in the same sentence and its calibrated
probability reaches the label's threshold; such a finding spans the sentence, says ``rule: model``,
and carries the label's reason and a hint in the message's register (``knowledge/model_findings.yaml``).
Where the model is all but sure a label is absent from the whole message (below the label's veto),
the rules' findings of that label are withdrawn. Thresholds and vetoes are chosen on dev by
``make train``, each only where what the model changes is right at least four times in five.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator

from ...knowledge.loader import cached, load_model
from ...labels import LABELS, NG_LABELS
from ...text.analysis import Analysis
from .model import Model, shipped_model

MODEL_FINDINGS = Path(__file__).resolve().parents[2] / "knowledge" / "model_findings.yaml"
REGISTERS = ("casual", "polite", "honorific")


class LabelText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    why: str
    hint: dict[str, str] | None = None
    suggestion: dict[str, str] | None = None

    @model_validator(mode="after")
    def _registers(self) -> LabelText:
        for name in ("hint", "suggestion"):
            value = getattr(self, name)
            if value is not None and set(value) != set(REGISTERS):
                raise ValueError(f"{name} needs exactly {REGISTERS}")
        return self


class ModelTexts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    labels: dict[str, LabelText]

    @model_validator(mode="after")
    def _complete(self) -> ModelTexts:
        if set(self.labels) != set(LABELS):
            raise ValueError(f"labels must be exactly the 14 labels; missing {sorted(set(LABELS) - set(self.labels))}")
        for label in NG_LABELS:
            if self.labels[label].hint is None:
                raise ValueError(f"{label}: an NG label needs a hint for each register")
        return self


def load_model_texts_from(path: Path) -> ModelTexts:
    return load_model(path, ModelTexts, "model findings file")


@lru_cache(maxsize=1)
def model_texts() -> ModelTexts:
    """What a model finding says, per label (``knowledge/model_findings.yaml``), validated once."""
    return cached("model_texts", lambda: load_model_texts_from(MODEL_FINDINGS))


def judge(
    analysis: Analysis, covered: dict[str, list[tuple[int, int]]], model: Model | None = None
) -> tuple[list[tuple[str, int, int, float]], set[str]]:
    """What the model adds and withdraws.

    Adds (label, start, end, probability), on the normalised text, for each sentence where the model is
    confident of a label that no rule found in that sentence. Withdraws the labels whose rule findings
    (*covered*) the model finds very unlikely in the whole message (below the label's veto)."""
    m = model or shipped_model()
    out: list[tuple[str, int, int, float]] = []
    if not analysis.tokens:
        return out, set()
    th = m.thresholds
    scores = m.score(analysis)
    withdrawn = set()
    for label, v in m.vetoes.items():
        if label in covered:
            j = LABELS.index(label)
            if max((float(us.probs[j]) for us in scores), default=0.0) < v:
                withdrawn.add(label)
    for us in scores:
        b, e = us.unit.begin, us.unit.end
        for j, label in enumerate(LABELS):
            t = th.get(label)
            if t is None or us.probs[j] < t:
                continue
            if any(s < e and b < f for s, f in covered.get(label, ())):
                continue
            out.append((label, b, e, float(us.probs[j])))
    return out, withdrawn
