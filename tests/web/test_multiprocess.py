"""Two app processes (two uvicorn servers on two ports) sharing one real PostgreSQL database.

Nothing the app needs lives in one process's memory: the identity cookie, the CSRF token and the
journal created through one process all work through the other.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from live_server import live_server
from nakanaori.store import current_revision, get_engine, head_revision

pytestmark = pytest.mark.postgres
TIMEOUT = 60  # httpx's default is 5 s: a bound on a busy machine, not something this test measures


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m.group(1)


def test_two_processes_share_identity_csrf_and_journal(postgresql_url: str, tmp_path: Path) -> None:
    with (
        live_server(postgresql_url, log_path=tmp_path / "a.log") as a,
        live_server(postgresql_url, log_path=tmp_path / "b.log") as b,
    ):
        assert a != b
        with httpx.Client(base_url=a, timeout=TIMEOUT) as ca:
            journal = ca.get("/journal")
            token = ca.cookies["nakanaori_id"]
            csrf = _csrf(journal.text)
            r = ca.post(
                "/journal/cases",
                data={
                    "csrf": csrf,
                    "title": "同僚の佐藤さん",
                    "relationship": "work",
                    "stage": "cold",
                    "apologized_on": "2026-11-24",
                },
            )
            assert r.status_code == 303
            case_url = r.headers["location"]
        with httpx.Client(base_url=b, cookies={"nakanaori_id": token}, timeout=TIMEOUT) as cb:
            # process B knows this browser (the cookie), its CSRF token and its case
            page = cb.get(case_url)
            assert page.status_code == 200
            assert "同僚の佐藤さん" in page.text
            assert _csrf(page.text) == csrf
            step = re.findall(r'id="step-(\d+)"', page.text)[0]
            r = cb.post(f"{case_url}/steps/{step}/toggle", data={"csrf": csrf})
            assert r.status_code == 303
            assert cb.post(f"{case_url}/steps/{step}/toggle", data={"csrf": "forged"}).status_code == 403
        with httpx.Client(base_url=a, cookies={"nakanaori_id": token}, timeout=TIMEOUT) as ca2:
            # ... and the change made through B is visible through A
            page = ca2.get(case_url)
            assert re.search(rf'<li id="step-{step}" class="step done"', page.text)
        with httpx.Client(base_url=b, timeout=TIMEOUT) as stranger:
            assert stranger.get(case_url).status_code == 404
    engine = get_engine(postgresql_url)  # the processes migrated the empty database at start
    assert current_revision(engine) == head_revision()
    engine.dispose()
