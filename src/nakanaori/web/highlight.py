"""Render a draft with its findings highlighted in place, from code-point spans (server side).

Findings may overlap; the text is cut at every span boundary and each piece lists the findings
that cover it. Python strings index by code point, exactly like the checker's spans, so emoji
and other astral characters line up without any UTF-16 arithmetic here.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Segment:
    text: str
    findings: list[int] = field(default_factory=list)  # indices into the report's findings
    kind: str | None = None  # "ng" wins over "good" when both cover the piece

    @property
    def ids(self) -> str:
        return " ".join(str(i) for i in self.findings)


def segments(text: str, findings: list[Any]) -> list[Segment]:
    """Cut *text* at every finding boundary. ``findings`` need ``start``, ``end`` and ``kind``."""
    n = len(text)
    cuts = {0, n}
    for f in findings:
        if 0 <= f.start < f.end <= n:
            cuts.update((f.start, f.end))
    points = sorted(cuts)
    out: list[Segment] = []
    for a, b in itertools.pairwise(points):
        covering = [i for i, f in enumerate(findings) if f.start <= a and b <= f.end and f.start < f.end]
        kind = None
        if covering:
            kind = "ng" if any(findings[i].kind == "ng" for i in covering) else "good"
        out.append(Segment(text=text[a:b], findings=covering, kind=kind))
    return out
