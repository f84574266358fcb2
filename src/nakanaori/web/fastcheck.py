"""``POST /api/check``'s usual request answered in one ASGI layer, without the framework's route machinery.

The JSON API's busiest request is a well-formed draft: a UTF-8 JSON object with ``Content-Type:
application/json`` that validates as :class:`~nakanaori.web.api.CheckRequest`, whose text the API accepts.
For that request FastAPI's path (the exception and error middlewares, the exit stack, route matching,
dependency solving, the body's second validation, the response model's validation) costs more than the
answer itself outside ``check`` (``benchmarks/http_inprocess.py``). :class:`FastCheck` sits just inside
:class:`~nakanaori.web.keepalive.KeepAliveRecycle` and :class:`~nakanaori.web.security.SecurityHeaders`
(so its answers carry the same headers and recycle connections alike) and answers that request itself with
the same steps and the same bytes: :func:`nakanaori.web.api.check_body` reads, validates and checks, and the
report is serialised by the route's own response field.

Everything else — another path or method, another content type, a missing or too large
``Content-Length``, a body that is not a JSON object, any validation or input error, any exception — goes
to the full app with the body replayed exactly as received, so errors (422, 413, the never-a-500 handler)
are the app's own answers by construction. ``check`` is pure: a request the fast path gave up on is simply
answered again by the app. ``tests/web/test_fastcheck.py`` compares both paths' ASGI messages byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from .limits import MAX_BODY_BYTES

PATH = "/api/check"
# what FastAPI reads as JSON and the API's clients send; any other value goes to the app
JSON_TYPES = frozenset({b"application/json", b"application/json; charset=utf-8", b"application/json;charset=utf-8"})


class FastCheck:
    def __init__(self, app: Any, answer: Callable[[bytes], bytes | None], max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.answer = answer  # body bytes → response body, or None: let the app answer
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != PATH
            or scope["method"] != "POST"
            or scope.get("root_path")
            or not self._plain(scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        body = b""
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        content: bytes | None = None
        if message["type"] == "http.request" and len(body) <= self.max_bytes:
            try:
                content = self.answer(body)
            except Exception:  # the app answers it again, through its own error handling
                content = None
        if content is None:
            await self.app(scope, _replay(received, receive), send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"%d" % len(content)), (b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": content})

    def _plain(self, headers: list[tuple[bytes, bytes]]) -> bool:
        """One Content-Length within the limit and one JSON Content-Type."""
        length = ctype = None
        for name, value in headers:
            if name == b"content-length":
                if length is not None:
                    return False
                length = value
            elif name == b"content-type":
                if ctype is not None:
                    return False
                ctype = value
        # a length of more digits than any allowed body has goes to the app (its size limit answers it): int()
        # of a string over 4,300 digits raises, and a zero-padded small length is the app's to judge
        return (
            ctype in JSON_TYPES
            and length is not None
            and 0 < len(length) <= len(str(self.max_bytes))
            and length.isdigit()
            and int(length) <= self.max_bytes
        )


def _replay(received: list[Message], receive: Receive) -> Receive:
    pending = received[::-1]

    async def replay() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replay
