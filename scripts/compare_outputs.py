#!/usr/bin/env python3
"""Record the outputs of the four capabilities on every labelled set, and prove them byte-identical.

    python scripts/compare_outputs.py OUT_DIR                 # write every output + OUT_DIR/manifest.sha256
    python scripts/compare_outputs.py --check BASELINE        # rerun, compare with BASELINE, exit 1 on any diff
    python scripts/compare_outputs.py --check B --only check,compose

BASELINE is either a directory written by this script or a ``manifest.sha256`` file (one line per output:
``sha256  bytes  path``); ``tests/data/outputs_baseline/manifest.sha256`` is the committed one.

What runs, through the real command line (the Typer app, in-process, so one Sudachi load serves all):

* ``check --jsonl`` on every labelled set (``../shared/eval/*.jsonl`` beside the repository, as in CI, and
  ``tests/data/*.jsonl``), without a stage and with two stages;
* ``advise --jsonl`` on every set, and ``advise --json`` on every situation of the situation sets
  (fixed ``--today``), plus ``advise --json`` for every relationship × stage given explicitly;
* ``compose --json`` on a fixed grid of relationship × stage × facts;
* ``plan --json`` and its ``--ics`` file (DTSTAMP masked) on a fixed grid, with a fixed ``--apologized-on``,
  ``--today`` and ``--promised-on``;
* ``eval messages --json`` and ``eval situations --json`` on every set (the figures).

Each command's stdout is one file; its exit status and stderr go to a ``.meta`` file beside it. In
``--check`` mode only file names and the first differing line number are printed, never contents: some
sets are held out and must not be read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED_EVAL = REPO.parent / "shared" / "eval"
TESTS_DATA = REPO / "tests" / "data"
GROUPS = ("check", "advise", "compose", "plan", "eval")

TODAY = "2026-11-27"
APOLOGIZED_ON = "2026-11-20"
LAST_CONTACT = "2026-11-24"
PROMISED_ON = "2026-11-21"
RELATIONSHIPS = ("partner", "friend", "work", "family")
STAGES = (
    "just_apologized",
    "days_later",
    "not_forgiven",
    "cold",
    "no_reply",
    "rejected",
    "awkward",
    "distance",
    "not_my_fault",
    "improve",
)
CHECK_STAGES = (None, "just_apologized", "no_reply")
# facts for compose: none given (an input error), one fact, all three, all three in an explicit register
COMPOSE_FACTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("none", {}),
    ("did", {"did": "約束の時間に遅れた"}),
    (
        "all",
        {
            "did": "大事な話の途中で黙ってしまった",
            "will": "思ったことをその場で言葉にする",
            "thanks": "最後まで話を聞いてくれた",
        },
    ),
    (
        "polite",
        {"did": "報告が遅れた", "will": "毎朝進捗を報告する", "thanks": "時間を取ってくれた", "register": "polite"},
    ),
)
# messages for plan: none, one with promises (commitments become check-ins)
PLAN_MESSAGES: tuple[tuple[str, str | None], ...] = (
    ("nomsg", None),
    ("promise", "昨日は本当にごめん。これからは約束の時間の10分前に着くようにするね。毎晩寝る前に連絡もする。"),
)
_DTSTAMP = re.compile(rb"^DTSTAMP:.*$", re.MULTILINE)


def labelled_sets() -> list[tuple[str, Path]]:
    """(name, path) of every labelled JSONL set; a missing ../shared is an error, not a skip."""
    if not SHARED_EVAL.is_dir():
        raise SystemExit(f"compare_outputs: {SHARED_EVAL} not found (shared/ must sit beside the repository)")
    out = [(f"shared.{p.stem}", p) for p in sorted(SHARED_EVAL.glob("*.jsonl"))]
    out += [(f"tests.{p.stem}", p) for p in sorted(TESTS_DATA.glob("*.jsonl"))]
    return out


def _is_situation_set(path: Path) -> bool:
    return path.name.startswith("situations")


class Runner:
    """Runs the CLI in-process and writes stdout / exit status + stderr under *out*."""

    def __init__(self, out: Path) -> None:
        from typer.testing import CliRunner

        from nakanaori.cli import app

        self.app = app
        self.runner = CliRunner()
        self.out = out
        self.masks: list[str] = []  # temporary paths that show in messages

    def run(self, name: str, args: list[str], extra: Iterable[tuple[str, Path]] = ()) -> None:
        result = self.runner.invoke(self.app, args, catch_exceptions=False)
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(result.stdout_bytes)
        meta = f"exit: {result.exit_code}\nstderr:\n{result.stderr}"
        for m in self.masks:
            meta = meta.replace(m, "<tmp>")
        path.with_name(path.name + ".meta").write_text(meta, encoding="utf-8")
        for suffix, produced in extra:
            data = produced.read_bytes() if produced.exists() else b"(missing)\n"
            path.with_name(path.name + suffix).write_bytes(_DTSTAMP.sub(b"DTSTAMP:(masked)", data))
            produced.unlink(missing_ok=True)


def run_check(r: Runner, sets: list[tuple[str, Path]]) -> None:
    for name, path in sets:
        for stage in CHECK_STAGES:
            args = ["check", "--jsonl", str(path)] + (["-s", stage] if stage else [])
            r.run(f"check/{name}.{stage or 'nostage'}.jsonl", args)


def run_advise(r: Runner, sets: list[tuple[str, Path]]) -> None:
    for name, path in sets:
        r.run(f"advise/{name}.jsonl", ["advise", "--jsonl", str(path), "--today", TODAY])
        if not _is_situation_set(path):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            item = re.sub(r"[^A-Za-z0-9_.-]", "_", str(row["id"]))
            r.run(f"advise/{name}/{item}.json", ["advise", row["text"], "--json", "--today", TODAY])
    for rel in RELATIONSHIPS:
        for stage in STAGES:
            r.run(
                f"advise/given/{rel}.{stage}.json",
                ["advise", "-r", rel, "-s", stage, "--json", "--today", TODAY, "--apologized-on", APOLOGIZED_ON],
            )


def run_compose(r: Runner) -> None:
    for rel in RELATIONSHIPS:
        for stage in STAGES:
            for fname, facts in COMPOSE_FACTS:
                args = ["compose", "-r", rel, "-s", stage, "--json"]
                for key, value in facts.items():
                    args += [f"--{key}", value]
                r.run(f"compose/{rel}.{stage}.{fname}.json", args)


def run_plan(r: Runner, tmp: Path) -> None:
    r.masks.append(str(tmp))
    for rel in RELATIONSHIPS:
        for stage in STAGES:
            for mname, message in PLAN_MESSAGES:
                for contact in (None, LAST_CONTACT):
                    ics = tmp / "plan.ics"
                    args = [
                        "plan",
                        "-r",
                        rel,
                        "-s",
                        stage,
                        "--apologized-on",
                        APOLOGIZED_ON,
                        "--today",
                        TODAY,
                        "--promised-on",
                        PROMISED_ON,
                        "--json",
                        "--ics",
                        str(ics),
                    ]
                    if contact:
                        args += ["--last-contact", contact]
                    if message is not None:
                        msg = tmp / "message.txt"
                        msg.write_text(message, encoding="utf-8")
                        args += ["--message", str(msg)]
                    name = f"plan/{rel}.{stage}.{mname}.{'contact' if contact else 'nocontact'}.json"
                    r.run(name, args, extra=[(".ics", ics)])


def run_eval(r: Runner, sets: list[tuple[str, Path]]) -> None:
    for name, path in sets:
        kind = "situations" if _is_situation_set(path) else "messages"
        r.run(f"eval/{name}.json", ["eval", kind, "--json", str(path)])


def record(out: Path, only: set[str]) -> dict[str, tuple[str, int]]:
    out.mkdir(parents=True, exist_ok=True)
    sets = labelled_sets()
    r = Runner(out)
    with tempfile.TemporaryDirectory(prefix="nakanaori-compare-") as tmpdir:
        if "check" in only:
            run_check(r, sets)
        if "advise" in only:
            run_advise(r, sets)
        if "compose" in only:
            run_compose(r)
        if "plan" in only:
            run_plan(r, Path(tmpdir))
        if "eval" in only:
            run_eval(r, sets)
    manifest = {
        str(p.relative_to(out)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size)
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "manifest.sha256"
    }
    (out / "manifest.sha256").write_text(
        "".join(f"{h}  {size}  {name}\n" for name, (h, size) in sorted(manifest.items())), encoding="utf-8"
    )
    return manifest


def read_manifest(path: Path) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            h, size, name = line.split(None, 2)
            out[name] = (h, int(size))
    return out


def _group(name: str) -> str:
    return name.split("/", 1)[0]


def _first_diff_line(a: bytes, b: bytes) -> int:
    for k, (x, y) in enumerate(zip(a.splitlines(), b.splitlines(), strict=False), start=1):
        if x != y:
            return k
    return min(a.count(b"\n"), b.count(b"\n")) + 1


def check(baseline: Path, only: set[str]) -> int:
    manifest_path = baseline / "manifest.sha256" if baseline.is_dir() else baseline
    expected = {k: v for k, v in read_manifest(manifest_path).items() if _group(k) in only}
    with tempfile.TemporaryDirectory(prefix="nakanaori-outputs-") as tmp:
        got = record(Path(tmp), only)
        problems: list[str] = []
        for name in sorted(set(expected) | set(got)):
            if name not in got:
                problems.append(f"missing now: {name}")
            elif name not in expected:
                problems.append(f"new output: {name}")
            elif got[name] != expected[name]:
                where = ""
                if baseline.is_dir() and (baseline / name).exists():
                    line = _first_diff_line((baseline / name).read_bytes(), (Path(tmp) / name).read_bytes())
                    where = f" (first differing line {line})"
                problems.append(f"differs: {name}{where}")
    for p in problems:
        print(p)
    print(
        f"compare_outputs: {len(expected)} outputs in baseline, {len(got)} now, {len(problems)} differences "
        f"({', '.join(sorted(only))})"
    )
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", type=Path, help="directory to write the outputs to")
    ap.add_argument("--check", type=Path, metavar="BASELINE", help="baseline directory or manifest.sha256")
    ap.add_argument("--only", default=",".join(GROUPS), help=f"comma-separated subset of {', '.join(GROUPS)}")
    args = ap.parse_args(argv)
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    if not only <= set(GROUPS):
        ap.error(f"--only takes {', '.join(GROUPS)}")
    if args.check is not None:
        return check(args.check, only)
    if args.out is None:
        ap.error("give OUT_DIR or --check BASELINE")
    got = record(args.out, only)
    print(f"compare_outputs: wrote {len(got)} outputs to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
