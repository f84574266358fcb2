"""Situation reader on the train sets written by independent writers: tests/data/situations_train3.jsonl (sx-t01,
240) and tests/data/situations_train4.jsonl (sx-t02, 320: brief corpus/briefs/situations.md + corpus/briefs/sx-t02.md,
written 2026-12-03 by an independent writer who saw only labels.md and the briefs; extra room for stages read from
what happened after the apology, and for descriptions that mention the apology only in passing).

sx-t02, first run, before anything was changed for it (today = 2025-06-13; scripts: ``nakanaori eval situations``):

* main @ 13a182a (rules only; no stage cue fits -> weak cues, else just_apologized):
  relationship 0.9812, stage 0.9125 (28 stage errors: rejected -> not_forgiven 8, improve -> just_apologized 5,
  awkward -> just_apologized 3, not_my_fault -> not_forgiven 3, …).
* this branch with the learned stage reader, trained on dev + extra + train2 + train3 only (the file did not
  exist yet): relationship 0.9812, stage 0.9938. This is the best unbiased estimate of the reader on new writers.

After it was read (general cues: falsely suspected, someone else's mistake "なのに", 身に覚えがない; partner and
family context words; 絶縁, 解約, 未読 for a stretch of time; the stage model retrained with it): relationship 0.991,
stage 1.000 — in-sample, so only a regression guard. The stage model alone, leave-one-set-out (a model that never
saw the set): train4 0.956, train3 0.963 (``src/nakanaori/advise/stage_artefact/stage_model.json``).

Labels left as the writer gave them, not fitted: sx-t02-065, -111 and -147 are labelled ``partner`` but name nobody
(「喧嘩→仲直りしたけど…」, 「ケンカのたびに謝って…」, 「喧嘩して謝って許してもらった…」); the reader says ``friend``
(its default when no person is named).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from nakanaori.advise.eval import evaluate_situations

DATA = Path(__file__).parents[1] / "data"
TODAY = dt.date(2025, 6, 13)


def _rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_train4_file_shape() -> None:
    rows = _rows("situations_train4.jsonl")
    assert len(rows) == 320
    assert len({r["id"] for r in rows}) == 320 and len({r["text"] for r in rows}) == 320
    stages: dict[str, int] = {}
    rels: dict[str, int] = {}
    for r in rows:
        stages[r["stage"]] = stages.get(r["stage"], 0) + 1
        rels[r["relationship"]] = rels.get(r["relationship"], 0) + 1
    assert len(stages) == 10 and set(stages.values()) == {32}
    assert rels == {"partner": 80, "friend": 80, "work": 80, "family": 80}


@pytest.mark.parametrize(
    ("name", "n", "rel_floor", "stage_floor"),
    [("situations_train3.jsonl", 240, 0.98, 0.98), ("situations_train4.jsonl", 320, 0.98, 0.98)],
)
def test_train_set_floors(name: str, n: int, rel_floor: float, stage_floor: float) -> None:
    result = evaluate_situations(_rows(name), today=TODAY)
    assert result.n == n and not result.skipped, result.skipped
    assert result.relationship_accuracy >= rel_floor, result.errors
    assert result.stage_accuracy >= stage_floor, result.errors


def test_train4_does_not_depend_on_the_weekday() -> None:
    """Weekday words (月曜に謝って) are read against today; the stage model reads the days as a bucket."""
    rows = _rows("situations_train4.jsonl")
    for offset in range(7):
        result = evaluate_situations(rows, today=TODAY + dt.timedelta(days=offset))
        assert result.stage_accuracy >= 0.98, (offset, result.errors)
