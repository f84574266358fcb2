"""``knowledge/plan.yaml``: validated at load, errors name the file and the entry, wording is tidy."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from nakanaori.knowledge import KnowledgeError
from nakanaori.labels import Stage
from nakanaori.plan.rules import PLAN_FILE, load_plan_rules, load_plan_rules_from

RAW = yaml.safe_load(PLAN_FILE.read_text(encoding="utf-8"))


def _load_modified(tmp_path: Path, change) -> None:
    data = copy.deepcopy(RAW)
    change(data)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_plan_rules_from(path)


def test_packaged_rules_cover_every_stage_with_the_domain_timing() -> None:
    rules = load_plan_rules()
    assert set(rules.stages) == set(Stage)
    no_reply = {s.id: s for s in rules.stages[Stage.no_reply].steps}
    first_send = min(s.offset_days for s in no_reply.values() if s.kind == "send")
    assert first_send >= 7  # domain.md §6: wait at least one week
    distance = [s for s in rules.stages[Stage.distance].steps if s.kind == "check_in"]
    assert [(s.offset_days, s.latest) for s in distance] == [(3, 7)]  # a few days to a week
    days_later = [s for s in rules.stages[Stage.days_later].steps if s.kind == "send"]
    assert (days_later[0].offset_days, days_later[0].latest) == (2, 5)
    thanks = rules.stages[Stage.just_apologized].steps[0]
    assert thanks.kind == "send" and thanks.offset_days == 0  # same day
    assert [c.after_days for c in rules.promise_check_ins] == [3, 14, 30]


def test_wording_has_no_folding_spaces_inside_japanese() -> None:
    rules = load_plan_rules()
    texts = [sp.summary for sp in rules.stages.values()]
    for sp in rules.stages.values():
        for st in sp.steps:
            texts += [st.title, st.reason] + [w.reason or "" for w in st.overrides.values()]
    for steps in rules.relationship_steps.values():
        texts += [t for st in steps for t in (st.title, st.reason)]
    texts += [c.reason for c in rules.promise_check_ins]
    for t in texts:
        assert not re.search(r"[^\x00-\x7f] | [^\x00-\x7f]", t), t


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (
            lambda d: d["stages"]["no_reply"]["steps"][1].update(colour="red"),
            ["plan.yaml", "stages.no_reply.steps[1]", "'one_light_message'", "colour"],
        ),
        (
            lambda d: d["stages"]["cold"]["steps"][0].update(latest_days=-1),
            ["stages.cold.steps[0]", "'stay_calm'", "latest_days"],
        ),
        (
            lambda d: d["stages"]["distance"]["steps"][1].update(offset_days=9),
            ["'light_check_in'", "latest_days (7) is before offset_days (9)"],
        ),
        (
            lambda d: d["stages"]["no_reply"]["steps"][0].update(purpose="check_in"),
            ["'wait_a_week'", "takes no purpose"],
        ),
        (
            lambda d: d["stages"]["awkward"]["steps"][0].update(purpose="hug"),
            ["'natural_talk'", "purpose"],
        ),
        (
            lambda d: d["stages"]["awkward"]["steps"][0].pop("purpose"),
            ["'natural_talk'", "needs a purpose"],
        ),
        (
            lambda d: d["stages"]["awkward"]["steps"][0].update(template={"stage": "awkward"}),
            ["'natural_talk'", "template"],
        ),
        (lambda d: d["stages"]["cold"]["steps"][1].update(kind="call"), ["'calm_moment_message'", "kind"]),
        (lambda d: d["stages"].pop("rejected"), ["missing", "rejected"]),
        (lambda d: d["event_times"].update(work="9:30am"), ["event_times", "HH:MM"]),
        (
            lambda d: d["relationship_steps"]["work"][1].update(repeat={"every_days": 7, "count": 1}),
            ["relationship_steps.work[1]", "'progress_report'", "count"],
        ),
        (
            lambda d: d["stages"]["improve"]["steps"].append(dict(d["stages"]["improve"]["steps"][0])),
            ["stages.improve", "repeat"],
        ),
    ],
)
def test_invalid_plan_files_fail_loudly_naming_file_and_entry(tmp_path: Path, change, fragments) -> None:
    with pytest.raises(KnowledgeError) as exc:
        _load_modified(tmp_path, change)
    message = str(exc.value)
    for fragment in fragments:
        assert fragment in message, message


def test_broken_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("stages: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"plan\.yaml: YAML error"):
        load_plan_rules_from(path)
