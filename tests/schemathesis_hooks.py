"""Schemathesis checks of our own, loaded by ``tests/test_fuzz_schema.py`` (``hooks`` in its config).

They run next to every built-in check (``--checks all``):

* ``schema_valid_is_only_refused_for_what_no_schema_can_say`` — the built-in
  ``positive_data_acceptance`` is configured to let a 422 through, and this check says which: a
  schema-valid request may only be refused for a rule JSON Schema cannot state (a date after
  "today", a situation text that names no situation, a register that does not fit the relationship,
  a fact that does not end in a verb), never as malformed (``invalid_request``), empty, binary or a
  bad choice — those the schema states, so a request that obeys it must not hit them.
* ``one_error_shape`` — every error answer is ``{"error", "message", "problems"}``, also the ones
  the schema does not list per operation (404, 405, 413 from the size limit).
* ``security_headers_everywhere`` — nosniff, X-Frame-Options, Referrer-Policy and no-store on every
  answer, whatever its status.

``BrowserIdentity`` gives the operations that change a visitor's data (``POST /api/feedback``, ``POST
/api/journal/steps/{step_id}/sent``) what a browser has: the identity cookie and its CSRF token, from
``GET /api/session`` on the server under test (``NAKANAORI_FUZZ_BASE``). Schemathesis' own
``ignored_auth`` check then proves that the same request without them, or with a forged token, is
refused.
"""

from __future__ import annotations

import os
from typing import Any

import requests
import schemathesis

# operation → the 422 codes for rules outside JSON Schema (relations between fields, the analyser's reading)
SEMANTIC_422 = {
    "POST /api/advise": {"bad_date", "no_situation"},
    "POST /api/compose": {"bad_option"},
    "POST /api/plan": {"bad_date"},
    "POST /api/plan.ics": {"bad_date"},
    "POST /api/feedback": {"bad_span", "bad_source"},  # a span inside the text; no source on a missed report
}


@schemathesis.auth().apply_to(path_regex="^/api/(feedback|journal/)")
class BrowserIdentity:
    def get(self, case: Any, ctx: Any) -> dict[str, str]:
        r = requests.get(os.environ["NAKANAORI_FUZZ_BASE"] + "/api/session", timeout=30)
        r.raise_for_status()
        return {"cookie": r.cookies["nakanaori_id"], "csrf": r.json()["csrf_token"]}

    def set(self, case: Any, data: dict[str, str], ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "X-CSRF-Token": data["csrf"]}
        case.cookies = {**(case.cookies or {}), "nakanaori_id": data["cookie"]}


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


@schemathesis.check
def schema_valid_is_only_refused_for_what_no_schema_can_say(ctx: Any, response: Any, case: Any) -> None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    body = _json(response) or {}
    code = body.get("error")
    allowed = SEMANTIC_422.get(f"{case.method.upper()} {case.path}", set())
    # semantic refusals come from the core (problems carry the same code); pydantic's carry its error types
    if code in allowed and all(p.get("type") == code for p in body.get("problems", [])):
        return None
    raise AssertionError(f"a schema-valid request was refused as {code!r}: {body.get('problems')}")


@schemathesis.check
def one_error_shape(ctx: Any, response: Any, case: Any) -> None:
    if response.status_code < 400:
        return None
    body = _json(response)
    if not isinstance(body, dict) or not {"error", "message", "problems"} <= set(body):
        raise AssertionError(f"{response.status_code} without the error shape: {str(body)[:200]}")
    if not isinstance(body["problems"], list) or not all(isinstance(p, dict) for p in body["problems"]):
        raise AssertionError("problems is not a list of objects")
    return None


@schemathesis.check
def security_headers_everywhere(ctx: Any, response: Any, case: Any) -> None:
    h = response.headers

    def one(name: str) -> str:
        value = h.get(name) or h.get(name.lower())
        return (value[0] if isinstance(value, list) else value) or ""

    missing = [
        name
        for name, want in (
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Referrer-Policy", "no-referrer"),
            ("Cache-Control", "no-store"),
        )
        if one(name) != want
    ]
    if missing:
        raise AssertionError(f"{response.status_code} lacks {', '.join(missing)}")
    return None
