"""The learned judgement at run time: a per-label linear model over hashed sentence features.

The artefact (``artefact/model.npz`` + ``artefact/model.json``) is built by ``make train``
(:mod:`nakanaori.learned.train`) and loaded once per process. Inference is numpy only: the feature
codes of each sentence (:func:`~.features.codes`) fall into ``2**hash_bits`` buckets, L2-normalised, multiplied by
the weight matrix, and turned into calibrated probabilities (Platt scaling fitted out of fold).
A message's probability for a label is its most likely sentence's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ...knowledge.loader import cached
from ...labels import LABELS
from ...text.analysis import Analysis
from .artefact_files import read_artefact
from .features import FEATURE_VERSION, ID_SHIFT, UNIT_BITS, Codes, Unit, codes, units
from .native import native

ARTEFACT_DIR = Path(__file__).resolve().parent / "artefact"


FORMAT = "nakanaori-model/3"
_ARRAYS = ("weights", "bias", "platt_a", "platt_b", "msg_weights", "msg_bias", "msg_platt_a", "msg_platt_b", "mix")


class ModelError(RuntimeError):
    """The model artefact is missing, corrupt, or does not match this code (the message names the file)."""


@dataclass(frozen=True)
class UnitScore:
    unit: Unit
    probs: np.ndarray  # calibrated probability per label, in LABELS order


@dataclass(frozen=True)
class Model:
    # the weights of both views side by side, as shipped (float16): row b is bucket b's weights for the
    # units' model (columns 0..L-1) then for the whole-message view (L..2L-1). One table, one gather per
    # distinct bucket of a message: the gathers from a table of megabytes are most of the model's cost
    table: np.ndarray  # [buckets, 2 * labels padded to 32 columns] float16, 64-byte aligned rows
    bias: np.ndarray  # [labels]
    platt_a: np.ndarray
    platt_b: np.ndarray
    # the whole-message view: a second linear model over the message's features; a unit's probability of
    # label j is (1 - mix[j]) * its own + mix[j] * the message's (mix is 0 where the view did not help)
    msg_bias: np.ndarray
    msg_platt_a: np.ndarray
    msg_platt_b: np.ndarray
    mix: np.ndarray
    thresholds: dict[str, float]  # a label with no threshold is never reported by the model
    vetoes: dict[str, float]  # below this message probability, the rules' findings of the label are withdrawn
    hash_bits: int
    meta: dict[str, Any]

    @property
    def weights(self) -> np.ndarray:
        """[buckets, labels] the units' model (a float16 view of the table)."""
        return self.table[:, : len(LABELS)]

    @property
    def msg_weights(self) -> np.ndarray:
        """[buckets, labels] the whole-message view's model (a float16 view of the table)."""
        return self.table[:, len(LABELS) : 2 * len(LABELS)]

    def probabilities(self, z: np.ndarray) -> np.ndarray:
        p: np.ndarray = 1.0 / (1.0 + np.exp(-(self.platt_a * z + self.platt_b)))
        return p

    def score(self, analysis: Analysis) -> list[UnitScore]:
        """Calibrated probabilities for every unit of the message."""
        us, probs = self.unit_probabilities(analysis)
        return [UnitScore(u, probs[k]) for k, u in enumerate(us)]

    def unit_probabilities(self, analysis: Analysis) -> tuple[list[Unit], np.ndarray]:
        """The units of the message and their probabilities [units, labels]: one native call (the numpy
        reference, :func:`~.features.codes` then :meth:`score_codes`, where the extension is not built)."""
        scorer = self.scorer
        if scorer is None:
            probs = self.score_codes(c := codes(analysis))
            return c.units, probs
        us = units(analysis)
        if not us:
            return us, np.zeros((0, len(LABELS)), dtype=np.float32)
        out = np.frombuffer(scorer.score(analysis.tokens, us), dtype=np.float32)
        return us, out.reshape(len(us), len(LABELS))

    @cached_property
    def mixed_labels(self) -> frozenset[int]:
        """The indices of the labels whose probability mixes in the whole message's view."""
        return frozenset(int(j) for j in np.nonzero(self.mix > 0)[0])

    @cached_property
    def scorer(self) -> Any:
        """The native scorer of this model (``_native.Scorer``: the table, the calibration and the thresholds),
        or None when the extension is not built."""
        if native is None:
            return None
        thresholds = np.array([self.thresholds.get(label, np.nan) for label in LABELS], dtype=np.float32)
        views = (self.bias, self.platt_a, self.platt_b, self.msg_bias, self.msg_platt_a, self.msg_platt_b, self.mix)
        params = np.concatenate([*views, thresholds]).astype(np.float32).tobytes()
        return native.Scorer(self.table, self.hash_bits, len(LABELS), params)

    def score_codes(self, c: Codes) -> np.ndarray:
        """[units, labels]: each unit's calibrated probabilities, mixed with the whole message's where
        ``mix`` says so. The same values as :func:`~.features.unit_rows` and :func:`~.features.message_row`
        (what training reads), from one sort: codes ordered by identity, then view, then unit."""
        n = len(LABELS)
        n_units = len(c.units)
        if not n_units:
            return np.zeros((0, n), dtype=np.float32)
        codes = c.codes
        # low bits: unit, and above it a flag for the unit-only families (not in the whole-message view)
        low = c.unit_of.astype(np.uint64)
        low[c.n_message :] |= _UNIT_ONLY
        key = np.sort((codes >> _ID) << _ID | low)
        fresh = np.empty(key.size, dtype=bool)
        fresh[0] = True
        np.not_equal(key[1:], key[:-1], out=fresh[1:])
        key = key[fresh]  # one row per distinct (feature, unit)
        bucket = key >> self._bucket_shift  # sorted
        new = np.empty(key.size, dtype=bool)
        new[0] = True
        np.not_equal(bucket[1:], bucket[:-1], out=new[1:])
        distinct = bucket[new].astype(np.intp)
        col = np.cumsum(new) - 1  # each row's distinct bucket
        d = distinct.size
        # each distinct bucket gathered once (float16 -> float32 is exact: the same numbers as shipped)
        rows = np.take(self.table, distinct, axis=0).astype(np.float32)
        unit = (key & _UNIT_MASK).astype(np.intp)
        counts = np.bincount(unit * d + col, minlength=n_units * d).reshape(n_units, d).astype(np.float32)
        per_unit = counts.sum(axis=1)
        z = (counts @ rows[:, :n]) / np.sqrt(per_unit)[:, None]
        probs = self.probabilities(z + self.bias)
        if self.mix.any():
            ident = key >> _ID
            first = np.empty(key.size, dtype=bool)
            first[0] = True
            np.not_equal(ident[1:], ident[:-1], out=first[1:])
            msg = first & ((key & _UNIT_ONLY) == 0)
            mc = np.bincount(col[msg], minlength=d).astype(np.float32)
            zm = (mc @ rows[:, n : 2 * n]) / np.float32(np.sqrt(mc.sum()))
            pm = 1.0 / (1.0 + np.exp(-(self.msg_platt_a * (zm + self.msg_bias) + self.msg_platt_b)))
            probs = (1.0 - self.mix) * probs + self.mix * pm
        return probs

    @property
    def _bucket_shift(self) -> np.uint64:
        return np.uint64(64 - self.hash_bits)


