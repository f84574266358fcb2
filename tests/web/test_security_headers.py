"""``with_security_headers`` appends what Starlette's ``MutableHeaders.setdefault`` would (the reference below,
the middleware's code before it worked on the raw pairs), for every combination of headers a response may
already carry."""

from __future__ import annotations

import itertools

import pytest
from starlette.datastructures import MutableHeaders

from nakanaori.web.security import ALWAYS, CSP, with_security_headers


def _reference(headers: list[tuple[bytes, bytes]], static: bool) -> list[tuple[bytes, bytes]]:
    message = {"type": "http.response.start", "status": 200, "headers": headers}
    h = MutableHeaders(scope=message)
    for name, value in ALWAYS:
        h.setdefault(name, value)
    if h.get("content-type", "").startswith("text/html"):
        h.setdefault("Content-Security-Policy", CSP)
    if not static:
        h.setdefault("Cache-Control", "no-store")
    return list(message["headers"])


OPTIONAL = [
    (b"content-length", b"12"),
    (b"content-type", b"text/html; charset=utf-8"),
    (b"content-type", b"application/json"),
    (b"cache-control", b"public, max-age=3600"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"content-security-policy", b"default-src 'none'"),
    (b"Content-Type", b"text/html"),
    (b"connection", b"close"),
    (b"referrer-policy", b"same-origin"),
]


@pytest.mark.parametrize("static", [False, True])
def test_the_same_headers_as_mutableheaders(static: bool) -> None:
    cases = 0
    for k in range(4):
        for combo in itertools.permutations(OPTIONAL, k):
            headers = list(combo)
            assert with_security_headers(headers, static) == _reference(list(headers), static)
            cases += 1
    assert cases > 500
