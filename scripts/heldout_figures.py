"""Figures only: per held-out batch macro-F1 and pooled NG precision/recall of the combined product
(then of the model alone and the rules alone).

Usage: .venv/bin/python scripts/heldout_figures.py [BATCH ...]   (default h01 … h05)

Prints no row of any batch (held-out data is scored, never read; every scoring goes into
corpus/HELDOUT_LOG.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from nakanaori.check.eval import evaluate_three_way
from nakanaori.labels import NG_LABELS

ROOT = Path(__file__).resolve().parents[1]


def main(batches: list[str]) -> None:
    pools = {kind: {label: [0, 0, 0] for label in NG_LABELS} for kind in ("combined", "model", "rules")}
    for batch in batches:
        path = ROOT / "corpus" / "data" / f"{batch}.jsonl"
        rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        three = evaluate_three_way(rows)
        c = three.combined
        print(
            f"{batch}: combined macro-F1 {c.macro_f1:.4f} register {c.register_accuracy:.4f} | "
            f"rules {three.rules.macro_f1:.4f} model {three.model.macro_f1:.4f}"
        )
        for kind, ev in (("combined", c), ("model", three.model), ("rules", three.rules)):
            for label in NG_LABELS:
                s = ev.per_label[label]
                pools[kind][label][0] += s.tp
                pools[kind][label][1] += s.fp
                pools[kind][label][2] += s.fn
    for kind, pool in pools.items():
        print("pooled", "+".join(batches), kind, "NG:")
        for label, (tp, fp, fn) in pool.items():
            print(f"  {label:13s} P {tp / max(tp + fp, 1):.3f} R {tp / max(tp + fn, 1):.3f}  (tp {tp} fp {fp} fn {fn})")


if __name__ == "__main__":
    main(sys.argv[1:] or ["h01", "h02", "h03", "h04", "h05"])
