"""``POST /api/check``'s fast path (``web/fastcheck.py``) against the app's own route: the same ASGI messages
(status, headers in order, body bytes) for every readable labelled message and for every kind of bad or
unusual request, which the fast path must leave to the app."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from corpus_sample import sampled_records
from nakanaori.web import api
from nakanaori.web.app import create_app
from nakanaori.web.fastcheck import FastCheck
from nakanaori.web.limits import MAX_BODY_BYTES

ROOT = Path(__file__).resolve().parents[2]
RELATIONSHIPS = [None, "partner", "friend", "work", "family"]
STAGES = [None, "just_apologized", "no_reply", None, None, "cold_reply"]


def _texts() -> Iterator[str]:
    """The train and dev messages (``corpus_sample``; the held-out ones are never read here)."""
    for r in sampled_records():
        yield r.text


Message = dict[str, Any]


def _scope(headers: list[tuple[bytes, bytes]], path: str = "/api/check", method: str = "POST") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"test"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }


async def _call(app: Any, scope: dict[str, Any], messages: list[Message]) -> list[Message]:
    pending = messages[::-1]
    sent: list[Message] = []

    async def receive() -> Message:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    try:
        await app(scope, receive, send)
    except Exception as exc:  # Starlette re-raises after its 500 answer, for the server's log
        sent.append({"raised": type(exc).__name__})
    return sent


def _request(body: bytes, ctype: bytes | None = b"application/json", length: bool = True) -> tuple[Any, list[Message]]:
    headers = []
    if ctype is not None:
        headers.append((b"content-type", ctype))
    if length:
        headers.append((b"content-length", b"%d" % len(body)))
    return _scope(headers), [{"type": "http.request", "body": body, "more_body": False}]


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    db = tmp_path_factory.mktemp("fastcheck") / "db.sqlite3"
    slow = create_app(f"sqlite:///{db}")
    slow.fast_check = False  # type: ignore[attr-defined]
    fast = create_app(f"sqlite:///{db}", migrate=False)
    return slow, fast


def _same(apps: tuple[Any, Any], scope: dict[str, Any], messages: list[Message]) -> list[Message]:
    slow, fast = apps
    expected = asyncio.run(_call(slow, scope, [dict(m) for m in messages]))
    got = asyncio.run(_call(fast, scope, [dict(m) for m in messages]))
    assert got == expected
    return got


def test_the_labelled_messages_get_the_same_answer(apps: tuple[Any, Any]) -> None:
    slow, fast = apps
    texts = list(_texts())
    assert len(texts) > 5000

    async def run() -> int:
        ok = 0
        for k, text in enumerate(texts):
            body: dict[str, Any] = {"text": text}
            if RELATIONSHIPS[k % 5]:
                body["relationship"] = RELATIONSHIPS[k % 5]
            if STAGES[k % 6]:
                body["stage"] = STAGES[k % 6]
            scope, messages = _request(json.dumps(body, ensure_ascii=k % 2 == 0).encode())
            expected = await _call(slow, scope, [dict(m) for m in messages])
            got = await _call(fast, scope, [dict(m) for m in messages])
            assert got == expected, text[:0]  # never print a message
            ok += expected[0]["status"] == 200
        return ok

    assert asyncio.run(run()) > 5000


def _never(scope: Any, receive: Any, send: Any) -> Any:
    raise AssertionError("the fast path handed a plain request to the app")


def test_the_fast_path_answers_a_plain_request_itself() -> None:
    scope, messages = _request(json.dumps({"text": "昨日はごめんね。", "relationship": "partner"}).encode())
    sent = asyncio.run(_call(FastCheck(_never, api.check_body), scope, messages))
    assert sent[0]["status"] == 200
    assert sent[0]["headers"][1] == (b"content-type", b"application/json")
    assert json.loads(sent[1]["body"])["relationship"] == "partner"


BAD_BODIES = [
    b"",
    b"{not json",
    b"\xff\xfe{}",
    "{}".encode("utf-16"),
    b"[" * 100 + b"]" * 100,
    b'{"a":' * 70 + b"1" + b"}" * 70,
    b"null",
    b"[]",
    b'"text"',
    b"{}",
    b'{"text": null}',
    b'{"text": ["not", "a", "string"]}',
    b'{"text": 1}',
    b'{"text": ""}',
    b'{"text": "   \\u3000 "}',
    b'{"text": "\\u0000abc"}',
    b'{"text": "ok\\u0007ok"}',
    b'{"text": "\\ud800"}',
    b'{"text": "\\ud800\\u3042"}',
    b'{"text": "x", "note": "secret"}',
    b'{"text": "x", "relationship": "boss"}',
    b'{"text": "x", "stage": "later"}',
    b'{"text": "x", "relationship": null, "stage": null}',
    b'{"text": "x", "relationship": 1}',
    json.dumps({"text": "あ" * 5001}).encode(),
    json.dumps({"text": "あ" * 5000}, ensure_ascii=False).encode(),
    json.dumps({"text": "ごめん\tね\r\n本当に"}).encode(),
    json.dumps({"text": "ごめんね😢🙏 ありがとう👨‍👩‍👧"}).encode(),
    json.dumps({"text": "ごめんね", "text2": "x"}).encode(),
    b'{"text": "a", "text": "\\u3054\\u3081\\u3093"}',
    b'  {"text": "\\u3054\\u3081\\u3093"}  \n',
    b'{"text": "\\u3054\\u3081\\u3093"} x',
    b'{"text": "1e999", "relationship": "friend"}',
    b"1e999",
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=range(len(BAD_BODIES)))
def test_bad_and_unusual_bodies_get_the_apps_answer(apps: tuple[Any, Any], body: bytes) -> None:
    sent = _same(apps, *_request(body))
    assert sent[0]["status"] != 500


@pytest.mark.parametrize(
    "ctype",
    [
        None,
        b"text/plain",
        b"application/json; charset=utf-8",
        b"application/json;charset=utf-8",
        b"Application/JSON",
        b"application/x-www-form-urlencoded",
        b"application/merge-patch+json",
        b"",
    ],
)
def test_other_content_types_get_the_apps_answer(apps: tuple[Any, Any], ctype: bytes | None) -> None:
    _same(apps, *_request(json.dumps({"text": "ごめんね"}).encode(), ctype))


def test_odd_framing_gets_the_apps_answer(apps: tuple[Any, Any]) -> None:
    body = json.dumps({"text": "昨日はごめんね。次からは気をつけるね。"}).encode()
    # chunked (no Content-Length), in several messages
    scope, _ = _request(body, length=False)
    parts = [body[:5], body[5:20], body[20:]]
    chunks = [{"type": "http.request", "body": p, "more_body": True} for p in parts[:-1]]
    chunks.append({"type": "http.request", "body": parts[-1], "more_body": False})
    assert _same(apps, scope, chunks)[0]["status"] == 200
    # Content-Length with the body in several messages: the fast path reads them all
    scope, _ = _request(body)
    assert _same(apps, scope, chunks)[0]["status"] == 200
    # the client goes away before the body is complete
    _same(apps, scope, [chunks[0], {"type": "http.disconnect"}])
    # two Content-Types or two Content-Lengths
    _same(apps, _scope([(b"content-type", b"application/json")] * 2 + [(b"content-length", b"%d" % len(body))]), chunks)
    _same(apps, _scope([(b"content-type", b"application/json")] + [(b"content-length", b"%d" % len(body))] * 2), chunks)
    # a Content-Length that is not a number, or over the limit
    _same(apps, _scope([(b"content-type", b"application/json"), (b"content-length", b"x1")]), chunks)
    # a Content-Length of more digits than int() reads (4,300), or zero-padded: the app's size limit answers
    for digits in (b"0" * 4400 + b"%d" % len(body), b"0" * 20 + b"%d" % len(body)):
        _same(apps, _scope([(b"content-type", b"application/json"), (b"content-length", digits)]), chunks)
    big = json.dumps({"text": "あ" * 4000 + " " * (MAX_BODY_BYTES)}).encode()
    _same(apps, *_request(big))
    # another method, another path
    _same(apps, _scope([(b"content-type", b"application/json")], method="PUT"), chunks)
    _same(apps, _scope([(b"content-type", b"application/json")], method="GET"), [])
    _same(apps, _scope([(b"content-type", b"application/json")], path="/api/check/"), chunks)


def test_an_exception_in_check_is_the_apps_500(apps: tuple[Any, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "check", broken)
    sent = _same(apps, *_request(json.dumps({"text": "ごめんね"}).encode()))
    assert sent[0]["status"] == 500
    assert b"boom" not in sent[1]["body"]


def test_the_fast_answer_has_the_security_headers_and_recycles_connections() -> None:
    app = create_app(migrate=False)
    body = json.dumps({"text": "昨日はごめんね。"}).encode()
    closes = []
    for _ in range(100):
        sent = asyncio.run(_call(app, *_request(body)))
        headers = dict(sent[0]["headers"])
        assert headers[b"x-content-type-options"] == b"nosniff"
        assert headers[b"cache-control"] == b"no-store"
        assert headers[b"x-frame-options"] == b"DENY"
        assert headers[b"referrer-policy"] == b"no-referrer"
        closes.append(headers.get(b"connection"))
    assert closes[:99] == [None] * 99
    assert closes[99] == b"close"


def test_the_app_answers_plain_requests_through_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparisons above would compare the route with itself if the app stopped using FastCheck."""
    calls = []
    real = api.check_body

    def counting(raw: bytes) -> bytes | None:
        calls.append(raw)
        return real(raw)

    monkeypatch.setattr(api, "check_body", counting)  # the stack is built, and check_body looked up, on the first call
    app = create_app(migrate=False)
    body = json.dumps({"text": "昨日はごめんね。"}).encode()
    sent = asyncio.run(_call(app, *_request(body)))
    assert sent[0]["status"] == 200
    assert calls == [body]
