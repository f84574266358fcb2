"""``nakanaori serve`` on a fresh directory: creates the data dir, migrates, answers; bad ports fail clearly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from live_server import free_port

NAKANAORI = [sys.executable, "-c", "from nakanaori.cli import main; main()"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NAKANAORI_DATABASE_URL", "NAKANAORI_DATA_DIR", "PORT")}
    return {**env, **extra}


def test_serve_creates_data_dir_and_answers(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [*NAKANAORI, "serve"], cwd=tmp_path, env=_env(PORT=str(port)), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120  # readiness wait with a generous bound, not a timing
        while True:
            if proc.poll() is not None:
                raise AssertionError(proc.stdout.read().decode() if proc.stdout else "serve exited")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "nakanaori serve did not answer within 120 s"
            time.sleep(0.1)
        assert httpx.get(f"http://127.0.0.1:{port}/", timeout=60).status_code == 200
        assert (tmp_path / "data" / "nakanaori.sqlite3").is_file()
        # the first check loads the dictionary: httpx's default 5 s is not the point here
        r = httpx.post(f"http://127.0.0.1:{port}/api/check", json={"text": "ごめんね"}, timeout=60)
        assert r.status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_serve_rejects_bad_port_in_japanese(tmp_path: Path) -> None:
    res = subprocess.run(
        [*NAKANAORI, "serve"], cwd=tmp_path, env=_env(PORT="eighty"), capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 2
    assert "PORT" in res.stderr and "Traceback" not in res.stderr
    res = subprocess.run(
        [*NAKANAORI, "serve", "--database-url", "postgresql://nobody@127.0.0.1:1/none"],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 2
    assert "データベースに接続できません" in res.stderr and "Traceback" not in res.stderr


def test_serve_rejects_a_bad_keepalive_setting_before_starting(tmp_path: Path) -> None:
    res = subprocess.run(
        [*NAKANAORI, "serve", "--port", "1"],
        cwd=tmp_path,
        env=_env(NAKANAORI_KEEPALIVE_REQUESTS="many"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 2
    assert "NAKANAORI_KEEPALIVE_REQUESTS" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "data").exists()  # refused before it created anything
