"""One term per concept, across the knowledge base, the web, the CLI and the LINE bot.

- 敬語 is always defined as 敬語(謙譲語・尊敬語) (です・ます is called です・ます, never 丁寧語 in copy);
- the friend relationship is written 友だち (LINE's own 友だち追加 decides the spelling);
- the product's name is 仲直り (or nakanaori), never なかなおり.

The scan reads the user-facing text of the knowledge YAML (words the situation reader and the rules
match on are inputs, not copy, and are left out), every web template and the Python of the web, LINE
and CLI layers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import nakanaori
from nakanaori import check
from nakanaori.labels import LABEL_JA, REGISTER_JA, RELATIONSHIP_JA, STAGE_JA, join_choices, join_names
from nakanaori.line import flex

PKG = Path(nakanaori.__file__).parent
KNOWLEDGE = PKG / "knowledge"

FORBIDDEN = {
    "友達|友人": "the friend relationship is written 友だち",
    "なかなおり": "the product is 仲直り / nakanaori",
    r"敬語[((](?!謙譲語・尊敬語[))])": "敬語 is 敬語(謙譲語・尊敬語)",
    "丁寧語": "です・ます is called です・ます",
}
RULE_COPY_KEYS = {"why", "suggestion", "hint", "message"}


def _strings(node: Any, keep: bool = True, keys: set[str] | None = None) -> list[str]:
    """Every string under ``node``; with ``keys``, only those under one of these keys."""
    if isinstance(node, str):
        return [node] if keep else []
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _strings(v, keep or (keys is not None and k in keys), keys)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v, keep, keys)]
    return []


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _copy() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    whole = [KNOWLEDGE / "guidance.yaml", KNOWLEDGE / "plan.yaml", KNOWLEDGE / "compose.yaml"]
    whole += sorted((KNOWLEDGE / "templates").glob("*.yaml"))
    for path in whole:
        out += [(path.name, s) for s in _strings(_load(path))]
    checks = _load(KNOWLEDGE / "message_checks.yaml")
    checks.pop("expected_registers", None)
    out += [("message_checks.yaml", s) for s in _strings(checks)]
    out += [("situations.yaml", s) for s in _strings(_load(KNOWLEDGE / "situations.yaml")["questions"])]
    for path in sorted((KNOWLEDGE / "rules").glob("*.yaml")):
        out += [(path.name, s) for s in _strings(_load(path), keep=False, keys=RULE_COPY_KEYS)]
    for layer in ("web", "line", "cli"):
        for path in sorted((PKG / layer).rglob("*")):
            if path.suffix in (".py", ".html", ".js"):
                out += [(str(path.relative_to(PKG)), path.read_text(encoding="utf-8"))]
    for name, table in (("LABEL_JA", LABEL_JA), ("REGISTER_JA", REGISTER_JA), ("RELATIONSHIP_JA", RELATIONSHIP_JA)):
        out += [(name, s) for s in table.values()]
    out += [("STAGE_JA", s) for s in STAGE_JA.values()]
    return out


COPY = _copy()


def test_the_scan_reads_the_copy() -> None:
    assert len(COPY) > 500
    assert any("友だち" in s for _, s in COPY)
    assert any("敬語(謙譲語・尊敬語)" in s for _, s in COPY)
    assert any("仲直り" in s for w, s in COPY if w.startswith(("web", "line")))


@pytest.mark.parametrize("pattern", sorted(FORBIDDEN))
def test_one_term_per_concept(pattern: str) -> None:
    bad = [(where, m.group(0)) for where, s in COPY for m in re.finditer(pattern, s)]
    assert bad == [], FORBIDDEN[pattern]


def test_the_scan_catches_what_it_is_for() -> None:
    for text in ("大切な友達", "友人関係", "なかなおりです", "敬語(謙譲語・丁寧語)で", "丁寧語で"):
        assert any(re.search(p, text) for p in FORBIDDEN), text
    assert not any(re.search(p, "敬語(謙譲語・尊敬語)で") for p in FORBIDDEN)


@pytest.mark.parametrize(
    ("names", "joined"),
    [
        (["です・ます", "敬語(謙譲語・尊敬語)"], "「です・ます」か「敬語(謙譲語・尊敬語)」"),
        (["くだけた話し言葉"], "「くだけた話し言葉」"),
        (["a", "b", "c"], "「a」「b」か「c」"),
        (["a", "a"], "「a」"),
        ([], ""),
    ],
)
def test_join_choices_keeps_each_option_whole(names: list[str], joined: str) -> None:
    assert join_choices(names) == joined


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return own + [s for k, v in node.items() if k != "text" for s in _texts(v)]
    if isinstance(node, list):
        return [s for v in node for s in _texts(v)]
    return []


def test_line_register_advice_names_each_register_whole() -> None:
    report = check("ごめん、次から気をつける", relationship="work")
    assert report.register_ok is False and len(report.expected_registers) >= 2
    texts = _texts(flex.check_message(report))
    advice = [t for t in texts if t.startswith("この相手には")]
    names = [REGISTER_JA[str(r)] for r in report.expected_registers]
    assert advice == [f"この相手には{join_choices(names)}のほうが合いそう。"]
    assert "「です・ます」" in advice[0] and "「敬語(謙譲語・尊敬語)」" in advice[0]
    assert "ますか敬語" not in advice[0] and "まか敬語" not in advice[0]


def test_line_register_advice_is_absent_when_the_register_fits() -> None:
    report = check("ご迷惑をおかけし、申し訳ございませんでした。", relationship="work")
    assert report.register_ok is True
    assert not [t for t in _texts(flex.check_message(report)) if t.startswith("この相手には")]


# Openings and phrases that followed the source article too closely (domain.md: every phrase is
# written fresh); they stay out of every text the product shows.
TOO_CLOSE_TO_THE_SOURCE = [
    "この前は話せてよかった",
    "話せてよかった。少しずつ",
    "少しずつでいいから",
    "『許してもらうこと』ではなく",
    "「許してもらうこと」ではなく",
    "許してもらうことより",
]


@pytest.mark.parametrize("phrase", TOO_CLOSE_TO_THE_SOURCE)
def test_no_text_follows_the_source_wording(phrase: str) -> None:
    assert [where for where, s in COPY if phrase in s] == []


def test_join_names_keeps_names_with_their_own_middle_dot_whole() -> None:
    assert join_names(["言い訳", "自己正当化・責任転嫁"]) == "言い訳、自己正当化・責任転嫁"
    assert join_names(["言い訳", "言い訳"]) == "言い訳"


def test_names_of_ng_labels_stay_whole_in_the_plan_note_and_the_line_alt_text() -> None:
    from datetime import date

    from nakanaori.plan.planner import plan

    text = "遅れてごめん。でも電車が止まってたし、そっちも遅れてきたじゃん。"
    report = check(text, relationship="friend")
    assert len(report.ng) >= 2 and "blame_shift" in report.ng
    names = join_names([LABEL_JA[x] for x in report.ng])
    p = plan("friend", "just_apologized", date(2025, 3, 3), message=text, today=date(2025, 3, 3))
    assert any(f"({names})" in n for n in p.notes), p.notes
    # the LINE alt text leads with the verdict (issue 11 §1), which names no labels
    assert flex.check_message(report)["altText"] == f"下書きチェック:{report.verdict.headline}"
