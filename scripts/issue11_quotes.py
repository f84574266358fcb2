#!/usr/bin/env python3
"""The outputs quoted in issue 11 §3, as the composer writes them now (for the issue's closing note).

For each quote: the fact that produced it, the relationship, stage and register, and the three variants
``compose`` returns today with the same fact. Run from the repo root:

    .venv/bin/python scripts/issue11_quotes.py            # print
    .venv/bin/python scripts/issue11_quotes.py --check    # also exit 1 when a quote is back

A quote is back when the quoted text appears in a variant, when a variant fails the guard
(:func:`nakanaori.compose.guard.broken_join`), when the fact is left out of every variant, or when the
quote's own condition fails (no ちゃう for the serious act, the in-law's くださる kept).
``tests/compose/test_issue11_quotes.py`` runs the same checks.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from nakanaori.compose import compose
from nakanaori.compose.composer import Composition
from nakanaori.compose.conjugate import apology_clause, thanks_clause, will_clause
from nakanaori.compose.guard import broken_join


@dataclass(frozen=True)
class Quote:
    quoted: str  # the broken output quoted in the issue
    slot: str  # did / will / thanks
    fact: str  # what the user wrote
    relationship: str
    stage: str
    register: str
    must_have: tuple[str, ...] = field(default=())  # in every variant that uses the fact
    must_not_have: tuple[str, ...] = field(default=())  # in no variant


QUOTES = [
    Quote("お時間をいただいていただき", "thanks", "お時間をいただいた", "work", "just_apologized", "honorific"),
    Quote("ご指導いただいていただき", "thanks", "ご指導いただいた", "work", "just_apologized", "honorific"),
    Quote("返信を忘れててしまって", "did", "返信を忘れてた", "friend", "just_apologized", "casual"),
    Quote("忘れてちゃって", "did", "忘れてた", "partner", "just_apologized", "casual"),
    Quote("既読無視してちゃって", "did", "既読無視してた", "partner", "just_apologized", "casual"),
    Quote("ミスがあってしまい", "did", "ミスがあった", "work", "just_apologized", "honorific"),
    Quote("ミスがあってしまい", "did", "ミスがあった", "work", "just_apologized", "polite"),
    Quote("毎日連絡したいようにいたします", "will", "毎日連絡したい", "work", "improve", "honorific"),
    Quote("遅刻により、誠に申し訳ございません", "did", "遅刻", "work", "just_apologized", "honorific"),
    Quote("無神経により", "did", "無神経だった", "work", "just_apologized", "honorific"),
    Quote("報告を忘れておってしまい", "did", "報告を忘れておりました", "work", "just_apologized", "polite"),
    Quote("報告を忘れておってしまい", "did", "報告を忘れておりました", "work", "just_apologized", "honorific"),
    Quote(
        "浮気しちゃって、ごめん",
        "did",
        "浮気した",
        "partner",
        "just_apologized",
        "casual",
        must_not_have=("ちゃっ", "じゃっ"),
    ),
    Quote(
        "聞いてくれて、ありがとうございました",
        "thanks",
        "お義母さんが話を聞いてくださった",
        "family",
        "just_apologized",
        "polite",
        must_have=("くださ",),
    ),
]


def clause(q: Quote) -> str:
    """The fact joined for its slot at the quote's register (what a variant that uses the fact contains)."""
    if q.slot == "did":
        return apology_clause(q.fact, q.register)  # type: ignore[arg-type]
    if q.slot == "will":
        return will_clause(q.fact, q.register)  # type: ignore[arg-type]
    return thanks_clause(q.fact, q.register, close=q.relationship != "work" and q.register == "polite")  # type: ignore[arg-type]


def run(q: Quote) -> Composition:
    return compose(q.relationship, q.stage, register=q.register, **{q.slot: q.fact})


def problems(q: Quote, c: Composition) -> list[str]:
    """What is wrong with today's variants for this quote (empty when the quote is fixed)."""
    out: list[str] = []
    texts = [v.text for v in c.variants]
    if len(texts) != 3:
        out.append(f"{len(texts)} variants")
    joined = clause(q)
    using = [t for t in texts if joined in t]
    if not using:
        out.append(f"the fact ({joined}) is in no variant")
    for t in texts:
        if q.quoted in t:
            out.append(f"the quote is back: {t}")
        bad = broken_join(t)
        if bad:
            out.append(f"broken join {bad}: {t}")
        out += [f"{x} in: {t}" for x in q.must_not_have if x in t]
    for t in using:
        out += [f"no {x} in: {t}" for x in q.must_have if x not in t]
    return out


def main(argv: list[str]) -> int:
    failed = 0
    for q in QUOTES:
        c = run(q)
        print(f"「{q.quoted}」  ({q.slot}: {q.fact} / {q.relationship}, {q.stage}, {q.register})")
        print(f"  joined now: {clause(q)}")
        for v in c.variants:
            print(f"  - {v.text}")
        found = problems(q, c)
        for p in found:
            print(f"  ! {p}")
        failed += bool(found)
    print(f"{len(QUOTES) - failed} of {len(QUOTES)} quotes read correctly now")
    return 1 if failed and "--check" in argv else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
