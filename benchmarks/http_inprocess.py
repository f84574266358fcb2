"""What ``POST /api/check`` costs outside ``check``: the app driven in-process through ASGI, no network.

Three variants, CPU time per request over the same labelled message bodies (each once, in a fixed order
where no two consecutive texts are equal; never printed):

* bare: a bare FastAPI app that parses the same bodies into a pydantic model (the framework's floor);
* product: the product's app as ``nakanaori serve`` builds it (middleware, strict JSON route, validation,
  ``check``, the report's serialisation);
* product, check answered beforehand: the same app with ``check`` swapped for a lookup of reports made
  before the clock starts — what the HTTP path itself costs (a benchmark's stand-in, never a test's);
* the route alone: the same two without ``web/fastcheck.py`` (``fast_check = False``), every request through
  FastAPI's route as before the fast path, for comparison in the same run.

``benchmarks/http_bench.py`` measures the servers over loopback with wrk (req/s, p50, p99); this one
isolates the Python work of one request, which wrk's figures cannot separate from the kernel and uvicorn.

    .venv/bin/python benchmarks/http_inprocess.py [--messages 2000]

Prints figures only; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_bench import load_messages


def _scope(length: int) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/check",
        "raw_path": b"/api/check",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"content-type", b"application/json"), (b"content-length", b"%d" % length)],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }


async def _post(app: Any, body: bytes) -> int:
    sent: list[dict[str, Any]] = []
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return pending.pop() if pending else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(_scope(len(body)), receive, send)
    status: int = sent[0]["status"]
    return status


def _bare_app() -> Any:
    from fastapi import FastAPI
    from pydantic import BaseModel

    class CheckRequest(BaseModel):
        text: str
        relationship: str | None = None
        stage: str | None = None

    bare = FastAPI()

    @bare.post("/api/check")
    async def check(body: CheckRequest) -> dict[str, int]:
        return {"chars": len(body.text)}

    return bare


async def _cpu_per_request(app: Any, bodies: list[bytes]) -> float:
    for body in bodies[:50]:  # warm
        await _post(app, body)
    c0 = time.thread_time()
    for body in bodies:
        await _post(app, body)
    return (time.thread_time() - c0) * 1e6 / len(bodies)


async def _run(bodies: list[bytes], texts: list[str]) -> dict[str, float]:
    from nakanaori.check.checker import check
    from nakanaori.web import api
    from nakanaori.web.app import create_server_app

    app = create_server_app()
    out: dict[str, float] = {}
    async with app.router.lifespan_context(app):
        # the few labelled texts the API refuses (control characters, over-long) are left out
        kept = [(b, t) for b, t in zip(bodies, texts, strict=True) if await _post(app, b) == 200]
        bodies, texts = [b for b, _ in kept], [t for _, t in kept]
        out["messages"] = len(bodies)
        out["bare FastAPI"] = await _cpu_per_request(_bare_app(), bodies)
        out["product"] = await _cpu_per_request(app, bodies)
        # the same app without web/fastcheck.py: every request through FastAPI's route
        routed = create_server_app()
        routed.fast_check = False  # type: ignore[attr-defined]
        out["product, route alone (no FastCheck)"] = await _cpu_per_request(routed, bodies)
        reports = {t: check(t, relationship="friend") for t in texts}
        real = api.check
        api.check = lambda text, relationship=None, stage=None: reports[text]  # type: ignore[assignment]
        try:
            out["product, check answered beforehand"] = await _cpu_per_request(app, bodies)
            out["route alone, check answered beforehand"] = await _cpu_per_request(routed, bodies)
        finally:
            api.check = real
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=2000)
    args = ap.parse_args()
    texts = load_messages()[: args.messages]
    bodies = [json.dumps({"text": t, "relationship": "friend"}, ensure_ascii=False).encode() for t in texts]
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["NAKANAORI_DATA_DIR"] = data_dir
        os.environ.pop("NAKANAORI_DATABASE_URL", None)
        res = asyncio.run(_run(bodies, texts))
    print(
        f"POST /api/check in-process (ASGI, no network), {res.pop('messages'):.0f} labelled bodies, CPU µs per request"
    )
    for name, us in res.items():
        print(f"  {name:42s} {us:8.1f}")
    outside = res["product, check answered beforehand"]
    print(
        f"  the HTTP path outside check: {outside:.1f} µs ({outside - res['bare FastAPI']:+.1f} µs over the bare app)"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