_ID = np.uint64(ID_SHIFT)
_UNIT_ONLY = np.uint64(1 << UNIT_BITS)
_UNIT_MASK = np.uint64((1 << UNIT_BITS) - 1)


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
        table=_row_aligned(w, arrays["msg_weights"]),
        bias=arrays["bias"].astype(np.float32),
        platt_a=arrays["platt_a"].astype(np.float32),
        platt_b=arrays["platt_b"].astype(np.float32),
        msg_bias=arrays["msg_bias"].astype(np.float32),
        msg_platt_a=arrays["msg_platt_a"].astype(np.float32),
        msg_platt_b=arrays["msg_platt_b"].astype(np.float32),
        mix=arrays["mix"].astype(np.float32),
        thresholds={k: float(v) for k, v in meta.get("thresholds", {}).items()},
        vetoes={k: float(v) for k, v in meta.get("vetoes", {}).items()},
        hash_bits=bits,
        meta=meta,
    )


def _row_aligned(*parts: np.ndarray) -> np.ndarray:
    """The matrices side by side as float16, each row padded to a multiple of 64 bytes and the array
    aligned on 64 bytes: a row is one cache line (28 columns of 2 bytes would straddle two lines three
    times in four; the native scorer's gathers from this table are most of the model's cost)."""
    rows = parts[0].shape[0]
    width = sum(p.shape[1] for p in parts)
    padded = -(-width // 32) * 32
    raw = np.zeros(rows * padded + 32, dtype=np.float16)
    skip = (-raw.ctypes.data % 64) // 2
    table = raw[skip : skip + rows * padded].reshape(rows, padded)
    table[:, :width] = np.concatenate(parts, axis=1)
    return table


@lru_cache(maxsize=1)
def shipped_model() -> Model:
    """The model shipped in the package, loaded once per process (from the on-disk cache when the
    artefact is unchanged: the float16 table as a read-only view of the cache file, no inflating or converting)."""
    files = [ARTEFACT_DIR / "model.json"]
    return cached("model", load_model, files=files, large_files=[ARTEFACT_DIR / "model.npz"])
