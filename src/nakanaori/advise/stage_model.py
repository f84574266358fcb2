"""The learned stage reader: a small multinomial logistic regression over a description's words, used where
no stage cue fits (the cues stay first: they are exact and say why).

When nothing in the text fits a stage, the rules alone fall back to ``just_apologized``; independent writers
then describe what happened after the apology in words no cue foresaw (「それから話してない」, 「もう普通に
LINEしてる」). The model reads the whole description — lemma 1–3-grams with their scope (quoted, negated),
function words, character 2–4-grams, the same feature code as ``check``'s model — plus how many days ago the
apology was, and gives a probability per stage.

The artefact (``stage_artefact/stage_model.npz`` + ``.json``) is built offline by
``python -m nakanaori.advise.stage_train`` from the train situation sets (seeded, seconds on a CPU; no held-out
set is read). It stores the vocabulary as sorted 64-bit keys of the feature codes with one weight row each
(a few hundred kB); inference is numpy only, loaded once per process. A missing, corrupt or mismatched
artefact raises :class:`StageModelError` naming the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..check.learned.artefact_files import read_artefact
from ..check.learned.features import FEATURE_VERSION as CHECK_FEATURE_VERSION
from ..check.learned.features import description_keys
from ..labels import Stage
from ..text.analysis import Analysis

ARTEFACT_DIR = Path(__file__).resolve().parent / "stage_artefact"
FORMAT = "nakanaori-stage-model/2"
STAGE_FEATURE_VERSION = 1
STAGES: tuple[str, ...] = tuple(s.value for s in Stage)


class StageModelError(RuntimeError):
    """The stage model artefact is missing, corrupt, or does not match this code (the message names the file)."""


def days_feature(days: int | None) -> str:
    if days is None:
        return "days:none"
    if days == 0:
        return "days:0"
    if days == 1:
        return "days:1"
    if days < 7:
        return "days:2-6"
    return "days:7+"


def feature_keys(analysis: Analysis, days: int | None) -> np.ndarray:
    """The sorted feature keys of a whole description: every feature code of its sentences (the check model's
    code, so both read Japanese the same way) and the days since the apology."""
    return description_keys(analysis, days_feature(days))


@dataclass(frozen=True)
class StageModel:
    keys: np.ndarray  # sorted feature keys of the vocabulary [V] int64
    weights: np.ndarray  # [V, stages] float32
    bias: np.ndarray  # [stages] float32
    meta: dict[str, Any]

    def probabilities(self, analysis: Analysis, days: int | None) -> dict[Stage, float]:
        """P(stage | description): softmax over the stages of the summed weights of the known features
        (binary, L2-normalised, as in training)."""
        keys = feature_keys(analysis, days)
        pos = np.searchsorted(self.keys, keys)
        pos = np.minimum(pos, self.keys.size - 1)
        known = pos[self.keys[pos] == keys]
        z = self.bias.astype(np.float64)
        if keys.size:
            z = z + self.weights[known].astype(np.float64).sum(axis=0) / np.sqrt(float(keys.size))
        z = z - z.max()
        p = np.exp(z)
        p /= p.sum()
        return {Stage(s): float(p[k]) for k, s in enumerate(STAGES)}


def load_stage_model(directory: Path = ARTEFACT_DIR) -> StageModel:
    npz, meta_path = directory / "stage_model.npz", directory / "stage_model.json"
    meta, arrays = read_artefact(
        npz,
        meta_path,
        error=StageModelError,
        what="stage model",
        rebuild="python -m nakanaori.advise.stage_train",
        fmt=FORMAT,
        feature_version=STAGE_FEATURE_VERSION,
        arrays=("keys", "weights", "bias"),
    )
    if meta.get("check_feature_version") != CHECK_FEATURE_VERSION:
        raise StageModelError(
            f"{meta_path}: built on check's sentence features v{meta.get('check_feature_version')}, this code "
            f"makes v{CHECK_FEATURE_VERSION} (make train-stage)"
        )
    if tuple(meta.get("stages", ())) != STAGES:
        raise StageModelError(f"{meta_path}: the artefact's stages differ from this code's stage set")
    keys, weights, bias = arrays["keys"], arrays["weights"], arrays["bias"]
    if (
        keys.ndim != 1
        or weights.shape != (keys.size, len(STAGES))
        or bias.shape != (len(STAGES),)
        or keys.size == 0
        or np.any(keys[1:] <= keys[:-1])
    ):
        raise StageModelError(f"{npz}: weight shapes or key order do not match the metadata in {meta_path.name}")
    return StageModel(
        keys=keys.astype(np.int64), weights=weights.astype(np.float32), bias=bias.astype(np.float32), meta=meta
    )


@lru_cache(maxsize=1)
def shipped_stage_model() -> StageModel:
    """The stage model shipped in the package, loaded once per process."""
    return load_stage_model()
