"""The learned judgement at run time: a per-label linear model over hashed sentence features.

The artefact (``artefact/model.npz`` + ``artefact/model.json``) is built by ``make train``
(:mod:`nakanaori.learned.train`) and loaded once per process. Inference is numpy only: the feature
strings of each sentence are hashed (CRC-32) into ``2**hash_bits`` buckets, L2-normalised, multiplied by
the weight matrix, and turned into calibrated probabilities (Platt scaling fitted out of fold).
A message's probability for a label is its most likely sentence's.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from ...knowledge.loader import cached
from ...labels import LABELS
from ...text.analysis import Analysis
from .artefact_files import read_artefact
from .features import FEATURE_VERSION, Unit, message_features, whole_message

ARTEFACT_DIR = Path(__file__).resolve().parent / "artefact"


class _Crc32(dict[str, int]):
    """Feature string -> CRC-32 of its UTF-8 bytes, computed on the first lookup (strings recur across
    messages)."""

    def __missing__(self, feature: str) -> int:
        h = self[feature] = zlib.crc32(feature.encode())
        return h


_HASHES = _Crc32()
_HASH_CACHE_MAX = 300_000
FORMAT = "nakanaori-model/2"
_ARRAYS = ("weights", "bias", "platt_a", "platt_b", "msg_weights", "msg_bias", "msg_platt_a", "msg_platt_b", "mix")


class ModelError(RuntimeError):
    """The model artefact is missing, corrupt, or does not match this code (the message names the file)."""


@dataclass(frozen=True)
class UnitScore:
    unit: Unit
    probs: np.ndarray  # calibrated probability per label, in LABELS order


@dataclass(frozen=True)
class Model:
    weights: np.ndarray  # [buckets, labels] float32
    bias: np.ndarray  # [labels]
    platt_a: np.ndarray
    platt_b: np.ndarray
    # the whole-message view: a second linear model over the message's features; a unit's probability of
    # label j is (1 - mix[j]) * its own + mix[j] * the message's (mix is 0 where the view did not help)
    msg_weights: np.ndarray  # [buckets, labels] float32
    msg_bias: np.ndarray
    msg_platt_a: np.ndarray
    msg_platt_b: np.ndarray
    mix: np.ndarray
    thresholds: dict[str, float]  # a label with no threshold is never reported by the model
    vetoes: dict[str, float]  # below this message probability, the rules' findings of the label are withdrawn
    hash_bits: int
    meta: dict[str, Any]

    @property
    def mask(self) -> int:
        return (1 << self.hash_bits) - 1

    def featurize(self, feats: list[str]) -> np.ndarray:
        cache = _HASHES
        if len(cache) > _HASH_CACHE_MAX:
            cache.clear()
        out: np.ndarray = np.fromiter(map(cache.__getitem__, feats), dtype=np.int64, count=len(feats)) & self.mask
        return out

    def probabilities(self, z: np.ndarray) -> np.ndarray:
        p: np.ndarray = 1.0 / (1.0 + np.exp(-(self.platt_a * z + self.platt_b)))
        return p

    def message_probabilities(self, feats: list[list[str]]) -> np.ndarray:
        """Calibrated probabilities of the whole-message view (every feature once, L2-normalised)."""
        idx = self.featurize(whole_message(feats))
        bucket, counts = _unique_counts(idx)
        c = counts.astype(np.float32)
        z = (self.msg_weights[bucket] * (c / np.sqrt(np.dot(c, c)))[:, None]).sum(axis=0)
        p: np.ndarray = 1.0 / (1.0 + np.exp(-(self.msg_platt_a * (z + self.msg_bias) + self.msg_platt_b)))
        return p

    def score(self, analysis: Analysis) -> list[UnitScore]:
        """Calibrated probabilities for every unit of the message, in one pass of numpy calls."""
        us, feats = message_features(analysis)
        if not us:
            return []
        probs = self.unit_probabilities(us, feats)
        if self.mix.any():
            probs = (1.0 - self.mix) * probs + self.mix * self.message_probabilities(feats)
        return [UnitScore(u, probs[k]) for k, u in enumerate(us)]

    def unit_probabilities(self, us: list[Unit], feats: list[list[str]]) -> np.ndarray:
        """[units, labels]: the units' own calibrated probabilities."""
        idx = self.featurize(list(chain.from_iterable(feats)))
        unit_of = np.repeat(np.arange(len(us), dtype=np.int64), [len(fs) for fs in feats])
        # the same values as training: per unit, bucket counts, L2-normalised
        keys, counts = _unique_counts(unit_of << self.hash_bits | idx)
        unit_k, bucket = keys >> self.hash_bits, keys & self.mask
        c = counts.astype(np.float32)
        norms = np.sqrt(np.bincount(unit_k, weights=c * c, minlength=len(us))).astype(np.float32)
        values = c / norms[unit_k]
        starts = np.searchsorted(unit_k, np.arange(len(us)))  # keys are sorted: each unit's run
        z = np.add.reduceat(self.weights[bucket] * values[:, None], starts, axis=0)
        return self.probabilities(z + self.bias)


def _unique_counts(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(a, return_counts=True)`` for a non-empty 1-d integer array, without its general-case
    overhead (the same sorted keys and counts)."""
    s = np.sort(a)
    first = np.empty(s.size, dtype=bool)
    first[0] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    where = first.nonzero()[0]
    counts = np.empty_like(where)
    np.subtract(where[1:], where[:-1], out=counts[:-1])
    counts[-1] = s.size - where[-1]
    return s[where], counts


def load_model(directory: Path = ARTEFACT_DIR) -> Model:
    npz, meta_path = directory / "model.npz", directory / "model.json"
    meta, arrays = read_artefact(
        npz,
        meta_path,
        error=ModelError,
        what="model",
        rebuild="`make train`",
        fmt=FORMAT,
        feature_version=FEATURE_VERSION,
        arrays=_ARRAYS,
    )
    if tuple(meta.get("labels", ())) != LABELS:
        raise ModelError(f"{meta_path}: the artefact's labels differ from this code's label set")
    bits = int(meta.get("hash_bits", 0))
    w = arrays["weights"]
    matrices = ("weights", "msg_weights")
    if any(arrays[k].shape != (1 << bits, len(LABELS)) for k in matrices) or any(
        arrays[k].shape != (len(LABELS),) for k in arrays if k not in matrices
    ):
        raise ModelError(f"{npz}: weight shapes {w.shape} do not match the metadata in {meta_path.name}")
    return Model(
        weights=w.astype(np.float32),
        bias=arrays["bias"].astype(np.float32),
        platt_a=arrays["platt_a"].astype(np.float32),
        platt_b=arrays["platt_b"].astype(np.float32),
        msg_weights=arrays["msg_weights"].astype(np.float32),
        msg_bias=arrays["msg_bias"].astype(np.float32),
        msg_platt_a=arrays["msg_platt_a"].astype(np.float32),
        msg_platt_b=arrays["msg_platt_b"].astype(np.float32),
        mix=arrays["mix"].astype(np.float32),
        thresholds={k: float(v) for k, v in meta.get("thresholds", {}).items()},
        vetoes={k: float(v) for k, v in meta.get("vetoes", {}).items()},
        hash_bits=bits,
        meta=meta,
    )


@lru_cache(maxsize=1)
def shipped_model() -> Model:
    """The model shipped in the package, loaded once per process (from the on-disk cache when the
    artefact is unchanged: a plain copy of the float32 weights, no inflating or converting)."""
    files = [ARTEFACT_DIR / "model.json"]
    return cached("model", load_model, files=files, large_files=[ARTEFACT_DIR / "model.npz"])
