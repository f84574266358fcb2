"""Regenerate ``ANALYSER_MISSES`` in tests/test_templates.py: templates whose declared elements (or the
elements their stage needs) ``check`` does not find yet. Run from the repo root:
``.venv/bin/python scripts/template_misses.py`` (prints the list; ``--write`` updates the test file).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from nakanaori import check
from nakanaori.advise.templates import load_templates, missing_stage_elements

TEST = Path(__file__).resolve().parent.parent / "tests" / "test_templates.py"


def misses() -> dict[str, str]:
    out: dict[str, str] = {}
    for t in load_templates():
        r = check(t.text, relationship=t.relationship.value, stage=t.stage.value)
        missing = [e for e in t.elements if e not in r.labels]
        missing += [g for g in missing_stage_elements(t.stage, r.labels) if g not in missing]
        if missing:
            out[t.id] = ", ".join(missing)
    return out


def main() -> None:
    found = misses()
    body = "".join(f'    "{k}": "{v}",\n' for k, v in sorted(found.items()))
    print(body, end="")
    print(f"# {len(found)} of {len(load_templates())} templates", file=sys.stderr)
    if "--write" in sys.argv:
        src = TEST.read_text(encoding="utf-8")
        pattern = r"(    # BEGIN GENERATED\n).*?(    # END GENERATED)"
        new = re.sub(pattern, lambda m: m.group(1) + body + m.group(2), src, flags=re.S)
        TEST.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
