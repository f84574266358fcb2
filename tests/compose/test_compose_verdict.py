"""Every variant ``compose`` returns gets the best verdict from ``check`` at its own relationship × stage (issue 11
§1): the composer and the checker speak with one voice. Written against the public API only."""

from __future__ import annotations

import pytest

from nakanaori import check, compose
from nakanaori.labels import RELATIONSHIP_REGISTERS, Register, Relationship, Stage

FACTS = [
    {"did": "約束の時間に遅れた", "will": "出る30分前にアラームをかける", "thanks": "話を聞いてくれた"},
    {"did": "ひどいことを言った"},
    {"thanks": "時間を作ってくれた"},
    {"will": "毎晩その日の予定を共有する"},
]
CASES = [(rel, stage, reg) for rel in Relationship for stage in Stage for reg in RELATIONSHIP_REGISTERS[rel]]


@pytest.mark.parametrize(("rel", "stage", "reg"), CASES, ids=[f"{r.value}-{s.value}-{g.value}" for r, s, g in CASES])
def test_every_composed_variant_gets_the_best_verdict(rel: Relationship, stage: Stage, reg: Register) -> None:
    seen = 0
    for facts in FACTS:
        c = compose(rel.value, stage.value, register=reg.value, **facts)
        for v in c.variants:
            seen += 1
            r = check(v.text, relationship=rel.value, stage=stage.value)
            places = [f"{f.label}「{f.text}」" for f in r.findings if f.kind == "ng"]
            places += [n.code for n in r.notes if n.severity == "warning"]
            assert r.verdict.level == "send", (v.text, places)
            assert r.score is not None and r.score >= 85, (v.text, r.score, r.score_note)
            assert v.score == r.score
    # the composer answers (an empty answer would pass the loop above trivially). Known gaps, owned by compose
    # (issue 11 §3): it still reopens the apology at awkward, and writes 敬語 (くださって) for a partner in polite
    known_gap = stage is Stage.awkward or (rel is Relationship.partner and reg.value == "polite")
    assert seen > 0 or known_gap


def test_the_composer_answers_for_every_relationship_and_stage_in_the_main_register() -> None:
    main = {r: RELATIONSHIP_REGISTERS[r][0] for r in Relationship}
    empty = [
        (rel.value, stage.value)
        for rel in Relationship
        for stage in Stage
        if not compose(rel.value, stage.value, register=main[rel].value, thanks="話を聞いてくれた").variants
    ]
    assert empty == []
