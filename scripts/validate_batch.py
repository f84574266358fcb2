#!/usr/bin/env python3
"""Format check for a corpus batch file (JSONL). Usage: python3 validate.py FILE [FILE...]

Standalone on purpose (no nakanaori import): writers run it without seeing the project's code.
Checks only the record format, never the judgement: fields, allowed values, ids unique,
every label has at least one span, every span string occurs in the text exactly once.
"""

import collections
import json
import sys

LABELS = {
    "apology",
    "responsibility",
    "empathy",
    "gratitude",
    "commitment",
    "patience",
    "forward",
    "excuse",
    "blame_shift",
    "rushing",
    "entitlement",
    "levity",
    "conditional",
    "minimization",
}
NG = {"excuse", "blame_shift", "rushing", "entitlement", "levity", "conditional", "minimization"}
RELS = {"partner", "friend", "work", "family"}
REGS = {"casual", "polite", "honorific"}


def main(paths):
    ok = True
    ids = set()
    n = 0
    lab = collections.Counter()
    rel = collections.Counter()
    reg = collections.Counter()
    multi = 0
    nong = 0
    for path in paths:
        for i, line in enumerate(open(path, encoding="utf-8"), 1):
            if not line.strip():
                continue
            where = f"{path}:{i}"
            try:
                r = json.loads(line)
            except ValueError as e:
                print(f"{where}: not JSON: {e}")
                ok = False
                continue
            keys = set(r)
            if keys != {"id", "text", "relationship", "register", "labels", "spans"}:
                print(
                    f"{where}: fields must be exactly id,text,relationship,register,labels,spans (got {sorted(keys)})"
                )
                ok = False
                continue
            if r["id"] in ids:
                print(f"{where}: duplicate id {r['id']}")
                ok = False
            ids.add(r["id"])
            t = r["text"]
            if not isinstance(t, str) or not t.strip():
                print(f"{where}: empty text")
                ok = False
                continue
            if r["relationship"] not in RELS:
                print(f"{where}: relationship {r['relationship']!r}")
                ok = False
            if r["register"] not in REGS:
                print(f"{where}: register {r['register']!r}")
                ok = False
            labels = r["labels"]
            if not isinstance(labels, list) or any(l not in LABELS for l in labels) or len(set(labels)) != len(labels):
                print(f"{where}: bad labels {labels}")
                ok = False
                continue
            if labels != sorted(labels):
                print(f"{where}: labels must be sorted")
                ok = False
            spans = r["spans"]
            if not isinstance(spans, dict) or set(spans) != set(labels):
                print(
                    f"{where}: spans keys must equal labels (labels {labels}, spans {sorted(spans) if isinstance(spans, dict) else spans})"
                )
                ok = False
                continue
            for l, ss in spans.items():
                if not isinstance(ss, list) or not ss:
                    print(f"{where}: spans[{l}] must be a non-empty list of strings")
                    ok = False
                    continue
                for s in ss:
                    c = t.count(s) if isinstance(s, str) and s else 0
                    if c == 0:
                        print(f"{where}: spans[{l}] {s!r} is not in the text")
                        ok = False
                    elif c > 1:
                        print(f"{where}: spans[{l}] {s!r} occurs {c} times; lengthen it until it is unique")
                        ok = False
            n += 1
            lab.update(labels)
            rel[r["relationship"]] += 1
            reg[r["register"]] += 1
            multi += len(labels) >= 2
            nong += not (set(labels) & NG)
    print(f"{n} records; relationships {dict(rel)}; registers {dict(reg)}; >=2 labels {multi}; no NG label {nong}")
    print("per label:", dict(sorted(lab.items())))
    print("OK" if ok else "ERRORS")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
