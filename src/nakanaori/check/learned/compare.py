"""Compare model families on the dev split, side by side (for the model card).

    python -m nakanaori.check.learned.compare      (make compare-models)

Each family learns from the train split with the same sentence units and hashed features and is
scored on dev: the model alone (message level, Platt-calibrated probability ≥ 0.5), rules ∪ model with
thresholds and vetoes chosen on dev itself (in-sample, and alike for both families: the comparison is
fair, the absolute figures flattering), and cost (training time, prediction time per message). Families:
per-label logistic regression (the shipped one) and per-label gradient-boosted trees (LightGBM on the
same sparse features, columns seen in at least five units). Held-out batches are not read.
Out-of-fold selection, as ``make train`` does it, would take LightGBM about half an hour here.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...labels import LABELS
from .corpus import Record, load_split
from .train import (
    SEED,
    Units,
    _fit_label,
    _Never,
    build_units,
    choose_thresholds,
    f1,
    gold,
    message_max,
    platt,
    rule_labels,
    to_matrix,
)

Fit = Callable[[Any, np.ndarray], Any]  # (X, y) -> an object with decision_function(X)


def _lr(C: float = 64.0) -> Fit:
    return lambda X, y: _fit_label(X, y, C)


def _gbt() -> Fit:
    import lightgbm as lgb

    def fit(X: Any, y: np.ndarray) -> Any:
        if len(np.unique(y)) < 2:
            return _Never(X.shape[1])
        cols = np.where(np.diff(X.tocsc().indptr) >= 5)[0]
        clf = lgb.LGBMClassifier(
            n_estimators=150,
            learning_rate=0.1,
            num_leaves=15,
            min_child_samples=5,
            colsample_bytree=0.3,
            subsample=0.8,
            subsample_freq=1,
            reg_lambda=1.0,
            random_state=SEED,
            n_jobs=2,
            verbose=-1,
        )
        clf.fit(X[:, cols].astype(np.float32), y)

        class Wrapped:
            def decision_function(self, Z: Any) -> np.ndarray:
                return np.asarray(clf.predict(Z[:, cols].astype(np.float32), raw_score=True))

        return Wrapped()

    return fit


def evaluate_family(
    name: str,
    fit: Fit,
    train_recs: Sequence[Record],
    dev_recs: Sequence[Record],
    u: Units,
    X: Any,
    du: Units,
    DX: Any,
    rules_train: np.ndarray,
    rules_dev: np.ndarray,
) -> dict[str, Any]:
    t0 = time.time()
    models = []
    for j in range(len(LABELS)):
        ok = u.y[:, j] >= 0
        models.append(fit(X[ok], u.y[ok, j]))
    t_train = time.time() - t0
    t1 = time.time()
    z = np.stack([m.decision_function(DX) for m in models], axis=1)
    t_pred = (time.time() - t1) / max(len(dev_recs), 1)
    zmax = message_max(z - z.min(), du.group, len(dev_recs)) + z.min()  # the most likely sentence's score
    y = gold(dev_recs)
    cal = [platt(zmax[:, j], y[:, j]) for j in range(len(LABELS))]
    pa, pb = np.array([c[0] for c in cal]), np.array([c[1] for c in cal])
    p_dev = 1 / (1 + np.exp(-(pa * zmax + pb)))
    th, veto, _ = choose_thresholds(p_dev, rules_dev, y)
    per_label: dict[str, dict[str, float]] = {}
    alone_f, comb_f = [], []
    for j, label in enumerate(LABELS):
        g = y[:, j] == 1
        a = p_dev[:, j] >= 0.5
        r = rules_dev[:, j] == 1
        kept = r & (p_dev[:, j] >= veto.get(label, 0.0))
        c = kept | ((p_dev[:, j] >= th[label]) if label in th else np.zeros_like(r))
        fa = f1(int((a & g).sum()), int((a & ~g).sum()), int((~a & g).sum()))
        fc = f1(int((c & g).sum()), int((c & ~g).sum()), int((~c & g).sum()))
        alone_f.append(fa)
        comb_f.append(fc)
        per_label[label] = {"alone_f1": round(fa, 4), "combined_f1": round(fc, 4)}
    return {
        "family": name,
        "train_s": round(t_train, 1),
        "predict_ms_per_message": round(t_pred * 1000, 3),
        "labels": per_label,
        "alone_macro_f1": round(float(np.mean(alone_f)), 4),
        "combined_macro_f1": round(float(np.mean(comb_f)), 4),
    }


def main() -> int:
    train_recs, dev_recs = load_split("train"), load_split("dev")
    if not dev_recs:
        print("no dev split in corpus/batches.yaml", file=sys.stderr)
        return 2
    u, du = build_units(train_recs), build_units(dev_recs)
    X, DX = to_matrix(u.rows), to_matrix(du.rows)
    rules_train, rules_dev = rule_labels(train_recs), rule_labels(dev_recs)
    y = gold(dev_recs)
    rules_f = []
    for j in range(len(LABELS)):
        r, g = rules_dev[:, j] == 1, y[:, j] == 1
        rules_f.append(f1(int((r & g).sum()), int((r & ~g).sum()), int((~r & g).sum())))
    print(f"dev: {len(dev_recs)} messages; rules alone macro-F1 {np.mean(rules_f):.4f}")
    families: list[tuple[str, Fit]] = [("logistic regression", _lr()), ("gradient-boosted trees (LightGBM)", _gbt())]
    results = [evaluate_family(n, f, train_recs, dev_recs, u, X, du, DX, rules_train, rules_dev) for n, f in families]
    print(f"{'label':15s} {'rules':>7s} " + " ".join(f"{r['family'][:30]:>32s}" for r in results))
    print(f"{'':15s} {'':>7s} " + " ".join(f"{'alone':>15s} {'combined':>16s}" for _ in results))
    for j, label in enumerate(LABELS):
        cells = " ".join(
            f"{r['labels'][label]['alone_f1']:15.3f} {r['labels'][label]['combined_f1']:16.3f}" for r in results
        )
        print(f"{label:15s} {rules_f[j]:7.3f} {cells}")
    for r in results:
        print(
            f"{r['family']}: alone {r['alone_macro_f1']:.4f}, combined {r['combined_macro_f1']:.4f}, "
            f"train + select {r['train_s']} s, predict {r['predict_ms_per_message']} ms/message"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
