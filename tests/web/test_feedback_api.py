"""POST /api/feedback and POST /api/journal/steps/{id}/sent (issue 13 §3–4) on real SQLite and PostgreSQL.

What is stored in each case is read back from the database itself: with consent and the text; with
consent but without the text (the text sent along is dropped, never stored); without consent (422,
nothing stored, not even a user row). Export and "delete all" include feedback; the CLI's export and
stats read the same rows.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from nakanaori import check
from nakanaori.cli.main import app as cli_app
from nakanaori.store import Feedback, PlannedStep, User, get_engine, make_session_factory
from nakanaori.web import create_app

SECRET = "昨日はごめん。でも電車が止まってたから仕方なかったんだよね。ひみつ-7f3a"
DISPUTE = {
    "kind": "dispute",
    "consent": True,
    "label": "excuse",
    "source": "excuse.circumstance",
    "register": "casual",
    "relationship": "partner",
    "stage": "just_apologized",
}


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    e = get_engine(db_url)
    yield e
    e.dispose()


@pytest.fixture
def client(db_url: str, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(db_url)) as c:
        yield c


def csrf_of(client: TestClient) -> dict[str, str]:
    r = client.get("/api/session")
    assert r.status_code == 200
    return {"X-CSRF-Token": r.json()["csrf_token"]}


def rows(engine: Engine) -> list[Feedback]:
    with make_session_factory(engine)() as s:
        return list(s.scalars(select(Feedback).order_by(Feedback.id)))


def count(engine: Engine, model: type) -> int:
    with make_session_factory(engine)() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_with_consent_and_text_the_text_and_span_are_stored(client: TestClient, engine: Engine) -> None:
    report = check(SECRET, relationship="partner")
    excuse = next(f for f in report.findings if f.label == "excuse")  # the finding the user disputes
    body = {
        **DISPUTE,
        "source": excuse.rule,
        "register": report.register,
        "include_text": True,
        "text": SECRET,
        "span": [excuse.start, excuse.end],
    }
    r = client.post("/api/feedback", json=body, headers=csrf_of(client))
    assert r.status_code == 201, r.text
    assert r.json()["stored_text"] is True
    (row,) = rows(engine)
    assert row.id == r.json()["id"]
    assert (row.kind, row.label, row.source, row.register) == ("dispute", "excuse", excuse.rule, report.register)
    assert (row.relationship_kind, row.stage, row.channel) == ("partner", "just_apologized", "web")
    assert row.text == SECRET
    assert (row.span_start, row.span_end) == (excuse.start, excuse.end)


@pytest.mark.parametrize("include_text", [False, None])
def test_with_consent_without_text_the_text_sent_along_is_never_stored(
    client: TestClient, engine: Engine, include_text: bool | None
) -> None:
    body = {**DISPUTE, "text": SECRET, "span": [3, 9]}
    if include_text is not None:
        body["include_text"] = include_text  # absent means false
    r = client.post("/api/feedback", json=body, headers=csrf_of(client))
    assert r.status_code == 201, r.text
    assert r.json()["stored_text"] is False
    (row,) = rows(engine)
    assert (row.kind, row.label, row.source, row.register) == ("dispute", "excuse", "excuse.circumstance", "casual")
    assert row.text is None and row.span_start is None and row.span_end is None
    exported = client.get("/journal/export.json").text
    assert "ひみつ-7f3a" not in exported


@pytest.mark.parametrize("consent", [False, None, "true", 1])
def test_without_consent_422_and_nothing_is_stored(client: TestClient, engine: Engine, consent: object) -> None:
    body = {**DISPUTE, "include_text": True, "text": SECRET}
    if consent is None:
        del body["consent"]
    else:
        body["consent"] = consent
    r = client.post("/api/feedback", json=body, headers=csrf_of(client))
    assert r.status_code == 422
    err = r.json()
    assert err["error"] == "invalid_request"
    assert [p["field"] for p in err["problems"]] == ["consent"], err
    assert "ひみつ" not in r.text
    assert count(engine, Feedback) == 0
    assert count(engine, User) == 0  # not even the user row of a first write


def test_missed_report_with_the_words_the_user_selected(client: TestClient, engine: Engine) -> None:
    text = "ごめんね😢 で、いつ返事くれるの?"
    start = text.index("いつ")
    body = {
        "kind": "missed",
        "consent": True,
        "label": "rushing",
        "source": None,
        "register": "casual",
        "include_text": True,
        "text": text,
        "span": [start, len(text)],
    }
    r = client.post("/api/feedback", json=body, headers=csrf_of(client))
    assert r.status_code == 201, r.text
    (row,) = rows(engine)
    assert row.source is None and row.text is not None
    assert row.text[row.span_start : row.span_end] == "いつ返事くれるの?"  # code points: the emoji is one


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"span": [5, 99]}, "bad_span", "span"),
        ({"span": [7, 7]}, "bad_span", "span"),
        ({"kind": "missed"}, "bad_source", "source"),  # a missed report has no finding, so no source
        ({"label": "sarcasm"}, "invalid_request", "label"),
        ({"register": "keigo"}, "bad_option", "register"),
        ({"text": "   "}, "empty", "text"),
        ({"text": "ごめん\x00"}, "binary", "text"),
        ({"source": "Excuse Rule!"}, "invalid_request", "source"),
        ({"user_id": 1}, "invalid_request", "user_id"),
    ],
)
def test_bad_feedback_is_422_in_the_one_error_shape_and_nothing_is_stored(
    client: TestClient, engine: Engine, change: dict, code: str, field: str
) -> None:
    body = {**DISPUTE, "include_text": True, "text": SECRET, **change}
    r = client.post("/api/feedback", json=body, headers=csrf_of(client))
    assert r.status_code == 422, r.text
    err = r.json()
    assert set(err) >= {"error", "message", "problems"}
    assert err["error"] == code, err
    assert field in [p["field"] for p in err["problems"]], err
    assert "ひみつ" not in r.text
    assert count(engine, Feedback) == 0


def test_without_the_csrf_token_403_and_nothing_is_stored(client: TestClient, engine: Engine) -> None:
    good = csrf_of(client)
    for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": "ごめん".encode()}):
        r = client.post("/api/feedback", json=DISPUTE, headers=headers)
        assert r.status_code == 403
        assert r.json()["error"] == "forbidden"
    stranger = TestClient(client.app)  # another browser (its own cookie jar) with this one's token
    assert stranger.post("/api/feedback", json=DISPUTE, headers=good).status_code == 403
    assert count(engine, Feedback) == 0
    assert client.post("/api/feedback", json=DISPUTE, headers=good).status_code == 201


def test_the_text_is_never_logged(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    headers = csrf_of(client)
    client.post("/api/feedback", json={**DISPUTE, "include_text": True, "text": SECRET}, headers=headers)
    client.post("/api/feedback", json={**DISPUTE, "consent": False, "text": SECRET}, headers=headers)
    client.post(
        "/api/feedback", json={**DISPUTE, "include_text": True, "text": SECRET, "span": [0, 999]}, headers=headers
    )
    assert "ひみつ" not in caplog.text


def test_export_and_delete_all_include_feedback(client: TestClient, engine: Engine) -> None:
    headers = csrf_of(client)
    client.post("/api/feedback", json={**DISPUTE, "include_text": True, "text": SECRET}, headers=headers)
    client.post("/api/feedback", json={**DISPUTE, "label": "levity", "source": "model"}, headers=headers)
    other = TestClient(client.app)
    other.post("/api/feedback", json={**DISPUTE, "label": "rushing"}, headers=csrf_of(other))
    exported = client.get("/journal/export.json").json()
    assert [(f["label"], f["source"], f["text"]) for f in exported["feedback"]] == [
        ("excuse", "excuse.circumstance", SECRET),
        ("levity", "model", None),
    ]  # the user's own rows only
    r = client.post("/journal/delete-all", data={"csrf": headers["X-CSRF-Token"]}, follow_redirects=False)
    assert r.status_code == 303
    assert [f.label for f in rows(engine)] == ["rushing"]  # the other browser's feedback stays
    assert TestClient(client.app).get("/journal/export.json").json()["feedback"] == []


def test_cli_export_and_stats_read_what_users_sent(client: TestClient, db_url: str, tmp_path: Path) -> None:
    headers = csrf_of(client)
    sent = [
        {**DISPUTE, "include_text": True, "text": SECRET, "span": [7, 27]},
        {**DISPUTE},
        {**DISPUTE, "label": "levity", "source": "model"},
        {"kind": "missed", "consent": True, "label": "rushing", "register": "polite", "relationship": "work"},
    ]
    for body in sent:
        assert client.post("/api/feedback", json=body, headers=headers).status_code == 201
    out = tmp_path / "fb.jsonl"
    runner = CliRunner()
    res = runner.invoke(cli_app, ["feedback", "export", "--out", str(out), "--database-url", db_url])
    assert res.exit_code == 0, res.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 4
    first, second, third, fourth = records
    assert first["text"] == SECRET and first["text_included"] is True
    assert first["disputed"] == {"excuse": [[7, 27]]} and first["labels"] == [] and first["spans"] == {}
    assert (first["kind"], first["source"], first["register"], first["relationship"]) == (
        "dispute",
        "excuse.circumstance",
        "casual",
        "partner",
    )
    assert second["text"] is None and second["text_included"] is False and second["disputed"] == {"excuse": []}
    assert third["source"] == "model"
    assert fourth["labels"] == ["rushing"] and fourth["source"] is None and fourth["kind"] == "missed"
    assert all(r["review"] == "pending" and r["id"].startswith("fb-") for r in records)
    assert all("user" not in json.dumps(r) for r in records)  # no identity leaves with the records

    res = runner.invoke(cli_app, ["feedback", "stats", "--json", "--database-url", db_url])
    assert res.exit_code == 0, res.output
    stats = json.loads(res.stdout)
    assert stats["total"] == 4 and stats["with_text"] == 1
    assert stats["disputed"] == [
        {"source": "excuse.circumstance", "label": "excuse", "disputed": 2, "with_text": 1},
        {"source": "model", "label": "levity", "disputed": 1, "with_text": 0},
    ]
    assert stats["missed"]["rushing"] == 1 and sum(stats["missed"].values()) == 1
    res = runner.invoke(cli_app, ["feedback", "stats", "--database-url", db_url])
    assert res.exit_code == 0, res.output
    assert "excuse.circumstance" in res.stdout and "モデル(levity)" in res.stdout


# ------------------------------------------------------------------ a plan step sent through 「LINEで送る」


def test_a_step_shared_through_line_is_marked_sent(client: TestClient, engine: Engine) -> None:
    headers = csrf_of(client)
    r = client.post(
        "/journal/cases",
        data={
            "csrf": headers["X-CSRF-Token"],
            "title": "ゆいと",
            "relationship": "partner",
            "stage": "no_reply",
            "apologized_on": "2026-12-01",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    case = client.get("/journal/export.json").json()["cases"][0]
    step = next(s for s in case["steps"] if s["template"])  # a step with an example to send
    assert step["sent_at"] is None and step["done"] is False

    assert client.post(f"/api/journal/steps/{step['id']}/sent").status_code == 403  # no CSRF token
    stranger = TestClient(client.app)
    assert stranger.post(f"/api/journal/steps/{step['id']}/sent", headers=csrf_of(stranger)).status_code == 404
    for bad in ("0", "-1", str(2**70)):
        assert client.post(f"/api/journal/steps/{bad}/sent", headers=headers).status_code in (404, 422)

    r = client.post(f"/api/journal/steps/{step['id']}/sent", headers=headers)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["id"] == step["id"] and answer["done"] is True and answer["sent_at"]
    again = client.post(f"/api/journal/steps/{step['id']}/sent", headers=headers).json()
    assert again["sent_at"] == answer["sent_at"]  # the first time counts
    with make_session_factory(engine)() as s:
        stored = s.get(PlannedStep, step["id"])
        assert stored is not None and stored.done and stored.sent_at is not None
    exported = next(s for s in client.get("/journal/export.json").json()["cases"][0]["steps"] if s["id"] == step["id"])
    assert exported["sent_at"] and exported["done"] is True
