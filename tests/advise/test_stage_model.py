"""The learned stage reader: the shipped artefact, its errors, and where it decides (only when no cue fits)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from nakanaori.advise.situation import load_situation_lexicon, read_situation
from nakanaori.advise.stage_model import (
    ARTEFACT_DIR,
    STAGES,
    StageModelError,
    load_stage_model,
    shipped_stage_model,
)
from nakanaori.advise.stage_train import data_digest, train_sets
from nakanaori.labels import Stage
from nakanaori.text.analysis import analyze

TODAY = dt.date(2025, 6, 13)


def test_probabilities_cover_every_stage_and_sum_to_one() -> None:
    p = shipped_stage_model().probabilities(analyze("彼に謝ったけど、それから一度も話してない"), None)
    assert set(p) == set(Stage)
    assert sum(p.values()) == pytest.approx(1.0)
    assert all(0.0 <= v <= 1.0 for v in p.values())


def test_artefact_is_small_and_trained_on_the_current_train_sets_only() -> None:
    meta = json.loads((ARTEFACT_DIR / "stage_model.json").read_text(encoding="utf-8"))
    assert (ARTEFACT_DIR / "stage_model.npz").stat().st_size < 2_000_000
    assert not any("heldout" in name for name in meta["trained_on"])
    sets = train_sets()
    if [name for name, _ in sets] == meta["trained_on"]:  # the shared dev set is mounted, as when it was built
        assert meta["data_sha256"] == data_digest(sets), "train sets changed: python -m nakanaori.advise.stage_train"


def test_missing_artefact_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(StageModelError, match=r"stage_model\.npz: the stage model artefact is missing"):
        load_stage_model(tmp_path)


def _copy(tmp_path: Path) -> Path:
    d = tmp_path / "artefact"
    shutil.copytree(ARTEFACT_DIR, d)
    return d


def test_corrupt_weights_name_the_file(tmp_path: Path) -> None:
    d = _copy(tmp_path)
    (d / "stage_model.npz").write_bytes(b"not a zip")
    with pytest.raises(StageModelError, match=r"stage_model\.npz: corrupt stage model weights"):
        load_stage_model(d)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "other/9"}, "format 'other/9'"),
        ({"feature_version": 0}, "built with features v0"),
        ({"check_feature_version": 0}, "built on check's sentence features v0"),
        ({"stages": list(reversed(STAGES))}, "stages differ"),
    ],
)
def test_mismatched_metadata_is_refused(tmp_path: Path, change: dict, message: str) -> None:
    d = _copy(tmp_path)
    meta = json.loads((d / "stage_model.json").read_text(encoding="utf-8"))
    meta.update(change)
    (d / "stage_model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(StageModelError, match=message):
        load_stage_model(d)


def test_the_loaded_copy_reads_as_the_shipped_one(tmp_path: Path) -> None:
    a = analyze("母に謝ったけど、まだ口をきいてくれない")
    assert load_stage_model(_copy(tmp_path)).probabilities(a, 2) == shipped_stage_model().probabilities(a, 2)


def test_cues_that_fit_decide_before_the_model() -> None:
    """A stage that fits by its cues is the rules' reading, with the rules' confidence."""
    s = read_situation("彼氏に謝ったけど既読スルーされてる", today=TODAY)
    assert s.stage == Stage.no_reply and s.stage_confidence >= 0.8


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        # no cue fits: the model reads what happened after the apology
        ("おかんと仲直りしたけん、これからはもっと親孝行したいっちゃ", Stage.improve),
        ("叔父に謝りに行ったけど「もう親戚付き合いはせん」と言われた", Stage.rejected),
    ],
)
def test_the_model_reads_what_no_cue_fits(text: str, stage: Stage) -> None:
    s = read_situation(text, today=TODAY)
    cap = load_situation_lexicon().decision.model.confidence_cap
    assert s.stage == stage
    assert max(s.stage_scores.values(), default=0.0) < load_situation_lexicon().decision.fit
    assert s.stage_confidence <= cap


def test_an_explicit_stage_wins_over_the_model() -> None:
    s = read_situation("叔父に謝りに行ったけど「もう親戚付き合いはせん」と言われた", stage="cold", today=TODAY)
    assert s.stage == Stage.cold and s.stage_confidence == 1.0


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("彼氏に謝った", Stage.just_apologized),
        ("上司に謝罪しました", Stage.just_apologized),
        ("母に謝った。", Stage.just_apologized),
        ("兄と喧嘩して謝った", Stage.just_apologized),
        ("3日前に妻に謝った", Stage.days_later),
    ],
)
def test_a_bare_apology_keeps_the_prior_and_asks(text: str, stage: Stage) -> None:
    """Nothing said about what happened after: the model's guess is below decision.model.min_confidence,
    the prior (today / some days ago) stands, and an unsure reading comes with the one question."""
    s = read_situation(text, today=TODAY)
    assert s.stage == stage
    if s.stage_confidence < 0.6:
        assert s.question is not None
