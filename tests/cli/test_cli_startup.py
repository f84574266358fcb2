"""What a CLI run imports: only its own command's code, and no Rich when the output is ``--json``.

Each run is a fresh interpreter with ``-X importtime``, which writes one line per imported module to
standard error; the test reads the module names from it.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

TEXT = "昨日は約束の時間に遅れて、本当にごめんね。次からは早めに家を出るね。"
OTHER_COMMANDS = ("nakanaori.cli.advise_cmd", "nakanaori.cli.compose_cmd", "nakanaori.cli.plan_cmd")
SERVER = ("fastapi", "uvicorn", "starlette", "linebot", "sqlalchemy", "nakanaori.web", "nakanaori.cli.serve_cmd")


def imported(args: list[str]) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    res = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "from nakanaori.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "100"},
        check=False,
    )
    modules = {line.split("|")[-1].strip() for line in res.stderr.splitlines() if line.startswith("import time:")} - {
        "imported package"
    }
    return res, modules


def _under(modules: set[str], roots: tuple[str, ...]) -> set[str]:
    return {m for m in modules if any(m == r or m.startswith(r + ".") for r in roots)}


@pytest.mark.parametrize(
    "args",
    [
        ["check", TEXT, "--json"],
        ["advise", "3日前に彼女に謝ったけど、まだ返事がない", "--json"],
        ["compose", "-r", "friend", "-s", "just_apologized", "--did", "約束に遅れた", "--json"],
        ["plan", "-r", "friend", "-s", "no_reply", "--apologized-on", "2026-11-25", "--json"],
    ],
    ids=["check", "advise", "compose", "plan"],
)
def test_json_output_never_imports_rich(args: list[str]) -> None:
    res, modules = imported(args)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.lstrip().startswith("{")
    assert "nakanaori.cli.main" in modules  # the probe sees our imports at all
    assert _under(modules, ("rich",)) == set()
    assert _under(modules, SERVER) == set()


def test_check_loads_only_its_own_command() -> None:
    res, modules = imported(["check", TEXT, "--json"])
    assert res.returncode == 0
    assert "nakanaori.cli.check_cmd" in modules
    assert _under(modules, (*OTHER_COMMANDS, "nakanaori.advise", "nakanaori.compose", "nakanaori.plan")) == set()


def test_the_rich_report_still_renders() -> None:
    res, modules = imported(["check", TEXT])
    assert res.returncode == 0
    assert "仲直りチェック" in res.stdout and "スコア" in res.stdout
    assert "rich.console" in modules


def test_help_lists_every_command() -> None:
    res, _ = imported(["--help"])
    assert res.returncode == 0
    for command in ("check", "advise", "compose", "plan", "serve", "worker", "eval", "kb"):
        assert f" {command} " in res.stdout
    sub, _ = imported(["eval", "--help"])
    assert " messages " in sub.stdout and " situations " in sub.stdout


def test_a_command_over_many_items_collects_garbage_again() -> None:
    """main() runs a one-shot command without the garbage collector; a JSONL run turns it back on, with what
    start-up made frozen out of the collections."""
    import gc

    from nakanaori.cli.common import collect_garbage_again

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        collect_garbage_again()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        if not was_enabled:
            gc.disable()
