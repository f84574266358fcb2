"""CLI wall time: ``nakanaori check TEXT`` (rich output and ``--json``) against ``python -c pass`` and
against loading the Sudachi dictionary alone, medians of 7 fresh processes each, same run.

Each ``nakanaori check`` run gets a different labelled message (never printed), so nothing of one
run's answer can serve the next. Prints figures only; nothing here is asserted.

    .venv/bin/python benchmarks/cli_bench.py [--runs 7] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from http_bench import labelled_messages

NAKANAORI = str(Path(sys.executable).with_name("nakanaori"))
SUDACHI_ALONE = "from sudachipy import Dictionary, SplitMode; Dictionary(dict='core').tokenizer(mode=SplitMode.C)"


CPU: dict[str, list[float]] = {}


def wall(cmd: list[str], name: str = "") -> float:
    """Wall time of one run; its CPU time (user + system) goes to CPU[name]: on a machine shared with
    other work the CPU time is the steadier figure."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(name, []).append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    texts = [b["text"] for b in labelled_messages() if len(b["text"]) <= 200]
    step = max(1, len(texts) // (2 * args.runs + 1))
    picks = texts[::step]
    wall([NAKANAORI, "check", picks[0], "--json"])  # the on-disk caches exist after a first run, as after install
    cases = {
        "python -c pass": lambda k: [sys.executable, "-c", "pass"],
        "Sudachi dictionary alone": lambda k: [sys.executable, "-c", SUDACHI_ALONE],
        "nakanaori check TEXT": lambda k: [NAKANAORI, "check", picks[1 + k]],
        "nakanaori check TEXT --json": lambda k: [NAKANAORI, "check", picks[1 + args.runs + k], "--json"],
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for k in range(args.runs):  # interleaved, so a burst of load on the machine hits every case alike
        for name, cmd in cases.items():
            times[name].append(wall(cmd(k), name))
    med = {name: statistics.median(v) for name, v in times.items()}
    result = {
        "runs": args.runs,
        "median_s": med,
        "median_cpu_s": {name: statistics.median(CPU[name]) for name in cases},
        "ratios": {
            "check / python -c pass": med["nakanaori check TEXT"] / med["python -c pass"],
            "check / Sudachi dictionary alone": med["nakanaori check TEXT"] / med["Sudachi dictionary alone"],
            "check --json / Sudachi dictionary alone": med["nakanaori check TEXT --json"]
            / med["Sudachi dictionary alone"],
        },
        "cpus": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"CLI wall time, median of {args.runs} fresh processes each (interleaved)")
    for name, v in med.items():
        lo, hi, cpu = min(times[name]) * 1000, max(times[name]) * 1000, statistics.median(CPU[name]) * 1000
        print(f"  {name:<30}{v * 1000:8.0f} ms   (min {lo:.0f}, max {hi:.0f})   CPU {cpu:.0f} ms")
    for name, r in result["ratios"].items():
        print(f"  {name:<40}{r:6.2f}×")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (figures are only as quiet as the machine)")
    print("target: nakanaori check TEXT ≤ 300 ms median")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
