"""Security headers on every response, as plain ASGI middleware wrapped around the whole app.

It sits outside everything else — outside Starlette's ``ServerErrorMiddleware`` (unhandled 500s) and
the body-size limit (413s) — so no response leaves without ``nosniff``, ``X-Frame-Options``,
``Referrer-Policy``, and a CSP on HTML. Everything but the static files is private to one visitor
(drafts, journal exports, calendars), so it is ``Cache-Control: no-store`` unless a route says
otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.types import Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)

ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
)
# as ASGI carries them: names in lower case, latin-1 bytes (what MutableHeaders.setdefault appends)
_ALWAYS_RAW = tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in ALWAYS)
_CSP_RAW = (b"content-security-policy", CSP.encode("latin-1"))
_NO_STORE_RAW = (b"cache-control", b"no-store")


class SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(message["headers"], static)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def with_security_headers(headers: Iterable[tuple[bytes, bytes]], static: bool) -> list[tuple[bytes, bytes]]:
    """*headers* (raw ASGI pairs) with each security header a response does not set itself appended: what
    ``MutableHeaders.setdefault`` does for each, without building the headers object (names compared as
    they are, in lower case)."""
    raw = list(headers)
    names = {name for name, _ in raw}
    for pair in _ALWAYS_RAW:
        if pair[0] not in names:
            raw.append(pair)
    if b"content-security-policy" not in names:
        ctype = next((value for name, value in raw if name == b"content-type"), b"")
        if ctype.startswith(b"text/html"):
            raw.append(_CSP_RAW)
    if not static and b"cache-control" not in names:
        raw.append(_NO_STORE_RAW)
    return raw
