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
    re_tests: Sequence[tuple[int, Callable[[Any], Any], bool]],
    analysis: Any,
    always: Sequence[Any],
) -> tuple[int, dict[int, dict[int, int]]]: ...
def keep_starts(first: Callable[[Sequence[Any], int, int], int], tokens: Sequence[Any], starts: int, n: int) -> int: ...
def keep_all(
    survivors: dict[int, dict[int, int]],
    firsts: Sequence[Sequence[Callable[[Sequence[Any], int, int], int]]],
    tokens: list[Any],
    n: int,
) -> None: ...
def split(
    tokens: list[Any],
    flags: dict[str, int],
    flags_fn: Callable[[str], int],
    open_quotes: dict[str, str],
    sentence_fn: Callable[[int, list[Any], int, int], Any],
    boundary_fn: Callable[[list[Any], int], bool],
    ends_fn: Callable[[list[Any], int], bool],
) -> tuple[list[Any], list[int], list[int], list[int]]: ...
def mark_negation(tokens: list[Any], predicate_pos1: Any, negators: Any, negator_pos1: Any, tail: Any) -> None: ...
def has_words(tokens: list[Any], words: list[str]) -> bool: ...

class Matcher:
    """One pattern interpreted in C: ``first`` and ``ends`` of ``nakanaori.check.compiled.CPattern``."""

    def __init__(self, steps: tuple[tuple[Any, ...], ...]) -> None: ...
    def __call__(self, tokens: Sequence[Any], i: int, limit: int) -> int: ...
    def ends(self, tokens: Sequence[Any], i: int, limit: int) -> list[int]: ...
