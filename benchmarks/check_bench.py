"""Benchmark of `check` against bare SudachiPy tokenisation of the same messages, in the same run.

Every labelled message (shared/eval, tests/data, corpus/data) is used once per variant, in a fixed
shuffled order in which no two consecutive messages are the same text (so no cache of a result can be
what is measured). The variants run interleaved, block by block, so that a change in the machine's load
touches them alike:

* bare: SudachiPy tokenisation with the four features every morpheme is read for (the baseline);
* check: ``nakanaori.check`` with the learned model (the product);
* check without the model: ``check(..., use_model=False)``.

Wall-clock and CPU (this thread's) times are both printed: on a shared machine the CPU ratio is the
steadier one. Then where the time of one check goes (analysis, rules, model, report), and the wall time
of one `nakanaori check` process. Prints figures only (held-out sets are read, never shown); nothing here
is asserted: speed is measured here, never in tests.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT.parent / "shared" / "eval", ROOT / "tests" / "data", ROOT / "corpus" / "data"]
BLOCK = 200


def load_messages() -> list[str]:
    """Every labelled message text (situation and compose sets are not messages), in a fixed order where
    no text directly follows itself."""
    texts: list[str] = []
    for folder in SOURCES:
        for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
            if path.name.startswith(("situations", "compose")):
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    texts.append(json.loads(line)["text"])
    if not texts:  # a fresh clone without data: a small built-in sample
        texts = [
            "昨日は遅刻してごめん。次からは早めに出るね",
            "もう謝ったじゃん。そんなに怒ること?",
            "話を聞いてくれてありがとう",
        ]
    random.Random(12).shuffle(texts)
    for k in range(1, len(texts)):  # no two consecutive identical texts
        if texts[k] == texts[k - 1]:
            j = next((j for j in range(k + 1, len(texts)) if texts[j] != texts[k]), None)
            if j is not None:
                texts[k], texts[j] = texts[j], texts[k]
    return texts


Clock = tuple[float, float]  # (wall, cpu)


def _now() -> Clock:
    return time.perf_counter(), time.thread_time()


def run_interleaved(texts: Sequence[str], variants: dict[str, Callable[[str], object]]) -> dict[str, Clock]:
    """Total (wall, cpu) seconds per variant over all texts, the variants taking turns block by block."""
    totals = {name: (0.0, 0.0) for name in variants}
    for lo in range(0, len(texts), BLOCK):
        block = texts[lo : lo + BLOCK]
        for name, fn in variants.items():
            w0, c0 = _now()
            for t in block:
                fn(t)
            w1, c1 = _now()
            w, c = totals[name]
            totals[name] = (w + w1 - w0, c + c1 - c0)
    return totals


def main() -> None:
    from sudachipy import Dictionary, SplitMode

    from nakanaori import check
    from nakanaori.check.engine import run_rules
    from nakanaori.check.learned.combine import judge
    from nakanaori.check.rules import load_rules
    from nakanaori.text.analysis import analyze

    texts = load_messages()
    n = len(texts)
    chars = sum(len(t) for t in texts)
    tok = Dictionary(dict="core").tokenizer(mode=SplitMode.C)
    rules = load_rules()
    for t in texts[:50]:  # load the dictionary, rules and model so that every side starts warm
        check(t)

    def bare(t: str) -> None:
        for m in tok.tokenize(t):
            m.surface(), m.dictionary_form(), m.normalized_form(), m.part_of_speech()

    totals = run_interleaved(texts, {"bare": bare, "check": check, "rules": lambda t: check(t, use_model=False)})
    (wb, cb), (wf, cf), (wr, cr) = totals["bare"], totals["check"], totals["rules"]
    us = 1e6 / n
    print(f"messages: {n} ({chars:,} characters), each once per variant, interleaved in blocks of {BLOCK}")
    print("                              wall µs/msg   cpu µs/msg")
    print(f"  bare SudachiPy tokenise   : {wb * us:11.1f}  {cb * us:11.1f}")
    print(f"  nakanaori check           : {wf * us:11.1f}  {cf * us:11.1f}")
    print(f"  check without the model   : {wr * us:11.1f}  {cr * us:11.1f}")
    print(f"  ratio check / tokenise    : {wf / wb:10.2f}x  {cf / cb:10.2f}x   (aim: <= 5x, then <= 2x)")
    print(f"  ratio check w/o model     : {wr / wb:10.2f}x  {cr / cb:10.2f}x")
    print(f"  the model's share of check: {1 - wr / wf:10.1%}  {1 - cr / cf:10.1%}")

    # where one check's time goes, on a sample (CPU time; each step on fresh analyses)
    sample = texts[: min(n, 1500)]
    analyses = [analyze(t) for t in sample]

    def cpu(fn: Callable[[], object]) -> float:
        c0 = time.thread_time()
        fn()
        return (time.thread_time() - c0) * 1e6 / len(sample)

    t_bare = cpu(lambda: [bare(t) for t in sample])
    t_analyze = cpu(lambda: [analyze(t) for t in sample])
    fresh = [analyze(t) for t in sample]
    t_rules = cpu(lambda: [run_rules(rules, a) for a in fresh])
    fresh = [analyze(t) for t in sample]
    t_model = cpu(lambda: [judge(a, {}) for a in fresh])
    t_check = cpu(lambda: [check(t) for t in sample])
    t_report = t_check - t_analyze - t_rules - t_model  # register, notes, findings, the report itself
    del analyses
    print(f"where a check's time goes ({len(sample)} messages, cpu µs/msg):")
    print(f"  Sudachi tokenisation (bare) {t_bare:7.1f}")
    print(f"  analysis (with tokenising)  {t_analyze:7.1f}")
    print(f"  label rules (engine)        {t_rules:7.1f}")
    print(f"  model (features, scoring)   {t_model:7.1f}")
    print(f"  the rest, by difference     {t_report:7.1f}   (register, notes, findings, the report)")
    print(f"  check, all of it            {t_check:7.1f}")

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
