"""Shared CLI plumbing: reading text safely, reporting input errors with their exit codes."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from ..errors import EXIT_CODES, InputError, decode_bytes

if TYPE_CHECKING:
    from rich.console import Console


class LazyConsole:
    """A Rich console created on first use: output that never prints through it (``--json``) never
    imports Rich (about 15 ms of start-up)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return getattr(self._console, name)

    def unwrap(self) -> Console:
        """The Rich console itself (for Rich objects that want one)."""
        self.__getattr__("print")
        console: Console = self._console
        return console


class NoProgress:
    """Stands in for ``rich.progress.Progress`` when no one watches (no Rich import)."""

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, description: str, total: float | None = None) -> int:
        return 0

    def advance(self, task: int, advance: float = 1) -> None:
        return None


err_console = LazyConsole(stderr=True)


def collect_garbage_again() -> None:
    """For a command about to go through many items (a JSONL file, an evaluation set): turn the garbage
    collector back on, which :func:`nakanaori.cli.main.main` keeps off during start-up. What exists now lives
    until the end and is frozen out of every future collection; a check leaves a few cyclic objects, which
    are collected again from here on."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def fail(exc: InputError) -> NoReturn:
    err_console.print(f"[bold red]エラー:[/] {exc.message_ja}")
    raise typer.Exit(exc.exit_code)


def fail_option(message_ja: str) -> NoReturn:
    err_console.print(f"[bold red]エラー:[/] {message_ja}")
    raise typer.Exit(EXIT_CODES["bad_option"])


def open_database(database_url: str | None) -> Any:
    """(engine, session factory) of the journal database, migrated to the newest schema; a bad URL or an
    unreachable server ends the command with exit code 10 and a one-line Japanese message, no traceback."""
    from ..store import get_engine, make_session_factory, upgrade_to_head

    try:
        engine = get_engine(database_url)
        upgrade_to_head(engine)
    except Exception as exc:
        err_console.print(f"[bold red]エラー:[/] データベースに接続できません({type(exc).__name__})。")
        raise typer.Exit(10) from None
    return engine, make_session_factory(engine)


def read_text_arg(text: str) -> str:
    """TEXT or ``-`` for stdin (bytes decoded strictly as UTF-8)."""
    if text != "-":
        return text
    return decode_bytes(sys.stdin.buffer.read())


def read_source_bytes(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    p = Path(path)
    if not p.is_file():
        raise InputError("not_found", f"ファイルが見つかりません: {path}", f"file not found: {path}")
    return p.read_bytes()


def iter_jsonl(data: bytes) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """Yield (line number, object or None, error or None) for each non-blank line."""
    text = decode_bytes(data)
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield lineno, None, f"JSONとして読めません({exc.msg})"
            continue
        if not isinstance(obj, dict):
            yield lineno, None, "1行に1つのJSONオブジェクトが必要です"
            continue
        yield lineno, obj, None
