"""The outputs of check, advise, compose and plan on every labelled set are byte-identical to the committed
baseline (``scripts/compare_outputs.py``; the manifest holds one SHA-256 per output)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "compare_outputs.py"
MANIFEST = ROOT / "tests" / "data" / "outputs_baseline" / "manifest.sha256"


def test_outputs_are_byte_identical_to_the_baseline() -> None:
    res = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", str(MANIFEST)], capture_output=True, text=True, cwd=ROOT, timeout=900
    )
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "0 differences" in res.stdout


def test_the_comparison_fails_on_a_changed_output(tmp_path: Path) -> None:
    """The check can fail: one altered hash in a copy of the manifest is reported as a difference."""
    lines = MANIFEST.read_text(encoding="utf-8").splitlines()
    target = next(k for k, line in enumerate(lines) if line.split()[2].startswith("compose/"))
    h, size, name = lines[target].split(None, 2)
    lines[target] = f"{'0' * len(h)}  {size}  {name}"
    altered = tmp_path / "manifest.sha256"
    altered.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", str(altered), "--only", "compose"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert res.returncode == 1
    assert f"differs: {name}" in res.stdout
