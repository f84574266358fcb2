"""Keep-alive connections are recycled: every :data:`RECYCLE_EVERY`-th response of a worker process says
``Connection: close`` (what nginx's ``keepalive_requests`` does), and the client opens a new connection.

Why (measured, issue 12): with several worker processes on one listening socket, a burst of new
connections is accepted by whichever process wakes first — often all of them by one process (``ss -tnp``
during ``wrk -c8``: splits of 8/0, 5/3, 4/4 between two workers). A keep-alive connection then stays on its
process for good, so one core queues requests while the other idles: throughput halves and the tail
latency doubles for the whole run. A recycled connection is accepted again by the process that is free to
accept it — the idle one — so the connections drift to an even split within a few hundred requests. One
reconnect per hundred requests costs next to nothing on the requests themselves.

``NAKANAORI_KEEPALIVE_REQUESTS`` sets the count (as nginx's ``keepalive_requests``); ``0`` never closes a
connection (for a deployment behind a proxy that balances, or a test that follows one connection's worker).
``nakanaori serve`` rejects a value that is not a whole number before it starts.
"""

from __future__ import annotations

import os
from typing import Any

from starlette.types import Message, Receive, Scope, Send

RECYCLE_EVERY = 100
ENV = "NAKANAORI_KEEPALIVE_REQUESTS"


def recycle_every(environ: dict[str, str] | None = None) -> int:
    """The configured count (``0``: never recycle); raises ``ValueError`` on anything but a whole number."""
    raw = (os.environ if environ is None else environ).get(ENV, "").strip()
    if not raw:
        return RECYCLE_EVERY
    if not raw.isdigit():
        raise ValueError(raw)
    return int(raw)


class KeepAliveRecycle:
    def __init__(self, app: Any, every: int = RECYCLE_EVERY) -> None:  # every = 0: never
        self.app = app
        self.every = every
        self.responses = 0  # this process's HTTP responses so far

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.responses += 1
        if not self.every or self.responses % self.every:
            await self.app(scope, receive, send)
            return

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, send_closing)
