"""Guidance knowledge base and advise(): completeness, timing rules, channel, templates, dates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from nakanaori import advise
from nakanaori.advise.guidance import GUIDANCE_FILE, load_guidance, load_guidance_from
from nakanaori.advise.situation import SITUATIONS_FILE, load_situation_lexicon_from
from nakanaori.errors import InputError
from nakanaori.knowledge.loader import KnowledgeError
from nakanaori.labels import Relationship, Stage
from nakanaori.text.normalize import has_japanese

TODAY = dt.date(2025, 6, 13)


def test_every_stage_has_do_dont_why_and_timing() -> None:
    g = load_guidance()
    for stage in Stage:
        sg = g.stages[stage]
        assert len(sg.do) >= 2 and len(sg.dont) >= 2
        assert all(d.why and has_japanese(d.why) for d in sg.dont)
        assert has_japanese(sg.summary) and has_japanese(sg.why)
        assert 0 <= sg.timing.earliest_days <= sg.timing.latest_days
    for rel in Relationship:
        rg = g.relationships[rel]
        assert rg.do and rg.dont and rg.focus and rg.tone


def test_timing_follows_the_article() -> None:
    st = load_guidance().stages
    assert st[Stage.no_reply].timing.earliest_days >= 7 and st[Stage.no_reply].timing.basis == "apology"
    assert (st[Stage.distance].timing.earliest_days, st[Stage.distance].timing.latest_days) == (3, 7)
    same_day = st[Stage.just_apologized].timing
    assert (same_day.earliest_days, same_day.latest_days) == (0, 0)
    assert 2 <= st[Stage.days_later].timing.earliest_days <= st[Stage.days_later].timing.latest_days <= 5


def test_guidance_validation_names_the_file(tmp_path: Path) -> None:
    data = yaml.safe_load(GUIDANCE_FILE.read_text(encoding="utf-8"))
    del data["stages"]["cold"]
    data["relationships"]["work"]["surprise"] = "x"
    bad = tmp_path / "guidance.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as e:
        load_guidance_from(bad)
    msg = str(e.value)
    assert "guidance.yaml" in msg and "cold" in msg and "surprise" in msg


def test_situation_lexicon_validation(tmp_path: Path) -> None:
    data = yaml.safe_load(SITUATIONS_FILE.read_text(encoding="utf-8"))
    data["stages"]["cold"].append({"seq": ["冷たい"], "text": "冷たい"})
    bad = tmp_path / "situations.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as e:
        load_situation_lexicon_from(bad)
    assert "situations.yaml" in str(e.value) and "cold" in str(e.value)


def test_advise_no_reply_dates_and_templates() -> None:
    a = advise("彼氏に謝ったのに未読のまま2日…", today=TODAY)
    assert (a.relationship.value, a.stage.value) == ("partner", "no_reply")
    assert a.timing.apology_date == dt.date(2025, 6, 11)
    assert a.timing.earliest_date == dt.date(2025, 6, 18)
    assert a.timing.status == "wait" and a.timing.days_until == 5
    assert len(a.templates) >= 3
    assert all(t.relationship == Relationship.partner and t.stage == Stage.no_reply for t in a.templates)
    dumped = a.model_dump(mode="json")
    assert dumped["stage"] == "no_reply" and dumped["templates"][0]["text"]


def test_advise_work_channel_and_register() -> None:
    a = advise("上司に報告漏れで謝罪した。その後どう信頼を取り戻せば", today=TODAY)
    assert a.relationship.value == "work"
    assert "対面" in a.guidance.channel or "電話" in a.guidance.channel
    assert "敬語" in a.guidance.tone
    assert any("再発防止" in d for d in a.guidance.do)


def test_channel_depends_on_severity() -> None:
    small = advise("ちょっとした誤解で友達に謝った。今日中にお礼を送りたい", today=TODAY)
    assert "LINE" in small.guidance.channel
    serious = advise("浮気がバレて彼女に謝った。今日中にもう一度伝えたい", today=TODAY)
    assert "会って" in serious.guidance.channel and "直接伝えたかった" in serious.guidance.channel


def test_explicit_choices_and_dates() -> None:
    a = advise(relationship="family", stage="distance", today=TODAY, last_contact=dt.date(2025, 6, 1))
    assert a.stage.value == "distance" and a.confidence == 1.0
    assert a.timing.latest_date == dt.date(2025, 6, 8) and a.timing.status == "late"
    b = advise("母に謝った", stage="days_later", apologized_on=dt.date(2025, 6, 10), today=TODAY)
    assert b.facts.days_since_apology == 3 and b.timing.status == "now"


def test_bad_dates() -> None:
    with pytest.raises(InputError) as e:
        advise("母に謝った", apologized_on=dt.date(2030, 1, 1), today=TODAY)
    assert e.value.code == "bad_date"
    with pytest.raises(InputError):
        advise("母に謝った", apologized_on=dt.date(1899, 1, 1), today=TODAY)
    with pytest.raises(InputError):
        advise("母に謝った", apologized_on=dt.date(2025, 6, 10), last_contact=dt.date(2025, 6, 1), today=TODAY)
