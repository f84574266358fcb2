"""Keep-alive connections are recycled (``web/keepalive.py``): every hundredth response of a worker process
closes its connection, so that connections spread over the worker processes instead of staying where a
burst of connections first landed."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from live_server import live_server
from nakanaori.web import create_app
from nakanaori.web.keepalive import ENV, RECYCLE_EVERY, recycle_every


def test_every_hundredth_response_says_connection_close(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'k.db'}")
    with TestClient(app) as client:
        responses = [client.get("/healthz") for _ in range(2 * RECYCLE_EVERY)]
    closing = [k for k, r in enumerate(responses, 1) if r.headers.get("connection") == "close"]
    assert closing == [RECYCLE_EVERY, 2 * RECYCLE_EVERY]
    last = responses[-1]
    assert last.status_code == 200 and last.json() == {"status": "ok"}
    assert last.headers["x-content-type-options"] == "nosniff"  # the security headers are still there
    assert last.headers["cache-control"] == "no-store"


def _get(sock: socket.socket, leftover: bytes) -> tuple[bytes, bytes]:
    """One ``GET /healthz`` on a kept-alive socket: (the response head, bytes read past the response)."""
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
    data = leftover
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, "the server closed the connection before answering"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    assert m is not None
    length = int(m.group(1))
    while len(rest) < length:
        rest += sock.recv(65536)
    return head, rest[length:]


def test_uvicorn_closes_the_recycled_connection(tmp_path: Path) -> None:
    """On a real server: the connection stays open until the recycling response, then the server closes it."""
    with live_server(f"sqlite:///{tmp_path / 'k.db'}") as base:
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            leftover = b""
            for _ in range(RECYCLE_EVERY + 1):  # the readiness probes used some of the first hundred
                head, leftover = _get(sock, leftover)
                if re.search(rb"(?im)^connection:\s*close", head):
                    break
            else:
                raise AssertionError(f"no response in {RECYCLE_EVERY + 1} said Connection: close")
            assert sock.recv(1) == b""  # end of stream: the server closed its side


def test_the_count_comes_from_the_environment_and_zero_never_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert recycle_every({}) == RECYCLE_EVERY
    assert recycle_every({ENV: " 7 "}) == 7
    for bad in ("-1", "ten", "1.5"):
        try:
            recycle_every({ENV: bad})
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")
    monkeypatch.setenv(ENV, "0")
    app = create_app(f"sqlite:///{tmp_path / 'k0.db'}")
    with TestClient(app) as client:
        responses = [client.get("/healthz") for _ in range(2 * RECYCLE_EVERY + 1)]
    assert all(r.status_code == 200 and r.headers.get("connection") != "close" for r in responses)
