"""The prefiltered matcher finds exactly what the unfiltered one finds (issue 12).

``run_rules`` drops every pattern whose required values are not all in the message before trying it, and
settles sentence and message conditions the same way; ``run_rules_unfiltered`` is the engine as it was
(every pattern whose first literal token occurs is tried, every condition scans every position). On
every labelled message of the train and dev splits and of the non-held-out situation sets, for the label
rules and the situation cues, both give the same matches in the same order. A failure names ids and
counts only, never a text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus_sample import sampled_batches
from nakanaori.advise.cues import load_situation_lexicon
from nakanaori.advise.situation import _all_rules
from nakanaori.check.engine import (
    RawMatch,
    run_rules,
    run_rules_unfiltered,
    surviving_patterns,
)
from nakanaori.check.rules import PatternRule, load_rules
from nakanaori.text.analysis import analyze
from nakanaori.text.tokenizer import get_tokenizer, tokenize

ROOT = Path(__file__).resolve().parents[2]
SITUATION_SETS = [
    ROOT.parent / "shared" / "eval" / "situations.dev.jsonl",
    ROOT / "tests" / "data" / "situations_extra.jsonl",
    ROOT / "tests" / "data" / "situations_train2.jsonl",
    ROOT / "tests" / "data" / "situations_train3.jsonl",
]


def _message_sets() -> list[tuple[str, list[tuple[str, str]]]]:
    """(name, [(id, text)]) of every labelled set that may be read: train and dev batches, and the
    situation sets that are not held out."""
    out = []
    for name, records in sampled_batches():
        out.append((name, [(r.id, r.text) for r in records]))
    for path in SITUATION_SETS:
        if path.is_file():
            rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
            out.append((path.stem, [(str(r["id"]), r["text"]) for r in rows]))
    return out


SETS = _message_sets()


def _key(ms: list[RawMatch]) -> list[tuple[int, int, int]]:
    return [(id(m.rule), m.start, m.end) for m in ms]


def test_the_sets_are_there() -> None:
    names = {name for name, _ in SETS}
    assert {"c01", "d01", "legacy-t2"} <= names
    assert "h01" not in names and "h02" not in names and "legacy-mh-b" not in names
    assert sum(len(rows) for _, rows in SETS) > 5000


@pytest.mark.parametrize(("name", "rows"), SETS, ids=[name for name, _ in SETS])
def test_prefiltered_equals_unfiltered(name: str, rows: list[tuple[str, str]]) -> None:
    label_rules = load_rules()
    cue_rules = _all_rules(load_situation_lexicon())
    differ: list[str] = []
    matched = 0
    for rid, text in rows:
        a = analyze(text)
        for kind, rules in (("rules", label_rules), ("cues", cue_rules)):
            want = _key(run_rules_unfiltered(rules, a))
            got = _key(run_rules(rules, a))
            matched += len(want)
            if got != want:
                differ.append(f"{rid} ({kind}: {len(got)} vs {len(want)} matches)")
    assert not differ, f"{name}: {len(differ)} messages differ: {differ[:10]}"
    assert matched > 0  # the comparison compared something


def _rule(patterns: list[list[dict[str, object]]], **extra: object) -> PatternRule:
    return PatternRule.model_validate({"patterns": patterns, **extra})


def test_a_pattern_missing_a_required_value_is_dropped() -> None:
    rule = _rule(
        [
            [{"lemma": "遅刻"}, {"s": "し"}, {"lemma": "て"}],  # all three present
            [{"lemma": "遅刻"}, {"lemma": "ない"}],  # ない is absent
            [{"lemma": "寝坊", "op": "?"}, {"lemma": "ごめん"}],  # optional 寝坊 is not required
            [{"word": ["遅刻し"]}],  # a word made of two morphemes joined
            [{"word": ["寝坊"]}],
        ]
    )
    a = analyze("遅刻してごめん")
    assert surviving_patterns((rule,), a) == {0: [0, 2, 3]}
    assert _key(run_rules((rule,), a)) == _key(run_rules_unfiltered((rule,), a))
    assert len(run_rules((rule,), a)) == 2


def test_sentence_conditions_are_settled_by_the_prefilter_alike() -> None:
    forbids = _rule([[{"lemma": "ごめん"}]], sentence_forbids=[[{"lemma": "遅刻"}]])
    requires = _rule([[{"lemma": "ごめん"}]], sentence_requires=[[{"lemma": "寝坊"}]])
    for text in ("遅刻してごめん", "ごめん。遅刻した", "寝坊してごめん", "ごめん"):
        a = analyze(text)
        for rule in (forbids, requires):
            assert _key(run_rules((rule,), a)) == _key(run_rules_unfiltered((rule,), a)), text
    assert not run_rules((forbids,), analyze("遅刻してごめん"))
    assert run_rules((forbids,), analyze("ごめん。遅刻した"))
    assert run_rules((requires,), analyze("寝坊してごめん"))
    assert not run_rules((requires,), analyze("ごめん"))


def test_a_surface_regex_clause_sees_anchored_and_free_regexes() -> None:
    free = _rule([[{"re": "[wWｗ]+", "pos": "名詞"}]])
    anchored = _rule([[{"re": "^w+$"}]])
    for text in ("ごめんww", "わかったw", "ごめん"):
        a = analyze(text)
        for rule in (free, anchored):
            assert _key(run_rules((rule,), a)) == _key(run_rules_unfiltered((rule,), a)), text


def test_morphemes_keep_sudachis_part_of_speech() -> None:
    """The part of speech comes from a cache keyed on Sudachi's id: it must equal Sudachi's own."""
    text = "昨日は本当にごめんね。次からは早めに出るようにするよ!"
    ours = tokenize(text)
    theirs = list(get_tokenizer().tokenize(text))
    assert [m.surface for m in ours] == [m.surface() for m in theirs]
    for m, s in zip(ours, theirs, strict=True):
        pos = tuple(s.part_of_speech())
        assert m.pos == pos
        assert (m.pos_str, m.pos1, m.ctype, m.cform) == (",".join(pos[:4]), pos[0], pos[4], pos[5])
        assert (m.lemma, m.norm, m.begin, m.end) == (s.dictionary_form(), s.normalized_form(), s.begin(), s.end())
