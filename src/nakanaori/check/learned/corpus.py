"""The labelled corpus: batches listed in ``corpus/batches.yaml``, records in JSON Lines.

A record is ``{id, text, relationship, register, labels, spans}``; ``spans`` maps each label to a list of
``[start, end]`` code-point ranges of ``text`` (0-based, end-exclusive), or is ``null`` for the early
batches that were labelled per message only. A batch has a split: ``train`` (the model learns from it),
``dev`` (thresholds and model choice) or ``heldout`` (scored, never read or tuned on).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ...labels import LABELS

ROOT = Path(__file__).resolve().parents[4]
CORPUS = ROOT / "corpus"
SPLITS = ("train", "dev", "heldout")


class CorpusError(ValueError):
    """A corpus file or record that does not follow the format (names the file and line)."""


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    relationship: str | None
    register: str | None
    labels: tuple[str, ...]
    spans: dict[str, list[tuple[int, int]]] | None
    batch: str


@dataclass(frozen=True)
class Batch:
    name: str
    path: Path
    split: str
    writer: str
    brief: str
    date: str
    id_range: tuple[str, str] | None = None

    def exists(self) -> bool:
        return self.path.is_file()


def load_batches(corpus: Path = CORPUS) -> list[Batch]:
    meta_path = corpus / "batches.yaml"
    data = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    out: list[Batch] = []
    for k, b in enumerate(data.get("batches", [])):
        where = f"{meta_path}: batches[{k}]"
        try:
            split = b["split"]
            if split not in SPLITS:
                raise CorpusError(f"{where}: split must be one of {SPLITS}, not {split!r}")
            rng = b.get("id_range")
            out.append(
                Batch(
                    name=b["name"],
                    path=(corpus.parent / b["path"]).resolve(),
                    split=split,
                    writer=b["writer"],
                    brief=b["brief"],
                    date=str(b["date"]),
                    id_range=(rng[0], rng[1]) if rng else None,
                )
            )
        except KeyError as exc:
            raise CorpusError(f"{where}: missing key {exc}") from None
    return out


def _parse(line: str, where: str, batch: str) -> Record:
    try:
        r: dict[str, Any] = json.loads(line)
    except ValueError as exc:
        raise CorpusError(f"{where}: not JSON ({exc})") from None
    labels = tuple(r.get("labels", []))
    bad = [x for x in labels if x not in LABELS]
    if bad:
        raise CorpusError(f"{where}: unknown labels {bad}")
    text = r.get("text")
    if not isinstance(text, str) or not text:
        raise CorpusError(f"{where}: empty text")
    spans_raw = r.get("spans")
    spans: dict[str, list[tuple[int, int]]] | None = None
    if spans_raw is not None:
        if set(spans_raw) != set(labels):
            raise CorpusError(f"{where}: spans must name exactly the labels")
        spans = {}
        for label, ranges in spans_raw.items():
            out = []
            for se in ranges:
                s, e = int(se[0]), int(se[1])
                if not 0 <= s < e <= len(text):
                    raise CorpusError(f"{where}: span {se} of {label} is outside the text")
                out.append((s, e))
            spans[label] = out
    return Record(str(r["id"]), text, r.get("relationship"), r.get("register"), labels, spans, batch)


def read_batch(batch: Batch) -> list[Record]:
    if not batch.exists():
        raise CorpusError(f"{batch.path}: batch {batch.name} is listed but the file is missing")
    out = []
    for k, line in enumerate(batch.path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            rec = _parse(line, f"{batch.path}:{k}", batch.name)
            if batch.id_range and not (batch.id_range[0] <= rec.id <= batch.id_range[1]):
                continue
            out.append(rec)
    return out


def load_split(split: str, corpus: Path = CORPUS, *, missing_ok: bool = True) -> list[Record]:
    """Every record of the batches of *split* (a batch whose file is absent, e.g. ``../shared`` outside
    a checkout, is skipped when *missing_ok*)."""
    out: list[Record] = []
    for b in load_batches(corpus):
        if b.split != split:
            continue
        if not b.exists() and missing_ok:
            continue
        out += read_batch(b)
    return out
