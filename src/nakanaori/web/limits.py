"""Request body size limit as plain ASGI middleware (checked on Content-Length and while streaming)."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from .errors import error_body

LINE_MAX_BODY_BYTES = 1_000_000  # a LINE delivery may carry several 5,000-character messages
# a 5,000-character draft is at most 60 KB even with every character \u-escaped (12 bytes per emoji)
MAX_BODY_BYTES = 64 * 1024

TOO_LARGE_JA = "送信された内容が大きすぎます({kb}KBまで)。メッセージは5,000文字以内にしてください。"

_PAGE = """<!doctype html><html lang="ja"><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>大きすぎます — 仲直り</title>
<link rel="stylesheet" href="/static/style.css">
<body><main><section class="card"><h1>内容が大きすぎます</h1>
<p>{msg}</p><p><a class="btn" href="/">チェックに戻る</a></p></section></main></body></html>"""


class BodySizeLimit:
    def __init__(self, app: Any, max_bytes: int = MAX_BODY_BYTES, per_path: dict[str, int] | None = None) -> None:
        self.app = app
        self.default_max = max_bytes
        self.per_path = per_path if per_path is not None else {"/line/webhook": LINE_MAX_BODY_BYTES}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.per_path.get(scope.get("path", ""), self.default_max)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > max_bytes
            except ValueError:
                too_big = True
            if too_big:
                await self._reject(scope, send, max_bytes)
                return
        if length is not None or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        # No Content-Length (chunked): read the body up to the limit first, then replay it.
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # client went away
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > max_bytes:
                await self._reject(scope, send, max_bytes)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, send: Send, max_bytes: int) -> None:
        path: str = scope.get("path", "")
        message = TOO_LARGE_JA.format(kb=max_bytes // 1024)
        if path.startswith(("/api/", "/line/")):
            problems = [{"field": "", "type": "too_large"}]
            body = json.dumps(
                error_body("too_large", message, problems, max_bytes=max_bytes), ensure_ascii=False
            ).encode()
            ctype = b"application/json"
        else:
            body = _PAGE.format(msg=message).encode()
            ctype = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", ctype),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
