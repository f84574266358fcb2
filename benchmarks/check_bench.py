"""Benchmark of `check`: messages per second against bare SudachiPy tokenisation of the same messages in
the same run (the baseline), plus the wall time of one `nakanaori check` process.

Prints figures only; nothing here is asserted (speed is measured here, never in tests).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "messages.dev.jsonl"
HELDOUT = ROOT / "tests" / "data" / "messages_heldout.jsonl"


def load_messages() -> list[str]:
    texts: list[str] = []
    for path in (DEV, HELDOUT):
        if path.is_file():
            texts += [
                json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
    if not texts:  # a fresh clone without shared/: a small built-in sample
        texts = [
            "昨日は遅刻してごめん。次からは早めに出るね",
            "もう謝ったじゃん。そんなに怒ること?",
            "話を聞いてくれてありがとう",
        ]
    return texts


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    from sudachipy import Dictionary, SplitMode

    from nakanaori import check
    from nakanaori.check.rules import load_rules

    texts = load_messages()
    chars = sum(len(t) for t in texts)
    tok = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
    load_rules()
    check(texts[0])  # warm caches (dictionary, rules) so both sides start equal

    def bare() -> None:
        for t in texts:
            for m in tok.tokenize(t):
                m.surface(), m.dictionary_form(), m.normalized_form(), m.part_of_speech()

    def full() -> None:
        for t in texts:
            check(t)

    def rules_only() -> None:  # the product before the learned model (same run, same analysis)
        for t in texts:
            check(t, use_model=False)

    rounds = 5
    t_bare = best_of(bare, rounds)
    t_full = best_of(full, rounds)
    t_rules = best_of(rules_only, rounds)
    n = len(texts)
    print(f"messages: {n} ({chars:,} characters), best of {rounds} rounds")
    print(f"  bare SudachiPy tokenise : {n / t_bare:9.1f} msg/s  ({t_bare * 1000:7.1f} ms)")
    print(f"  nakanaori check         : {n / t_full:9.1f} msg/s  ({t_full * 1000:7.1f} ms)")
    print(f"  check, rules only       : {n / t_rules:9.1f} msg/s  ({t_rules * 1000:7.1f} ms)")
    print(f"  ratio check / tokenise  : {t_full / t_bare:9.2f}x  (aim: <= 5x, then <= 2x)")
    print(f"  the model's cost        : {t_full / t_rules - 1:9.1%}  of check per message (aim: <= 25 %)")

    walls = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "nakanaori.cli", "check", texts[0], "--json"], check=True, capture_output=True
        )
        walls.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    py = time.perf_counter() - t0
    print(
        f"  one `nakanaori check` process: median {statistics.median(walls) * 1000:.0f} ms "
        f"(min {min(walls) * 1000:.0f} ms; bare `python -c pass` {py * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
