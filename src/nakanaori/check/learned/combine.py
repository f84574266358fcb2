"""Rules and the learned model together.

Rules come first: they give exact spans, reasons and register-aware suggestions. The model adds a
finding for a label only where no rule found that label in the same sentence and its calibrated
probability reaches the label's threshold (for a label that mixes in the whole message's view, only in its
most likely sentence; a good label only where no rule found it in the message); such a finding spans the
sentence, says ``rule: model``, and carries the label's reason and a hint in the message's register
(``knowledge/model_findings.yaml``).
Where the model is all but sure a label is absent from the whole message (below the label's veto),
the rules' findings of that label are withdrawn. Thresholds and vetoes are chosen on dev by
``make train``, each only where what the model changes is right at least 85 % of the time
(``MIN_CHANGE_PRECISION`` in ``train.py``) on the selection set; an NG label's additions at least 80 %, with
the label's findings as a whole right at least 86 % (``MIN_NG_ADD_PRECISION``, ``MIN_NG_PRECISION``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, model_validator

from ...knowledge.loader import cached, load_model
from ...labels import LABELS, NG_LABELS
from ...text.analysis import Analysis
from .model import Model, shipped_model

MODEL_FINDINGS = Path(__file__).resolve().parents[2] / "knowledge" / "model_findings.yaml"
REGISTERS = ("casual", "polite", "honorific")
_LABEL_INDEX = {label: j for j, label in enumerate(LABELS)}


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


_THRESHOLDS: dict[int, tuple[Model, np.ndarray, np.ndarray]] = {}


def _threshold_arrays(m: Model) -> tuple[np.ndarray, np.ndarray]:
    """(which labels have a threshold, the thresholds as float32) in LABELS order, once per model."""
    hit = _THRESHOLDS.get(id(m))
    if hit is None or hit[0] is not m:
        has = np.array([label in m.thresholds for label in LABELS])
        thr = np.array([m.thresholds.get(label, 0.0) for label in LABELS], dtype=np.float32)
        hit = (m, has, thr)
        _THRESHOLDS[id(m)] = hit
    return hit[1], hit[2]


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
    withdrawn = set()
    scorer = m.scorer
    if scorer is None:  # the numpy reference
        us, probs = m.unit_probabilities(analysis)  # [units, labels]
        best = probs.max(axis=0).tolist() if us else [0.0] * len(LABELS)
        has, thr = _threshold_arrays(m)
        ks, js = np.nonzero(~(probs < thr) & has)
        hits = [(us[k].begin, us[k].end, j, float(probs[k, j])) for k, j in zip(ks.tolist(), js.tolist(), strict=True)]
    else:  # the same decisions in the native call, from the tokens and sentences
        best, hits = scorer.judge_sentences(analysis.tokens, analysis.sentences)
    if m.vetoes and covered:
        for label, v in m.vetoes.items():
            # no unit: the message's probability is 0
            if label in covered and best[_LABEL_INDEX[label]] < v:
                withdrawn.add(label)
    # the units at or above each label's threshold, unit by unit, labels in order; float32 comparisons,
    # as numpy compares a float32 probability with a Python float. Where a label mixes in the whole message's
    # view, that view lifts every sentence of the message alike (「ごめんね。今後は気をつけます。」: the first
    # sentence reaches commitment's threshold on the second's evidence), so only the label's most likely
    # sentence can carry it: the model points at one sentence for such a label, and none where that sentence
    # is one a rule already marked. The labels the message carries do not change.
    mixed = m.mixed_labels
    if mixed:
        top: dict[int, tuple[int, int, int, float]] = {}
        for hit in hits:
            if hit[2] in mixed and (hit[2] not in top or hit[3] > top[hit[2]][3]):
                top[hit[2]] = hit
        hits = [hit for hit in hits if hit[2] not in mixed or top[hit[2]] is hit]
    for b, e, j, p in hits:
        label = LABELS[j]
        spans = covered.get(label, ())
        # a good element a rule already praised in this message is not praised again in another sentence: the
        # rule's highlight is exact, the model's a whole sentence, often the lead-in to the one the rule marked
        # (read by a native reviewer on dev). A second NG element is still shown: each is something to fix.
        if spans and label not in NG_LABELS:
            continue
        if any(s < e and b < f for s, f in spans):
            continue
        out.append((label, b, e, p))
    return out, withdrawn
