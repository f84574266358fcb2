"""Test helpers for the LINE bot: a local fake of LINE's Messaging API, signed webhook bodies, uvicorn.

``FakeLine`` is a real HTTP server on 127.0.0.1 (``ThreadingHTTPServer`` in a thread) that records
every request and answers like LINE: 200 for reply / loading / push, and for push the
``X-Line-Retry-Key`` semantics — a key already accepted gets 409 and is not delivered again. ``mode``
switches it to answer 500 (``"error"``), or ``fail_pushes`` makes the next N pushes answer 500.
``rendezvous`` (a ``threading.Barrier``) holds the first pushes until that many are in flight at once:
two single-threaded workers then provably both push, whatever the scheduler does. ``hold_after = n``
answers n pushes, then accepts the next one (its retry key counts as delivered, as at LINE) but holds
its answer until ``release`` is set, and sets ``held``: a worker killed then has provably lost the
answer to a push LINE accepted — the crash its retry key exists for.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

SECRET = "test-channel-secret-0123456789abcdef"
TOKEN = "test-access-token"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    status: int


@dataclass
class FakeLine:
    requests: list[Recorded] = field(default_factory=list)
    accepted_keys: dict[str, int] = field(default_factory=dict)  # retry key -> times delivered (must be 1)
    mode: str = "ok"
    fail_pushes: int = 0
    push_delay: float = 0.0
    rendezvous: threading.Barrier | None = None
    rendezvous_timeout: float = 120.0
    _rendezvous_seen: int = 0
    hold_after: int | None = None
    reply_gate: threading.Event | None = None  # when set to an Event, replies wait for it before answering
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeLine:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall between headers and body

            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                status, answer, extra = fake._answer(self.path, dict(self.headers), body)
                data = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the caller was killed while its answer was held
                    pass

        class Server(ThreadingHTTPServer):
            # socketserver's default listen backlog is 5: fifty webhook events replying at once overflow it
            # and, on a busy machine, connections get reset (the reply then fails as a ProtocolError)
            request_queue_size = 1024

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def _answer(self, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any, dict[str, str]]:
        lower = {k.lower(): v for k, v in headers.items()}
        if path == "/v2/bot/message/push":
            self._meet()
        if path == "/v2/bot/message/push" and self.push_delay:
            time.sleep(self.push_delay)
        gate = self.reply_gate
        if path == "/v2/bot/message/reply" and gate is not None:
            gate.wait(self.rendezvous_timeout)
        with self.lock:
            status, answer, extra = 200, {}, {}
            if lower.get("authorization") != f"Bearer {TOKEN}":
                status, answer = 401, {"message": "Authentication failed"}
            elif self.mode == "error":
                status, answer = 500, {"message": "Internal Server Error"}
            elif path == "/v2/bot/message/push":
                key = lower.get("x-line-retry-key")
                if self.fail_pushes > 0:
                    self.fail_pushes -= 1
                    status, answer = 500, {"message": "Internal Server Error"}
                elif key and key in self.accepted_keys:
                    status, answer = 409, {"message": "The retry key is already accepted"}
                    extra = {"x-line-accepted-request-id": str(uuid.uuid4())}
                else:
                    if key:
                        self.accepted_keys[key] = self.accepted_keys.get(key, 0) + 1
                    answer = {"sentMessages": [{"id": str(uuid.uuid4().int)[:18], "quoteToken": "q"}]}
            elif path == "/v2/bot/message/reply":
                answer = {"sentMessages": [{"id": "1", "quoteToken": "q"}]}
            elif path == "/v2/bot/chat/loading/start":
                answer = {}
            else:
                status, answer = 404, {"message": "Not found"}
            self.requests.append(Recorded("POST", path, lower, body, status))
            hold = (
                path == "/v2/bot/message/push"
                and status == 200
                and self.hold_after is not None
                and len(self.accepted_keys) == self.hold_after + 1
                and not self.held.is_set()
            )
            if hold:
                self.held.set()
        if hold:
            self.release.wait(self.rendezvous_timeout)
        return status, answer, extra

    def _meet(self) -> None:
        """The first ``rendezvous.parties`` pushes wait for each other (then the barrier is spent)."""
        with self.lock:
            barrier = self.rendezvous
            if barrier is None or self._rendezvous_seen >= barrier.parties:
                return
            self._rendezvous_seen += 1
        with contextlib.suppress(threading.BrokenBarrierError):  # the caller's assertions say what did not happen
            barrier.wait(self.rendezvous_timeout)

    # ------------------------------------------------------------ queries

    def find(self, path: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def replies(self) -> list[Recorded]:
        return self.find("/v2/bot/message/reply")

    def reply_for(self, token: str) -> list[Recorded]:
        return [r for r in self.replies() if isinstance(r.body, dict) and r.body.get("replyToken") == token]

    def wait(self, predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return predicate()

    def wait_reply(self, token: str, timeout: float = 20.0) -> dict[str, Any]:
        assert self.wait(lambda: bool(self.reply_for(token)), timeout), f"no reply for {token}"
        got = self.reply_for(token)
        assert len(got) == 1, f"{len(got)} replies for {token}"
        return got[0].body


# ---------------------------------------------------------------- webhook bodies


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def event(
    kind: str,
    *,
    user: str = "U" + "1" * 32,
    source: dict[str, Any] | None = None,
    redelivery: bool = False,
    event_id: str | None = None,
    reply_token: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An event shaped like LINE's documented webhook events."""
    ev: dict[str, Any] = {
        "type": kind,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": source or {"type": "user", "userId": user},
        "webhookEventId": event_id or ("01" + uuid.uuid4().hex[:24].upper()),
        "deliveryContext": {"isRedelivery": redelivery},
    }
    if kind not in ("unfollow", "leave"):
        ev["replyToken"] = reply_token or uuid.uuid4().hex
    ev.update(extra)
    return ev


def text_event(text: str, **kw: Any) -> dict[str, Any]:
    msg = {"type": "text", "id": str(uuid.uuid4().int)[:18], "quoteToken": "qt-" + uuid.uuid4().hex, "text": text}
    return event("message", message=msg, **kw)


def postback_event(data: str, **kw: Any) -> dict[str, Any]:
    return event("postback", postback={"data": data}, **kw)


def payload(*events: dict[str, Any]) -> bytes:
    return json.dumps({"destination": "U" + "f" * 32, "events": list(events)}, ensure_ascii=False).encode()


# ---------------------------------------------------------------- the app under uvicorn


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SRC = str(Path(__file__).resolve().parents[1] / "src")


def line_env(db_url: str, api_base: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINE_")}
    env.update(
        LINE_CHANNEL_SECRET=SECRET,
        LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
        LINE_API_BASE=api_base,
        NAKANAORI_DATABASE_URL=db_url,
        NAKANAORI_DATA_DIR=str(data_dir),
        PYTHONPATH=SRC,
    )
    return env


class Server:
    """The real web app (``nakanaori.web.app:create_app``) under uvicorn in a subprocess."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "nakanaori.web.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"uvicorn exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("uvicorn did not start")

    def post(
        self, body: bytes, signature: str | None = "auto", client: httpx.Client | None = None, timeout: float = 10.0
    ) -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            headers["X-Line-Signature"] = sign(body)
        elif signature is not None:
            headers["X-Line-Signature"] = signature
        c = client or httpx
        return c.post(self.url + "/line/webhook", content=body, headers=headers, timeout=timeout)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()
