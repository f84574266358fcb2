"""The train and dev messages that the equivalence tests read (the C code against its Python reference, the
fast path against the route, the prefilter against the full rule pass): every batch, thinned by one stride so
that about ``CAP`` messages are read however large the corpus grows. The suite's time stays bounded; each
batch (each writer's style) is still in it. Held-out batches are never read here.
"""

from __future__ import annotations

from functools import cache

from nakanaori.check.learned.corpus import Record, load_batches, read_batch

CAP = 9000


@cache
def sampled_batches() -> tuple[tuple[str, tuple[Record, ...]], ...]:
    """(batch name, its sampled records) of every train and dev batch, in corpus order."""
    batches = [(b.name, read_batch(b)) for b in load_batches() if b.split in ("train", "dev") and b.exists()]
    total = sum(len(rows) for _, rows in batches)
    stride = max(1, -(-total // CAP))
    return tuple((name, tuple(rows[::stride])) for name, rows in batches)


def sampled_records() -> list[Record]:
    """The sampled train and dev records, in corpus order."""
    return [r for _, rows in sampled_batches() for r in rows]
