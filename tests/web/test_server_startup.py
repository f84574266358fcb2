"""What ``nakanaori serve``'s app (``create_server_app``) has done once its start-up is over, before any
request: the analyser and every capability's data are loaded, line-bot-sdk only when the LINE channel
is configured, and the collector's view of it all is frozen. Each case is a fresh interpreter, so
nothing loaded by other tests can answer for it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import gc, json, sys
from fastapi.testclient import TestClient
from nakanaori.web.app import create_server_app

app = create_server_app()
before = {"linebot": any(m.split(".")[0] == "linebot" for m in sys.modules)}
with TestClient(app) as client:  # runs the lifespan start-up, then no request
    from nakanaori.advise.guidance import load_guidance
    from nakanaori.check.learned.model import shipped_model
    from nakanaori.check.rules import load_rules
    from nakanaori.compose.phrases import phrases
    from nakanaori.plan.rules import load_plan_rules

    loaders = (load_rules, shipped_model, load_guidance, phrases, load_plan_rules)
    loaded = {f.__name__: f.cache_info().currsize for f in loaders}
    print(json.dumps({
        "before": before,
        "loaded": loaded,
        "frozen": gc.get_freeze_count(),
        "linebot": any(m.split(".")[0] == "linebot" for m in sys.modules),
        "line_runtime": getattr(app.state, "line_runtime", None) is not None,
    }))
"""


def _probe(tmp_path: Path, **env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LINE_", "NAKANAORI_DATABASE_URL"))}
    res = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**clean, "NAKANAORI_DATA_DIR": str(tmp_path / "data"), **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    result: dict[str, object] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


def test_server_app_is_warm_and_frozen_before_the_first_request(tmp_path: Path) -> None:
    got = _probe(tmp_path)
    assert got["loaded"] == {
        "load_rules": 1,
        "shipped_model": 1,
        "load_guidance": 1,
        "phrases": 1,
        "load_plan_rules": 1,
    }
    assert isinstance(got["frozen"], int) and got["frozen"] > 10_000
    assert got["linebot"] is False and got["line_runtime"] is False


def test_line_sdk_is_loaded_at_start_only_when_the_channel_is_configured(tmp_path: Path) -> None:
    got = _probe(tmp_path, LINE_CHANNEL_SECRET="s" * 32, LINE_CHANNEL_ACCESS_TOKEN="t" * 40)
    assert got["before"] == {"linebot": False}  # creating the app did not import it
    assert got["linebot"] is True and got["line_runtime"] is True
