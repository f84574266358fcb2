"""The facts a situation states: days since the apology, the channel, how serious it was, how many
messages went unanswered, whether the other has forgiven."""

from __future__ import annotations

import datetime as dt

from ..check.engine import RawMatch
from .cues import SituationLexicon
from .dates import read_count, read_days
from .models import Facts
from .spans import Spans


def read_facts(spans: Spans, lex: SituationLexicon, today: dt.date, forgiven: list[RawMatch]) -> Facts:
    text = spans.text
    days, approx = read_days(text, today)
    apology = set(lex.apology_words)
    apology_sents = {
        t.sent for t in spans.analysis.tokens if t.surface in apology or t.m.lemma in apology or t.norm in apology
    }
    facts = Facts(days_since_apology=days, days_approximate=approx, mentions_apology=bool(apology_sents))
    if days is not None:
        try:
            facts.apology_date = today - dt.timedelta(days=days)
        except OverflowError:  # before year 1: not a day anyone apologised on
            facts.days_since_apology = None
    # channel: prefer words in the sentences that talk about the apology
    best: tuple[int, int, str] | None = None
    for ch, words in lex.channels.items():
        for w in words:
            for a, _b in spans.aligned(w) + ([] if w.isascii() else spans.starting(w)):
                in_apology = spans.analysis.tokens[a].sent in apology_sents
                if ch == "in_person" and not in_apology:
                    continue
                rank = (0 if in_apology else 1, a)
                if best is None or rank < best[:2]:
                    best = (rank[0], rank[1], ch)
    if best is not None:
        facts.channel = best[2]  # type: ignore[assignment]
    serious = sum(1 for w in lex.severity.serious if w in text)
    small = sum(1 for w in lex.severity.small if w in text)
    if serious or small:
        facts.severity = "serious" if serious >= small else "small"
    facts.unanswered_messages = read_count(text)
    facts.forgiven = bool(forgiven)
    return facts
