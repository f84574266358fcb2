"""The HTML forms (not in the OpenAPI document, so schemathesis never sees them) under random input:
any field missing or holding anything — controls, RTL marks, dates past the calendar, ids past 64 bits,
another browser's or a forged CSRF token — gets a page (200/303) or a clear refusal, never a 500.

The real app on a real SQLite file through TestClient; hypothesis with a fixed seed and a bounded
number of examples per form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nakanaori.web import create_app

VALUES = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "partner",
            "work",
            "no_reply",
            "cold",
            "2026-11-20",
            "9999-12-31",
            "0001-01-01",
            "0",
            "-1",
            "9" * 30,
            "ごめんね。次からは気をつけるね",
            "\x00",
            "%",
            "\u202e",
            "ごめん" * 1700,
            "casual",
            "honorific",
        ]
    ),
)
FORMS = {
    "/check": ["text", "relationship", "stage"],
    "/consult": ["text", "relationship", "stage", "apologized_on"],
    "/compose": ["relationship", "stage", "did", "will", "thanks"],
    "/journal/cases": ["csrf", "title", "relationship", "stage", "what_happened", "apologized_on"],
    "{case}/messages": ["csrf", "text", "sent_on"],
    "{case}/steps": ["csrf", "title", "due_on"],
    "{case}/steps/{step}/toggle": ["csrf"],
    "{case}/promises/1/toggle": ["csrf"],
    "/journal/save-message": ["csrf", "case_id", "text"],
}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, str, str]]:
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('forms') / 'forms.sqlite3'}")
    with TestClient(app, raise_server_exceptions=False) as client:
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/journal").text).group(1)  # type: ignore[union-attr]
        case = client.post(
            "/journal/cases",
            data={"csrf": csrf, "title": "x", "relationship": "friend", "stage": "cold", "apologized_on": "2026-11-20"},
            follow_redirects=False,
        ).headers["location"]
        step = re.findall(r'id="step-(\d+)"', client.get(case).text)[0]
        yield client, csrf, case, step


@pytest.mark.parametrize("form", sorted(FORMS))
def test_forms_never_answer_500(browser: tuple[TestClient, str, str, str], form: str) -> None:
    client, csrf, case, step = browser
    path = form.format(case=case, step=step)
    fields = FORMS[form]

    @settings(max_examples=60, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.fixed_dictionaries({}, optional={f: VALUES for f in fields}), real_csrf=st.booleans())
    def post(data: dict[str, str], real_csrf: bool) -> None:
        if real_csrf and "csrf" in fields:
            data["csrf"] = csrf
        r = client.post(path, data=data, follow_redirects=False)
        assert r.status_code in (200, 303, 403, 404, 413, 422), (r.status_code, sorted(data))
        if r.status_code >= 400:
            assert r.headers["content-type"].startswith("text/html")
            assert "Traceback" not in r.text

    post()


def test_the_fuzzed_case_is_still_readable(browser: tuple[TestClient, str, str, str]) -> None:
    client, _, case, _ = browser
    assert client.get(case).status_code == 200
    assert client.get(f"{case}/plan.ics").status_code == 200
    assert client.get("/journal/export.json").status_code == 200
    assert client.get("/journal").status_code == 200
