"""Commands that open the journal database share one opener (`cli.common.open_database`): an unreachable
server ends them with exit code 10 and one Japanese line, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

NAKANAORI = [sys.executable, "-c", "from nakanaori.cli import main; main()"]

BAD_URL = "postgresql://nobody@127.0.0.1:1/none"


@pytest.mark.parametrize("command", [["feedback", "export"], ["feedback", "stats"]])
def test_an_unreachable_database_is_one_clear_line(command: list[str], tmp_path: Path) -> None:
    res = subprocess.run(
        [*NAKANAORI, *command, "--database-url", BAD_URL],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "NAKANAORI_DATABASE_URL"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 10
    assert "データベースに接続できません" in res.stderr and "Traceback" not in res.stderr
    assert res.stdout == ""
