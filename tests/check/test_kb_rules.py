"""Every rule carries its own NG/OK examples (match / no_match), and they all hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from nakanaori.check.engine import run_rule
from nakanaori.check.rules import load_rule_file, load_rules, load_rules_from
from nakanaori.knowledge.loader import KnowledgeError
from nakanaori.text.analysis import analyze

RULES = load_rules()


def test_every_rule_has_both_kinds_of_example() -> None:
    missing = [r.id for r in RULES if not r.examples.match or not r.examples.no_match]
    assert missing == []


def test_every_label_has_rules() -> None:
    from nakanaori.labels import LABELS

    assert {r.label for r in RULES} == set(LABELS)


CASES = [(r.id, "match", t.text) for r in RULES for t in r.examples.match] + [
    (r.id, "no_match", t) for r in RULES for t in r.examples.no_match
]
BY_ID = {r.id: r for r in RULES}


@pytest.mark.parametrize(("rule_id", "kind", "text"), CASES, ids=[f"{c[0]}:{c[1]}:{i}" for i, c in enumerate(CASES)])
def test_rule_examples(rule_id: str, kind: str, text: str) -> None:
    fired = bool(run_rule(BY_ID[rule_id], analyze(text)))
    assert fired == (kind == "match"), f"{rule_id} on {text!r}"


MATCH_WITH_SPAN = [(r, ex) for r in RULES for ex in r.examples.match if ex.span or ex.suggestion]


@pytest.mark.parametrize(
    ("rule", "ex"), MATCH_WITH_SPAN, ids=[f"{r.id}:{k}" for k, (r, _) in enumerate(MATCH_WITH_SPAN)]
)
def test_examples_that_name_a_span_or_a_suggestion_get_them(rule, ex) -> None:
    from nakanaori.check.kbcheck import verify_match

    assert verify_match(rule, ex) == []


def test_some_examples_assert_span_and_suggestion() -> None:
    assert sum(1 for _, ex in MATCH_WITH_SPAN if ex.span) >= 5
    assert sum(1 for _, ex in MATCH_WITH_SPAN if ex.suggestion is not None) >= 5


def test_a_wrong_span_or_suggestion_is_reported() -> None:
    from nakanaori.check.kbcheck import verify_match
    from nakanaori.check.rules import MatchExample

    rule = next(r for r in RULES if r.id == "rushing.forgiven_yet")
    problems = verify_match(rule, MatchExample(text="もう許してくれた？", span="許して", suggestion="待ってるね"))
    assert any("highlights" in p for p in problems) and any("suggests" in p for p in problems)


def test_ng_suggestions_do_not_trigger_ng_rules() -> None:
    """A suggestion must clear its own warning (and every other NG rule)."""
    from nakanaori import check

    bad = []
    for rule in RULES:
        if rule.kind != "ng" or rule.suggestion is None:
            continue
        texts = rule.suggestion.values() if isinstance(rule.suggestion, dict) else [rule.suggestion]
        for text in texts:
            if not text:
                continue  # "" means: delete the span
            report = check(text)
            if report.ng:
                bad.append((rule.id, text, report.ng))
    assert bad == []


def _write(tmp_path: Path, body: str) -> Path:
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    p = d / "bad.yaml"
    p.write_text(body, encoding="utf-8")
    return p


def test_unknown_key_names_file_and_rule(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        """rules:
  - id: apology.x
    label: apology
    why: 理由を書きます。
    patterns: [[{lemma: ごめん}]]
    colour: red
    examples: {match: [ごめん], no_match: [はい]}
""",
    )
    with pytest.raises(KnowledgeError) as exc:
        load_rule_file(p)
    msg = str(exc.value)
    assert "bad.yaml" in msg and "apology.x" in msg and "colour" in msg


def test_empty_pattern_is_an_error(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        """rules:
  - id: apology.x
    label: apology
    why: 理由を書きます。
    patterns: [[]]
    examples: {match: [ごめん], no_match: [はい]}
""",
    )
    with pytest.raises(KnowledgeError, match=r"apology\.x"):
        load_rule_file(p)


def test_pattern_that_can_only_match_nothing_is_an_error(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        """rules:
  - id: apology.x
    label: apology
    why: 理由を書きます。
    patterns: [[{lemma: ごめん, op: "?"}]]
    examples: {match: [ごめん], no_match: [はい]}
""",
    )
    with pytest.raises(KnowledgeError, match="empty string"):
        load_rule_file(p)


def test_unknown_part_of_speech_can_never_match(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        """rules:
  - id: apology.x
    label: apology
    why: 理由を書きます。
    patterns: [[{pos: 名刺}]]
    examples: {match: [ごめん], no_match: [はい]}
""",
    )
    with pytest.raises(KnowledgeError, match="could never match"):
        load_rule_file(p)


def test_ng_rule_without_suggestion_is_an_error(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        """rules:
  - id: levity.x
    label: levity
    why: 理由を書きます。
    patterns: [[{s: 笑}]]
    examples: {match: [ごめん笑], no_match: [はい]}
""",
    )
    with pytest.raises(KnowledgeError, match="suggestion"):
        load_rule_file(p)


def test_duplicate_rule_ids_across_files(tmp_path: Path) -> None:
    d = tmp_path / "rules"
    d.mkdir()
    body = """rules:
  - id: apology.x
    label: apology
    why: 理由を書きます。
    patterns: [[{lemma: ごめん}]]
    examples: {match: [ごめん], no_match: [はい]}
"""
    (d / "a.yaml").write_text(body, encoding="utf-8")
    (d / "b.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="also defined"):
        load_rules_from(d)


def test_kb_check_reports_a_rule_that_never_fires(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`nakanaori kb check` runs each rule on its own examples: a rule that cannot fire is reported."""
    from nakanaori.check import kbcheck
    from nakanaori.check import rules as loader

    d = tmp_path / "rules"
    d.mkdir()
    (d / "a.yaml").write_text(
        """rules:
  - id: apology.never
    label: apology
    why: 理由を書きます。
    patterns: [[{lemma: 存在しない語}]]
    examples: {match: [ごめんね], no_match: [はい]}
""",
        encoding="utf-8",
    )
    monkeypatch.setattr(kbcheck, "load_rules", lambda: loader.load_rules_from(d))
    problems, stats = kbcheck.verify_knowledge_base()
    assert stats["rules"] == 1
    assert any("apology.never" in p and "does not fire" in p for p in problems)


def test_packaged_knowledge_base_is_clean() -> None:
    from nakanaori.check.kbcheck import verify_knowledge_base

    problems, stats = verify_knowledge_base()
    assert problems == []
    assert stats["rules"] >= 40 and stats["examples"] >= 300


def test_per_register_suggestions_are_in_their_register() -> None:
    """A casual suggestion reads casual, a polite one です・ます, an honorific one 敬語 (by our own analyser)."""
    from nakanaori import check

    wrong = [
        (rule.id, reg, check(text).register)
        for rule in RULES
        if isinstance(rule.suggestion, dict)
        for reg, text in rule.suggestion.items()
        if check(text).register != reg
    ]
    assert wrong == []
