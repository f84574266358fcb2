"""Request body size limit as plain ASGI middleware (checked on Content-Length and while streaming)."""

from __future__ import annotations

import json
from typing import Any

MAX_BODY_BYTES = 64 * 1024  # a 5,000-character draft is at most ~30 KB even fully JSON-escaped

TOO_LARGE_JA = "送信された内容が大きすぎます(64KBまで)。メッセージは5,000文字以内にしてください。"

_PAGE = """<!doctype html><html lang="ja"><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>大きすぎます — 仲直り</title>
<body style="font-family:sans-serif;padding:1.5rem;line-height:1.7"><h1>内容が大きすぎます</h1>
<p>{msg}</p><p><a href="/">チェックに戻る</a></p></body></html>"""


class BodySizeLimit:
    def __init__(self, app: Any, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                too_big = True
            if too_big:
                await self._reject(scope, send)
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
            if seen > self.max_bytes:
                await self._reject(scope, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: dict, send: Any) -> None:
        path: str = scope.get("path", "")
        if path.startswith("/api/"):
            body = json.dumps(
                {"error": "too_large", "message": TOO_LARGE_JA, "max_bytes": self.max_bytes},
                ensure_ascii=False,
            ).encode()
            ctype = b"application/json"
        else:
            body = _PAGE.format(msg=TOO_LARGE_JA).encode()
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
