"""HTTP API on a real SQLite file through FastAPI's TestClient (no mocks)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from nakanaori import check
from nakanaori.web import create_app
from nakanaori.web.limits import MAX_BODY_BYTES
from nakanaori.web.privacy import StripQueryFilter

EMOJI_DRAFT = "昨日はごめんね😢🙏 話を聞いてくれてありがとう👨‍👩‍👧 これからもよろしくね✨"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(f"sqlite:///{tmp_path / 'api.sqlite3'}")
    with TestClient(app) as c:
        yield c


def test_check_matches_library_and_utf16_offsets_line_up(client: TestClient) -> None:
    r = client.post("/api/check", json={"text": EMOJI_DRAFT, "relationship": "partner"})
    assert r.status_code == 200
    body = r.json()
    assert body == check(EMOJI_DRAFT, relationship="partner").model_dump(mode="json")
    assert body["findings"], "the draft has an apology and thanks: the analyser should find something"
    utf16 = EMOJI_DRAFT.encode("utf-16-le")
    for f in body["findings"]:
        assert EMOJI_DRAFT[f["start"] : f["end"]] == f["text"]
        piece = utf16[2 * f["start_utf16"] : 2 * f["end_utf16"]].decode("utf-16-le")
        assert piece == f["text"], f  # what the browser's String.prototype.slice would give


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"text": "   "}, 422, "empty"),
        ({"text": "あ" * 5001}, 413, "too_long"),
        ({"text": "ごめんね", "relationship": "boss"}, 422, "bad_option"),
        ({"text": "ごめんね", "stage": "someday"}, 422, "bad_option"),
    ],
)
def test_check_rejects_bad_input_in_japanese(client: TestClient, payload: dict, status: int, code: str) -> None:
    r = client.post("/api/check", json=payload)
    assert r.status_code == status
    body = r.json()
    assert body["error"] == code
    assert any("\u3040" <= ch <= "\u30ff" for ch in body["message"])  # a Japanese sentence


def test_validation_errors_are_japanese_and_never_echo_the_input(client: TestClient) -> None:
    secret = "ひみつの下書き-42"
    r = client.post("/api/check", json={"text": ["not", "a", "string"], "note": secret})
    assert r.status_code == 422
    assert secret not in r.text
    body = r.json()
    assert body["error"] == "invalid_request"
    assert "形式" in body["message"]
    assert {p["field"] for p in body["problems"]} == {"text", "note"}
    r = client.post("/api/check", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_body_size_limit_with_and_without_content_length(client: TestClient) -> None:
    big = b'{"text": "' + b"a" * (MAX_BODY_BYTES + 10) + b'"}'
    r = client.post("/api/check", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "大きすぎます" in r.json()["message"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
        yield b'{"text": "'
        for _ in range(MAX_BODY_BYTES // 1000 + 2):
            yield b"a" * 1000
        yield b'"}'

    r = client.post("/api/check", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    small = client.post(
        "/api/check",
        content=iter([b'{"text": "', "ごめんね".encode(), b'"}']),
        headers={"content-type": "application/json"},
    )
    assert small.status_code == 200
    assert small.json()["text"] == "ごめんね"
    page = client.post(
        "/check",
        content=b"text=" + b"a" * (MAX_BODY_BYTES + 1),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 413
    assert "大きすぎます" in page.text


def test_healthz_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    spec = client.get("/openapi.json").json()
    for path in ("/api/check", "/api/advise", "/api/compose", "/api/plan", "/healthz"):
        assert path in spec["paths"], path
    assert not any(p.startswith("/journal") for p in spec["paths"])  # pages stay out of the API schema


def test_plan_json_and_ics(client: TestClient) -> None:
    today = dt.date(2026, 11, 29)
    body = {
        "relationship": "friend",
        "stage": "no_reply",
        "apologized_on": "2026-11-25",
        "today": today.isoformat(),
    }
    r = client.post("/api/plan", json=body)
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["relationship"] == "friend"
    assert data["steps"] and all("date" in s and "title" in s for s in data["steps"])
    ics = client.post("/api/plan.ics", json=body)
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content
    bad = client.post("/api/plan", json={**body, "apologized_on": "2026-12-31"})  # in the future
    assert bad.status_code == 422
    assert bad.json()["error"] == "bad_date"
    missing = client.post("/api/plan", json={"relationship": "friend", "stage": "no_reply"})
    assert missing.status_code == 422


def test_security_headers_on_pages(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_access_log_filter_drops_query_strings() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/check?text=ごめんね", "1.1", 200),
        None,
    )
    assert StripQueryFilter().filter(record)
    assert "ごめんね" not in record.getMessage()
    assert "/check?…" in record.getMessage()


def test_advise_and_compose_mirror_the_library(client: TestClient) -> None:
    from nakanaori.advise.advisor import advise
    from nakanaori.compose.composer import compose

    today = dt.date(2026, 11, 29)
    body = {"text": "3日前に彼女に謝ったけど、まだ返事がない", "today": today.isoformat()}
    r = client.post("/api/advise", json=body)
    assert r.status_code == 200
    assert r.json() == advise(body["text"], today=today).model_dump(mode="json")
    assert client.post("/api/advise", json={}).status_code == 422
    assert client.post("/api/advise", json={"relationship": "partner", "stage": "nope"}).json()["error"] == "bad_option"
    facts = {
        "relationship": "work",
        "stage": "just_apologized",
        "did": "報告が遅れた",
        "will": "毎朝進み具合を共有する",
    }
    r = client.post("/api/compose", json=facts)
    assert r.status_code == 200, r.text
    expected = compose("work", "just_apologized", did=facts["did"], will=facts["will"])
    assert r.json() == expected.model_dump(mode="json")
    r = client.post("/api/compose", json={"relationship": "work", "stage": "just_apologized"})
    assert r.status_code == 422  # no facts at all
    assert "事実" in r.json()["message"]


def test_fastapi_telemetry_stays_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No spans, metrics or exception logs leave the app, whatever the environment asks."""
    monkeypatch.setenv("FASTAPI_OTEL_AUTO_CONFIGURE", "true")
    app = create_app(f"sqlite:///{tmp_path / 'otel.sqlite3'}", migrate=False)
    config = app._telemetry
    assert not any(config[k] for k in ("tracing", "metrics", "logs", "operation_spans", "auto_configure"))
    assert not app._native_telemetry.enabled()
