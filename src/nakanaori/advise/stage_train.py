"""Build the learned stage reader (:mod:`nakanaori.advise.stage_model`) from the train situation sets.

    python -m nakanaori.advise.stage_train [--out DIR] [--cv-only]

1. Every description of the train sets (``TRAIN_SETS``; never a held-out set) is analysed once and becomes
   the set of its feature keys (:func:`~nakanaori.advise.stage_model.feature_keys`), with the
   days since the apology read as the product reads them (today = ``TODAY``, a fixed date).
2. Leave-one-set-out: a model trained on all sets but one reads the one left out (each set has its own
   writer, so this is the figure for a new writer). The most regularised C of the grid within ``MIN_GAIN``
   of the best mean accuracy wins.
3. The final model is trained on every train set with that C (multinomial logistic regression, lbfgs,
   seeded) over the features seen in at least ``MIN_DF`` descriptions; the artefact keeps the sorted
   64-bit keys of that vocabulary and float16 weights.

Needs scikit-learn and scipy (dev dependencies); the product itself needs numpy only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ..check.learned.features import FEATURE_VERSION as CHECK_FEATURE_VERSION
from ..text.analysis import analyze
from .dates import read_days
from .stage_model import ARTEFACT_DIR, FORMAT, STAGE_FEATURE_VERSION, STAGES, feature_keys

REPO = Path(__file__).resolve().parents[3]
TRAIN_SETS: tuple[str, ...] = (
    "tests/data/situations_extra.jsonl",
    "tests/data/situations_train2.jsonl",
    "tests/data/situations_train3.jsonl",
    "tests/data/situations_train4.jsonl",
)
SHARED_DEV = Path("/work/shared/eval/situations.dev.jsonl")
TODAY = dt.date(2025, 6, 13)
SEED = 20261203
MIN_DF = 2
C_GRID = (10.0, 30.0, 100.0, 300.0)
MIN_GAIN = 0.002  # a C must beat a more regularised one by this much (mean leave-one-set-out accuracy) to win


def train_sets() -> list[tuple[str, list[dict[str, Any]]]]:
    """(file name, rows) of every train set present; the shared dev set when it is mounted."""
    paths = [REPO / p for p in TRAIN_SETS]
    if SHARED_DEV.is_file():
        paths.insert(0, SHARED_DEV)
    out = []
    for p in paths:
        if p.is_file():
            rows = [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
            out.append((p.name, rows))
    return out


def data_digest(sets: list[tuple[str, list[dict[str, Any]]]]) -> str:
    """What the model was trained on: the sets' names, texts and stages (the artefact records it)."""
    digest = hashlib.sha256()
    for name, rows in sets:
        digest.update(name.encode())
        for r in rows:
            digest.update(json.dumps([r["text"], r["stage"]], ensure_ascii=False).encode())
    return digest.hexdigest()


def _featurize(rows: list[dict[str, Any]]) -> list[np.ndarray]:
    out = []
    for r in rows:
        days, _ = read_days(r["text"], TODAY)
        out.append(feature_keys(analyze(r["text"]), days))
    return out


def _matrix(docs: list[np.ndarray], vocab: np.ndarray) -> Any:
    from scipy.sparse import csr_matrix

    indptr = [0]
    indices: list[np.ndarray] = []
    data: list[np.ndarray] = []
    for keys in docs:
        pos = np.minimum(np.searchsorted(vocab, keys), vocab.size - 1)
        hit = pos[vocab[pos] == keys]
        indices.append(hit)
        data.append(np.full(hit.size, 1.0 / np.sqrt(max(keys.size, 1)), dtype=np.float64))
        indptr.append(indptr[-1] + hit.size)
    return csr_matrix((np.concatenate(data), np.concatenate(indices), np.array(indptr)), shape=(len(docs), vocab.size))


def _vocab(docs: list[np.ndarray]) -> np.ndarray:
    keys, counts = np.unique(np.concatenate(docs), return_counts=True)
    return keys[counts >= MIN_DF]


def _fit(docs: list[np.ndarray], y: np.ndarray, C: float) -> tuple[np.ndarray, Any]:
    from sklearn.linear_model import LogisticRegression

    vocab = _vocab(docs)
    clf = LogisticRegression(C=C, max_iter=2000, random_state=SEED)
    clf.fit(_matrix(docs, vocab), y)
    return vocab, clf


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ARTEFACT_DIR)
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument("--without", action="append", default=[], help="leave this set (file name) out (experiments)")
    ap.add_argument("--c", type=float, help="this C, no cross-validation (experiments)")
    args = ap.parse_args(argv)
    sets = [(n, rows) for n, rows in train_sets() if n not in args.without]
    feats = {name: _featurize(rows) for name, rows in sets}
    labels = {name: np.array([STAGES.index(r["stage"]) for r in rows]) for name, rows in sets}
    cv: dict[str, dict[str, float]] = {}
    for C in C_GRID if args.c is None else ():
        per: dict[str, float] = {}
        for name, _rows in sets:
            tr = [n for n, _ in sets if n != name]
            docs = [d for n in tr for d in feats[n]]
            y = np.concatenate([labels[n] for n in tr])
            vocab, clf = _fit(docs, y, C)
            pred = clf.predict(_matrix(feats[name], vocab))
            per[name] = round(float((pred == labels[name]).mean()), 4)
        per["mean"] = round(float(np.mean(list(per.values()))), 4)
        cv[str(C)] = per
        print(f"C={C}: leave-one-set-out accuracy {per}", file=sys.stderr)
    # the most regularised C within MIN_GAIN of the best mean (flatter probabilities, the same accuracy)
    if args.c is not None:
        best_c = args.c
    else:
        top = max(cv[str(c)]["mean"] for c in C_GRID)
        best_c = min(c for c in C_GRID if cv[str(c)]["mean"] >= top - MIN_GAIN)
    if args.cv_only:
        return 0
    docs = [d for n, _ in sets for d in feats[n]]
    y = np.concatenate([labels[n] for n, _ in sets])
    vocab, clf = _fit(docs, y, best_c)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out / "stage_model.npz",
        keys=vocab.astype(np.int64),
        weights=clf.coef_.T.astype(np.float16),
        bias=clf.intercept_.astype(np.float32),
    )
    meta = {
        "format": FORMAT,
        "feature_version": STAGE_FEATURE_VERSION,
        "check_feature_version": CHECK_FEATURE_VERSION,
        "stages": list(STAGES),
        "trained_on": [name for name, _ in sets],
        "n": int(y.size),
        "data_sha256": data_digest(sets),
        "vocabulary": int(vocab.size),
        "min_df": MIN_DF,
        "C": best_c,
        "seed": SEED,
        "leave_one_set_out_accuracy": cv,
    }
    (args.out / "stage_model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} (vocabulary {vocab.size}, C {best_c})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
