"""The per-token loops of the analysis and of the rule engine's prefilter, in C (``_speedups.c``)."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

M = TypeVar("M")

def append_tokens(
    ms: Any,
    out: list[M],
    make: Callable[[str, Any, int, int], M],
    words: dict[int, Any],
    miss: Callable[[Any, int], Any],
    at: int,
) -> int: ...
def bit_tables(
    tokens: list[Any], ks: dict[str, Any], kl: dict[str, Any], kn: dict[str, Any], kp: dict[str, Any]
) -> tuple[dict[str, int], dict[str, int], dict[str, int], dict[str, int]]: ...
def survivors(
    tables: dict[str, dict[str, int]],
    values: dict[str, dict[str, tuple[int, tuple[Any, ...]]]],
    re_tests: Sequence[tuple[int, Callable[[Any], bool]]],
    analysis: Any,
    always: Sequence[Any],
) -> tuple[int, dict[int, dict[int, int]]]: ...
def keep_starts(
    first: Callable[[Sequence[Any], int, int], int], tokens: Sequence[Any], starts: int, n: int
) -> int | None: ...
