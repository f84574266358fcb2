"""Issue 8 §2: the defects found by fuzzing and probing the web app, each held by a test.

The real app (``create_app``) on a real SQLite file through FastAPI's TestClient; raw bodies are sent
as bytes so that lone surrogates, deep nesting and broken UTF-8 reach the server exactly as an attacker
would send them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from nakanaori.web import create_app
from nakanaori.web.limits import MAX_BODY_BYTES
from nakanaori.web.security import CSP

SHAPE = {"error", "message", "problems"}
JSON = {"content-type": "application/json"}
PLAN = {"relationship": "friend", "stage": "no_reply", "apologized_on": "2026-11-25", "today": "2026-11-29"}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "hardening.sqlite3"


@pytest.fixture
def app(db_path: Path):  # type: ignore[no-untyped-def]
    return create_app(f"sqlite:///{db_path}")


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def has_surrogate(s: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in s)


def assert_error_shape(r, status: int, code: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) >= SHAPE, body
    assert isinstance(body["problems"], list) and all({"field", "type"} <= set(p) for p in body["problems"])
    assert any("\u3040" <= ch <= "\u30ff" for ch in body["message"]), "a Japanese message"
    if code is not None:
        assert body["error"] == code, body
    return body


# ------------------------------------------------------------------ lone surrogates


def test_lone_surrogate_in_check_is_dropped_and_never_echoed(client: TestClient) -> None:
    # ごめんね\ud800ありがとう
    raw = b'{"text": "\\u3054\\u3081\\u3093\\u306d\\ud800\\u3042\\u308a\\u304c\\u3068\\u3046"}'
    r = client.post("/api/check", content=raw, headers=JSON)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["text"] == "ごめんねありがとう" and "ud800" not in r.text
    assert body["findings"], "the apology and the thanks are still analysed"
    for f in body["findings"]:
        assert body["text"][f["start"] : f["end"]] == f["text"]
    only = client.post("/api/check", content=b'{"text": "\\udc00\\ud800"}', headers=JSON)
    assert_error_shape(only, 422, "empty")


def test_lone_surrogate_in_compose_facts_is_dropped_and_never_echoed(client: TestClient) -> None:
    raw = b'{"relationship": "work", "stage": "just_apologized", "did": "\\u9045\\u523b\\ud800"}'  # 遅刻\ud800
    r = client.post("/api/compose", content=raw, headers=JSON)
    assert r.status_code == 200, r.text
    assert r.json()["facts"]["did"] == "遅刻"
    assert not has_surrogate(r.text) and "ud800" not in r.text
    raw = (
        b'{"relationship": "friend", "stage": "cold", "did": "\\u9045\\u523b", '
        b'"thanks": "\\udfff\\u5f85\\u3063\\u3066\\u304f\\u308c\\u305f"}'
    )
    r = client.post("/api/compose", content=raw, headers=JSON)
    assert r.status_code == 200, r.text
    assert "udfff" not in r.text


def test_lone_surrogate_in_advise_and_plan_text_is_dropped(client: TestClient) -> None:
    advise = b'{"text": "\\u5f7c\\u5973\\u306b\\u8b1d\\u3063\\u305f\\ud83d", "today": "2026-11-29"}'  # 彼女に謝った
    r = client.post("/api/advise", content=advise, headers=JSON)
    assert r.status_code == 200, r.text
    assert "ud83d" not in r.text
    body = json.dumps({**PLAN, "message": "次からは時間を守るね\ud800"}).encode()  # json.dumps escapes it
    assert b"\\ud800" in body
    r = client.post("/api/plan", content=body, headers=JSON)
    assert r.status_code == 200, r.text
    assert "ud800" not in r.text


# ------------------------------------------------------------------ plan options, dates


@pytest.mark.parametrize("path", ["/api/plan", "/api/plan.ics"])
@pytest.mark.parametrize("field", ["relationship", "stage"])
def test_empty_relationship_or_stage_on_plan_is_422_not_500(client: TestClient, path: str, field: str) -> None:
    r = client.post(path, json={**PLAN, field: ""})
    body = assert_error_shape(r, 422, "bad_option")
    assert body["problems"] == [{"field": field, "type": "enum"}]


@pytest.mark.parametrize(
    "value",
    [
        0,
        1764115200,
        20261125,
        True,
        "20261125",
        "2026/11/25",
        "2026-11-25T00:00:00",
        "2026-11-25 ",
        "25.11.2026",
        "2026-W48-3",
    ],
)
def test_dates_must_be_iso_strings(client: TestClient, value: object) -> None:
    r = client.post("/api/plan", json={**PLAN, "apologized_on": value})
    body = assert_error_shape(r, 422, "invalid_request")
    assert body["problems"] == [{"field": "apologized_on", "type": "date_format"}]
    assert "YYYY-MM-DD" in body["message"]
    r = client.post("/api/advise", json={"relationship": "friend", "stage": "cold", "today": value})
    assert_error_shape(r, 422, "invalid_request")


def test_iso_dates_still_work_and_out_of_range_ones_are_bad_date(client: TestClient) -> None:
    assert client.post("/api/plan", json=PLAN).status_code == 200
    for today in ("0001-01-01", "9999-12-31"):
        r = client.post("/api/plan", json={**PLAN, "today": today, "apologized_on": today})
        assert_error_shape(r, 422, "bad_date")
        r = client.post("/api/advise", json={"text": "3日前に彼女に謝った", "today": today})
        assert_error_shape(r, 422, "bad_date")
    r = client.post("/api/plan", json={**PLAN, "apologized_on": "2026-02-30"})
    assert_error_shape(r, 422, "invalid_request")


# ------------------------------------------------------------------ unreadable JSON: one shape


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (b"[" * 5000, "json_too_deep"),
        (b'{"text": ' + b"[" * 2000 + b"]" * 2000 + b"}", "json_too_deep"),
        (b'{"a": ' * 100 + b"1" + b"}" * 100, "json_too_deep"),
        (b'{"text": "\xff\xfe"}', "invalid_utf8"),
        ('{"text": "ごめん"}'.encode("utf-16"), "invalid_utf8"),
        ('{"text": "ごめん"}'.encode("shift_jis"), "invalid_utf8"),
        (b'{"text": ' + b"1" * 5000 + b"}", "json_invalid"),  # int() refuses over 4,300 digits
        (b"{not json", "json_invalid"),
        (b'{"text": "ok"', "json_invalid"),
    ],
)
@pytest.mark.parametrize("path", ["/api/check", "/api/advise", "/api/compose", "/api/plan", "/api/plan.ics"])
def test_deep_or_non_utf8_json_gets_the_documented_422(client: TestClient, path: str, raw: bytes, kind: str) -> None:
    r = client.post(path, content=raw, headers=JSON)
    body = assert_error_shape(r, 422, "invalid_request")
    assert body["problems"] == [{"field": "", "type": kind}]
    assert set(body) == SHAPE


def test_every_api_error_has_the_same_shape(client: TestClient) -> None:
    assert_error_shape(client.post("/api/check", json={"text": "   "}), 422, "empty")
    assert_error_shape(client.post("/api/check", json={"text": "あ" * 5001}), 413, "too_long")
    assert_error_shape(client.post("/api/check", json={"text": "x", "relationship": "boss"}), 422, "bad_option")
    assert_error_shape(client.post("/api/check", json={"text": 5}), 422, "invalid_request")
    assert_error_shape(client.post("/api/check", json={"text": "ごめん\x01ね"}), 422, "binary")
    assert_error_shape(client.post("/api/advise", json={"text": "hello"}), 422, "no_japanese")
    assert_error_shape(client.post("/api/compose", json={"relationship": "work", "stage": "cold"}), 422, "empty")
    assert_error_shape(client.get("/api/nothing-here"), 404, "not_found")
    assert_error_shape(client.get("/api/check"), 405, "method_not_allowed")
    big = b'{"text": "' + b"a" * (MAX_BODY_BYTES + 1) + b'"}'
    body = assert_error_shape(client.post("/api/check", content=big, headers=JSON), 413, "too_large")
    assert body["max_bytes"] == MAX_BODY_BYTES
    problems = client.post("/api/compose", json={"relationship": "work", "stage": "cold", "did": "x" * 201}).json()
    assert problems["error"] == "too_long" and problems["problems"] == [{"field": "did", "type": "too_long"}]


# ------------------------------------------------------------------ headers on every response


def assert_security_headers(r, html: bool) -> None:  # type: ignore[no-untyped-def]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    if html:
        assert r.headers["content-security-policy"] == CSP


def test_413_answers_carry_the_security_headers(client: TestClient) -> None:
    big = b"a" * (MAX_BODY_BYTES + 1)
    r = client.post("/api/check", content=big, headers=JSON)
    assert r.status_code == 413
    assert_security_headers(r, html=False)
    page = client.post("/check", content=b"text=" + big, headers={"content-type": "application/x-www-form-urlencoded"})
    assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
    assert_security_headers(page, html=True)
    assert "style=" not in page.text  # the CSP forbids inline styles: the page uses the stylesheet


def test_unhandled_500_answers_carry_the_security_headers_and_say_nothing_internal(
    app, client: TestClient, db_path: Path
) -> None:  # type: ignore[no-untyped-def]
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/journal").text).group(1)  # type: ignore[union-attr]
    assert (
        client.post(
            "/journal/cases", data={"csrf": csrf, "title": "x", "relationship": "friend"}, follow_redirects=False
        ).status_code
        == 303
    )
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:  # the database breaks under the running app: every journal read now fails
        conn.execute(text("PRAGMA foreign_keys=OFF"))
        conn.execute(text("DROP TABLE planned_steps"))
    engine.dispose()
    page = client.get("/journal")
    assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
    assert_security_headers(page, html=True)
    assert "planned_steps" not in page.text and "Traceback" not in page.text
    assert "エラー" in page.text

    def boom() -> None:
        raise RuntimeError("internal detail")

    app.add_api_route("/api/boom-for-test", boom, methods=["GET"])
    r = client.get("/api/boom-for-test")
    assert_error_shape(r, 500, "internal_error")
    assert_security_headers(r, html=False)
    assert "internal detail" not in r.text


def test_private_responses_are_not_stored_by_caches(client: TestClient) -> None:
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/journal").text).group(1)  # type: ignore[union-attr]
    r = client.post(
        "/journal/cases",
        data={
            "csrf": csrf,
            "title": "ゆいのこと",
            "relationship": "partner",
            "stage": "no_reply",
            "apologized_on": "2026-11-20",
        },
        follow_redirects=False,
    )
    case_url = r.headers["location"]
    for resp in (
        client.get("/journal/export.json"),
        client.get(f"{case_url}/plan.ics"),
        client.get(case_url),
        client.post("/api/check", json={"text": "ごめんね"}),
        client.post("/api/plan.ics", json=PLAN),
    ):
        assert resp.status_code == 200
        assert resp.headers["cache-control"] == "no-store", resp.url
    static = client.get("/static/style.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")


# ------------------------------------------------------------------ identity on the first write only


def test_cookieless_journal_reads_insert_no_users(client: TestClient, app, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    for _ in range(60):
        with TestClient(app) as stranger:
            assert stranger.get("/journal").status_code == 200
            assert stranger.get("/journal/export.json").json()["cases"] == []
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM users")).scalar_one() == 0
    page = client.get("/journal")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert (
        client.post(
            "/journal/cases", data={"csrf": "forged", "title": "x", "relationship": "friend"}, follow_redirects=False
        ).status_code
        == 403
    )
    r = client.post("/journal/cases", data={"csrf": csrf, "title": "x", "relationship": ""})
    assert r.status_code == 422  # refused by validation: not a write either
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM users")).scalar_one() == 0  # forged or refused: nothing
    r = client.post(
        "/journal/cases", data={"csrf": csrf, "title": "x", "relationship": "friend"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert client.get(r.headers["location"]).status_code == 200
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM users")).scalar_one() == 1
    engine.dispose()
    # the page that was already open keeps working: same CSRF token before and after the first write
    assert re.search(r'name="csrf" value="([^"]+)"', client.get("/journal").text).group(1) == csrf  # type: ignore[union-attr]


def test_delete_all_before_any_write_only_forgets_the_cookie(client: TestClient) -> None:
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/journal").text).group(1)  # type: ignore[union-attr]
    assert client.post("/journal/delete-all", data={"csrf": "forged"}).status_code == 403
    r = client.post("/journal/delete-all", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/journal/deleted"


# ------------------------------------------------------------------ 405 with Allow, in the app's shape


@pytest.mark.parametrize(
    ("method", "path", "allow", "json_body"),
    [
        ("PUT", "/api/check", "POST", True),
        ("GET", "/api/plan.ics", "POST", True),
        ("DELETE", "/healthz", "GET", True),
        ("DELETE", "/", "GET", False),
        ("PUT", "/check", "GET, POST", False),  # two routes share the path: both methods are allowed
        ("PATCH", "/journal/cases/1", "GET", False),
        ("POST", "/static/style.css", "GET, HEAD", False),
        ("GET", "/line/webhook", "POST", True),
    ],
)
def test_undeclared_methods_get_405_with_allow(
    client: TestClient, method: str, path: str, allow: str, json_body: bool
) -> None:
    r = client.request(method, path)
    assert r.status_code == 405
    assert r.headers["allow"] == allow
    if json_body:
        assert_error_shape(r, 405, "method_not_allowed")
    else:
        assert r.headers["content-type"].startswith("text/html") and "この操作はできません" in r.text
    assert_security_headers(r, html=not json_body)


# ------------------------------------------------------------------ journal ids and dates from forms


def test_huge_ids_and_dates_out_of_the_calendar_are_404_and_422(client: TestClient) -> None:
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/journal").text).group(1)  # type: ignore[union-attr]
    url = client.post(
        "/journal/cases", data={"csrf": csrf, "title": "x", "relationship": "friend"}, follow_redirects=False
    ).headers["location"]
    big = "9" * 25  # beyond a 64-bit id: SQLite cannot even bind it
    assert client.get(f"/journal/cases/{big}").status_code == 404
    assert client.get(f"/journal/cases/{big}/plan.ics").status_code == 404
    assert client.post(f"{url}/steps/{big}/toggle", data={"csrf": csrf}).status_code == 404
    assert client.post(f"{url}/promises/{big}/toggle", data={"csrf": csrf}).status_code == 404
    r = client.post("/journal/save-message", data={"csrf": csrf, "case_id": big, "text": "ごめん"})
    assert r.status_code == 404
    for day in ("9999-12-31", "0001-01-01"):
        r = client.post(f"{url}/steps", data={"csrf": csrf, "title": "ごはん", "due_on": day})
        assert r.status_code == 422 and "1900年から9000年" in r.text
    assert client.get(f"{url}/plan.ics").status_code == 200


def test_a_forged_non_ascii_csrf_token_is_403_not_500(client: TestClient) -> None:
    """Found while probing: hmac.compare_digest raises TypeError for non-ASCII str."""
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/journal").text).group(1)  # type: ignore[union-attr]
    form = {"title": "x", "relationship": "friend"}
    assert client.post("/journal/cases", data={**form, "csrf": "ごめん"}).status_code == 403  # before the first write
    assert client.post("/journal/delete-all", data={"csrf": "ごめん"}).status_code == 403
    url = client.post("/journal/cases", data={**form, "csrf": csrf}, follow_redirects=False).headers["location"]
    assert client.post("/journal/cases", data={**form, "csrf": "ごめん"}).status_code == 403  # after it
    assert client.post(f"{url}/delete", data={"csrf": "é" * 64}).status_code == 403
    assert client.get(url).status_code == 200
