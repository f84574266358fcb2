#!/usr/bin/env python3
"""Import a writer's batch into corpus/data: span strings become [start, end] code-point offsets.

    python scripts/import_batch.py STAGING.jsonl corpus/data/NAME.jsonl

A writer gives each label's span as an exact substring of the text (unique in it); the corpus stores
offsets, so that a span stays exact whatever the text contains. Fails on a span that is not found
once, or on a record that is not in the contract's format. Prints nothing of the texts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from nakanaori.labels import LABELS


def convert(rec: dict, where: str) -> dict:
    text = rec["text"]
    spans: dict[str, list[list[int]]] = {}
    for label in rec["labels"]:
        if label not in LABELS:
            raise SystemExit(f"{where}: unknown label {label!r}")
        ranges = []
        for s in rec["spans"][label]:
            if text.count(s) != 1:
                raise SystemExit(f"{where}: a span of {label} occurs {text.count(s)} times in the text")
            i = text.index(s)
            ranges.append([i, i + len(s)])
        spans[label] = sorted(ranges)
    return {
        "id": rec["id"],
        "text": text,
        "relationship": rec["relationship"],
        "register": rec["register"],
        "labels": sorted(rec["labels"]),
        "spans": spans,
    }


def main(src: str, dst: str) -> int:
    out = []
    for k, line in enumerate(Path(src).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            out.append(convert(json.loads(line), f"{src}:{k}"))
    ids = [r["id"] for r in out]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"{src}: duplicate ids")
    Path(dst).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    print(f"{dst}: {len(out)} records")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
