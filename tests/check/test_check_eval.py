"""Accuracy floors of the analyser on labelled data (issue 2: macro-F1 >= 0.90, register >= 0.97)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nakanaori.check.eval import evaluate_messages

DEV = Path(__file__).resolve().parents[3] / "shared" / "eval" / "messages.dev.jsonl"
HELDOUT = Path(__file__).parents[1] / "data" / "messages_heldout.jsonl"


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _dev_path() -> Path:
    for candidate in (DEV, Path("../shared/eval/messages.dev.jsonl"), Path("/work/shared/eval/messages.dev.jsonl")):
        if candidate.is_file():
            return candidate
    pytest.skip("shared/eval/messages.dev.jsonl is not beside the checkout")
    raise AssertionError  # unreachable


def test_dev_floors() -> None:
    result = evaluate_messages(_rows(_dev_path()))
    assert result.n == 200
    assert result.macro_f1 >= 0.90, result.as_dict()["labels"]
    assert result.register_accuracy >= 0.97
    # no label may collapse even when the average is fine
    assert min(s.f1 for s in result.per_label.values()) >= 0.80


def _split(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    tune = [r for r in rows if int(r["id"].split("-")[1]) <= 80]
    untouched = [r for r in rows if int(r["id"].split("-")[1]) > 80]
    return tune, untouched


def test_heldout_tuning_half() -> None:
    """mh-001..080 of the independently written set were read while broadening the rules."""
    tune, _ = _split(_rows(HELDOUT))
    result = evaluate_messages(tune)
    assert result.n == 80
    assert result.macro_f1 >= 0.94, result.as_dict()["labels"]
    assert result.register_accuracy >= 0.97


def test_heldout_untouched_half() -> None:
    """mh-081..160 were never looked at when writing rules: the honest generalisation figure.

    Measured 0.700 before any rule was tuned on the held-out set; 0.822 after broadening the rules from
    the language, the tuning half and four more independent sets (never from these lines); 0.847 after the
    fifth set. The floor
    guards against regressions.
    """
    _, untouched = _split(_rows(HELDOUT))
    result = evaluate_messages(untouched)
    assert result.n == 80
    assert result.macro_f1 >= 0.84, result.as_dict()["labels"]
    assert result.register_accuracy >= 0.97


TRAIN2 = Path(__file__).parents[1] / "data" / "messages_train2.jsonl"


def test_second_independent_set() -> None:
    """200 messages by another independent writer: 0.816 macro-F1 when first run, then used to broaden
    the rules (so this is a tuning figure, not a generalisation one)."""
    result = evaluate_messages(_rows(TRAIN2))
    assert result.n == 200
    assert result.macro_f1 >= 0.92, result.as_dict()["labels"]
    assert result.register_accuracy >= 0.98


TRAIN3 = Path(__file__).parents[1] / "data" / "messages_train3.jsonl"


def test_third_independent_set_of_hard_cases() -> None:
    """220 hard cases by a third independent writer: 0.802 macro-F1 when first run, then used to broaden
    the rules (a tuning figure)."""
    result = evaluate_messages(_rows(TRAIN3))
    assert result.n == 220
    assert result.macro_f1 >= 0.89, result.as_dict()["labels"]
    assert result.register_accuracy >= 0.98


TRAIN4 = Path(__file__).parents[1] / "data" / "messages_train4.jsonl"


def test_fourth_independent_set() -> None:
    """200 messages by a fourth independent writer (ages, dialects, emoticons): 0.841 macro-F1 when first
    run, then used to broaden the rules (a tuning figure)."""
    result = evaluate_messages(_rows(TRAIN4))
    assert result.n == 200
    assert result.macro_f1 >= 0.91, result.as_dict()["labels"]
    assert result.register_accuracy >= 0.97


TRAIN5 = Path(__file__).parents[1] / "data" / "messages_train5.jsonl"


def test_fifth_independent_set_of_weak_spots() -> None:
    """200 messages aimed at the analyser's weak spots (blame and rushing phrased as fact, empathy and
    responsibility without their usual words): about 0.74 macro-F1 when first run, then used to broaden
    the rules (a tuning figure; these stay the hardest cases)."""
    result = evaluate_messages(_rows(TRAIN5))
    assert result.n == 200
    assert result.macro_f1 >= 0.82, result.as_dict()["labels"]
    assert result.register_accuracy >= 0.98


TRAIN6 = Path(__file__).parents[1] / "data" / "messages_train6.jsonl"


def test_sixth_independent_set() -> None:
    """200 messages by a writer who saw only labels.md (50 per relationship, 20+ per label).

    First run, before any rule saw it: macro-F1 0.867 (blame_shift 0.59, excuse 0.75 the weakest).
    After one round of general rules (family/name + も…ほしかった, 「お互い様じゃない？」, 酒が入ってた,
    たまたまで; さぞ…でしょう, 気持ちを考えずに, 恥をかかせた, 「本人も笑ってたけど」): 0.897. The floor sits under the
    first-run figure so it measures generalisation.
    """
    result = evaluate_messages(_rows(TRAIN6))
    assert result.n == 200
    assert result.macro_f1 >= 0.86, result.as_dict()["labels"]
    assert result.register_accuracy >= 0.98
