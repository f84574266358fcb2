"""Floors on the corpus' dev and held-out batches (issue 10), for rules, model and the two combined.

The held-out batches are scored here by tools that print figures only; nobody reads them. Their first
figures (rules only, before the model) and the final model's first figures are in corpus/HELDOUT_LOG.md;
these floors sit just under the latter so that a later change that loses ground fails.
"""

from __future__ import annotations

from dataclasses import asdict

import pytest

from nakanaori.check.eval import ThreeWay, evaluate_three_way
from nakanaori.check.learned.corpus import load_batches, read_batch
from nakanaori.labels import NG_LABELS

_CACHE: dict[str, ThreeWay] = {}


def _three(batch: str) -> ThreeWay:
    if batch not in _CACHE:
        [b] = [x for x in load_batches() if x.name == batch]
        rows = [asdict(r) for r in read_batch(b)]
        _CACHE[batch] = evaluate_three_way(rows)
    return _CACHE[batch]


@pytest.mark.parametrize(
    ("batch", "combined", "rules"),
    [
        ("d01", 0.925, 0.83),
        ("h01", 0.92, 0.81),
        ("h02", 0.92, 0.80),
        ("h03", 0.92, 0.82),
        ("h04", 0.925, 0.80),
        ("h05", 0.925, 0.80),
        ("h06", 0.93, 0.80),
        ("h07", 0.92, 0.77),
        ("h08", 0.92, 0.78),
        ("h09", 0.925, 0.79),
        ("h10", 0.935, 0.79),
        ("h11", 0.925, 0.81),
        ("h12", 0.915, 0.78),
        ("h13", 0.94, 0.82),
        ("h14", 0.925, 0.79),
        ("h15", 0.915, 0.80),
        ("h16", 0.92, 0.82),
        ("h17", 0.935, 0.79),
        ("h18", 0.935, 0.79),
        ("h19", 0.935, 0.80),
        ("h20", 0.93, 0.79),
        ("h21", 0.935, 0.80),
        ("h22", 0.93, 0.77),
        ("h23", 0.93, 0.81),
        ("h24", 0.925, 0.79),
        ("legacy-mh-b", 0.91, 0.84),
    ],
)
def test_macro_f1_floors(batch: str, combined: float, rules: float) -> None:
    three = _three(batch)
    assert three.combined.macro_f1 >= combined, round(three.combined.macro_f1, 4)
    assert three.rules.macro_f1 >= rules, round(three.rules.macro_f1, 4)
    assert three.combined.macro_f1 > three.rules.macro_f1  # the model must earn its place
    assert three.combined.register_accuracy >= REGISTER_FLOORS.get(batch, 0.97), round(
        three.combined.register_accuracy, 4
    )


# every held-out batch reads at least 0.97 (h15, the れる/られる honorific writer, 0.9625 at first run, 0.98 since the
# register reader reads that honorific where the verb names the other person's feelings); room for exceptions
REGISTER_FLOORS: dict[str, float] = {}


@pytest.mark.parametrize("batch", ["h01", "h02"])
def test_ng_precision_stays_high_where_the_model_adds_recall(batch: str) -> None:
    three = _three(batch)
    for label in NG_LABELS:
        rules, combined = three.rules.per_label[label], three.combined.per_label[label]
        assert combined.recall >= rules.recall, label
        # 0.83 until the retrain on 12,900 records: h02 blame_shift 47 right, 10 wrong (0.825; recall 1.000)
        assert combined.precision >= 0.82, (label, round(combined.precision, 3))


# Pooled over the twenty-four independently written held-out batches (9,600 messages). The shipped model (trained
# on 16,900 records, the recall-aware rule for the NG labels) pools them at excuse 0.862 / 0.877, blame_shift 0.868 /
# 0.887, rushing 0.936 / 0.939, minimization 0.916 / 0.936, entitlement 0.985 / 0.980, levity 0.999 / 0.972,
# conditional 0.996 / 0.985; h21-h24 were scored first with it, h17-h20 first with the retrain on 14,900 records,
# the rest with earlier models. The floors sit just under these; the history (which floors moved and why) is in
# corpus/HELDOUT_LOG.md.
HELDOUT_BATCHES = tuple(f"h{n:02d}" for n in range(1, 25))
POOLED_FLOORS = {
    "excuse": (0.85, 0.86),
    "blame_shift": (0.85, 0.87),
    "rushing": (0.92, 0.92),
    "minimization": (0.90, 0.92),
    "entitlement": (0.97, 0.97),
    "levity": (0.99, 0.96),
    "conditional": (0.98, 0.97),
}


def test_pooled_ng_floors_on_the_heldout_batches() -> None:
    assert set(POOLED_FLOORS) == set(NG_LABELS)
    for label, (p_floor, r_floor) in POOLED_FLOORS.items():
        tp = fp = fn = 0
        for batch in HELDOUT_BATCHES:
            score = _three(batch).combined.per_label[label]
            tp, fp, fn = tp + score.tp, fp + score.fp, fn + score.fn
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        assert precision >= p_floor and recall >= r_floor, (label, round(precision, 3), round(recall, 3))
