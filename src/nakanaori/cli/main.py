"""Root Typer app. Each capability registers its commands from its own module, and ``main()`` imports
only the module(s) of the command being run: ``nakanaori check`` loads neither advise, compose, plan
nor the web server. ``app`` (for tests and scripts) is the app with every command."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import typer

MODULES = ("check_cmd", "advise_cmd", "compose_cmd", "plan_cmd", "serve_cmd", "worker_cmd", "feedback_cmd")
# the modules that register each top-level command (and the groups' subcommands)
COMMAND_MODULES = {
    "check": ("check_cmd",),
    "kb": ("check_cmd",),
    "eval": ("check_cmd", "advise_cmd"),
    "advise": ("advise_cmd",),
    "compose": ("compose_cmd",),
    "plan": ("plan_cmd",),
    "serve": ("serve_cmd",),
    "worker": ("worker_cmd",),
    "feedback": ("feedback_cmd",),
}


def build_app(modules: Sequence[str] = MODULES) -> typer.Typer:
    """The root app with the commands of *modules* (in the order of :data:`MODULES`)."""
    root = typer.Typer(
        name="nakanaori",
        help="仲直り — 謝ったあとに送る言葉をチェックし、状況に合う助言・文面・予定をつくります。",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    eval_app = typer.Typer(help="ラベル付きデータで精度を測ります。", no_args_is_help=True)
    kb_app = typer.Typer(help="知識ベース(YAML)を検証します。", no_args_is_help=True)
    root.add_typer(eval_app, name="eval")
    root.add_typer(kb_app, name="kb")
    groups: dict[str, typer.Typer] = {"eval": eval_app, "kb": kb_app}
    for name in MODULES:
        if name in modules:
            # __import__, not importlib: the same import machinery as an import statement
            __import__(f"{__package__}.{name}", fromlist=["register"]).register(root, groups)
    return root


def modules_for(argv: Sequence[str]) -> Sequence[str]:
    """The command modules a command line needs: its command's, or all of them (help, a typo)."""
    return COMMAND_MODULES.get(argv[0], MODULES) if argv else MODULES


# long-running commands end the ordinary way (their servers and workers clean up on their own)
ORDINARY_EXIT = frozenset({"serve", "worker"})


def main() -> None:
    argv = sys.argv[1:]
    if argv and argv[0] in ORDINARY_EXIT:
        build_app(modules_for(argv))()
        return
    # A command that runs once: its start-up (imports, the dictionary, the knowledge base) makes a few
    # hundred thousand objects and no garbage, and each collection they set off walks all of them again
    # (~70 ms of a ~0.4 s `nakanaori check TEXT`). The collector stays off until the process ends, or
    # until a command that goes on to many items turns it back on (common.collect_garbage_again).
    gc.disable()
    app = build_app(modules_for(argv))
    try:
        app()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    _exit_now(code)


def _exit_now(code: object) -> NoReturn:
    """Exit without tearing the interpreter down: freeing every module, the dictionary and the rules
    one by one costs ~50 ms of a ~0.3 s run and nothing is left to do (no files open, no atexit work
    of ours). The output is flushed first; the exit status is what ``sys.exit(code)`` would give."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: nothing more can be said
        status = status or 1
    os._exit(status)


def __getattr__(name: str) -> Any:
    if name == "app":  # every command, built on first use
        globals()["app"] = full = build_app()
        return full
    raise AttributeError(name)
