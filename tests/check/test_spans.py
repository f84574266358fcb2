"""A highlight never cuts a word: every finding starts and ends on a morpheme boundary, and a conjugated verb
keeps its auxiliaries (「返事はいらない」, not 「返事はいら」)."""

from __future__ import annotations

import pytest

from corpus_sample import sampled_records
from nakanaori import check
from nakanaori.text.analysis import analyze


@pytest.mark.parametrize(
    ("text", "label", "span"),
    [
        ("返事はいらないよ。", "patience", "返事はいらない"),
        ("ひどいこと言ってごめん。", "responsibility", "ひどいこと言って"),
        ("ひどいこと言ってしまってごめん。", "responsibility", "ひどいこと言ってしまって"),
        ("返信はしなくていいからね。", "patience", "返信はしなくていい"),
    ],
)
def test_quoted_highlights_read_as_whole_words(text: str, label: str, span: str) -> None:
    r = check(text, relationship="friend")
    spans = [f.text for f in r.findings if f.label == label]
    assert span in spans, spans


def _open_end(pos: str, cform: str) -> bool:
    """A verb, adjective or auxiliary in a form that its auxiliary still has to follow."""
    return pos.startswith(("動詞", "形容詞", "助動詞")) and cform.startswith(("未然形", "連用形"))


def _cut(text: str) -> list[str]:
    """The findings of *text* that start or end inside a morpheme, or stop before a verb's auxiliary."""
    a = analyze(text)
    norm = a.normalized
    toks = [(t, *norm.to_original(t.begin, t.end)) for t in a.tokens]
    starts = {s for _, s, _ in toks}
    ends = {e for _, _, e in toks}
    bounds = starts | ends | {0, len(text)}
    bad: list[str] = []
    for f in check(text).findings:
        if f.start not in bounds or f.end not in bounds:
            bad.append(f"{f.label} 「{f.text}」 cuts a morpheme")
            continue
        last = next((k for k, (_, _, e) in enumerate(toks) if e == f.end), None)
        if last is None or last + 1 >= len(toks):
            continue
        t, nt = toks[last][0], toks[last + 1][0]
        if t.sent != nt.sent or not _open_end(t.pos_str, t.cform):
            continue
        if nt.pos_str.startswith("助動詞") or (nt.pos_str.startswith("助詞,接続助詞") and nt.surface in ("て", "で")):
            bad.append(f"{f.label} 「{f.text}」 stops before 「{nt.surface}」")
    return bad


def test_no_highlight_cuts_a_word_in_the_labelled_messages() -> None:
    records = sampled_records()
    assert len(records) > 1000
    problems: list[str] = []
    for rec in records:
        problems += [f"{rec.id}: {p}" for p in _cut(rec.text)]
    assert problems == [], "\n".join(problems[:30])
