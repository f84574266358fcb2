"""Issue 8 §3: an OpenAPI document that tells the truth, and schemathesis against the running server.

``test_schemathesis_finds_nothing`` starts the real app under uvicorn on loopback (a fresh SQLite
file) and runs ``st run`` on its ``/openapi.json``: every operation, every phase that applies
(examples, coverage — which includes undeclared methods — and fuzzing), ``--checks all`` plus the
checks of ``tests/schemathesis_hooks.py``, a fixed seed, one worker and a bounded number of
examples. Hypothesis' health checks, which time the data generation, are off so that a busy machine
cannot fail the run.

Two expectations are configured rather than left at schemathesis' defaults, both because of what
the schema documents: an over-long text is refused with 413 ``too_long`` (so 413 counts as a
rejection of invalid data), and a schema-valid request may be refused with 422 only for the rules no
JSON Schema can state. Which 422s those are is checked by the hook
``schema_valid_is_only_refused_for_what_no_schema_can_say``, so the built-in acceptance check keeps
its teeth.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from live_server import live_server
from nakanaori.errors import InputError
from nakanaori.labels import Register, Relationship, Stage
from nakanaori.web import create_app
from nakanaori.web.api import FACT_PATTERN, SITUATION_PATTERN, TEXT_PATTERN, _text

HOOKS = Path(__file__).resolve().parents[1] / "schemathesis_hooks.py"
ST = str(Path(sys.executable).with_name("st"))
SEED = 20261129
MAX_EXAMPLES = 60  # ≈ 800 requests, 20–30 s
OPERATIONS = {
    "POST /api/check",
    "POST /api/advise",
    "POST /api/compose",
    "POST /api/plan",
    "POST /api/plan.ics",
    "GET /api/session",
    "POST /api/feedback",
    "POST /api/journal/steps/{step_id}/sent",
    "GET /healthz",
}

CONFIG = f"""
hooks = "{HOOKS}"

[checks]
positive_data_acceptance.expected-statuses = ["2xx", "422"]
negative_data_rejection.expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422",
                                             "428", "429"]

# a step id the browser does not own (any the fuzzer makes up) is a 404, whatever its shape; the path with a
# real step is tested in tests/web/test_feedback_api.py, so "missing test data" is no news here
[[operations]]
include-path = "/api/journal/steps/{{step_id}}/sent"
checks.positive_data_acceptance.expected-statuses = ["2xx", "404", "422"]
warnings = false
"""


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('spec') / 'spec.sqlite3'}")
    with TestClient(app) as client:
        yield client.get("/openapi.json").json()


def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    (tmp_path / "schemathesis.toml").write_text(CONFIG, encoding="utf-8")
    junit = tmp_path / "junit.xml"
    with live_server(f"sqlite:///{tmp_path / 'fuzz.sqlite3'}", log_path=tmp_path / "uvicorn.log") as base:
        run = subprocess.run(
            [
                ST,
                "--config-file",
                str(tmp_path / "schemathesis.toml"),
                "run",
                f"{base}/openapi.json",
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing",
                "--seed",
                str(SEED),
                "--max-examples",
                str(MAX_EXAMPLES),
                "--workers",
                "1",
                "--generation-database",
                "none",
                "--request-timeout",
                "60",
                "--suppress-health-check",
                "all",
                "--no-color",
                "--report",
                "junit",
                "--report-junit-path",
                str(junit),
            ],
            cwd=tmp_path,
            env={**os.environ, "NAKANAORI_FUZZ_BASE": base},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-6000:]
    assert "No issues found" in out, out[-3000:]
    generated = int(re.search(r"(\d+) generated", out).group(1))  # type: ignore[union-attr]
    assert generated >= 10 * len(OPERATIONS), out[-2000:]
    cases = ET.parse(junit).getroot().iter("testcase")
    tested = {c.get("name") for c in cases}
    assert tested == OPERATIONS, tested  # every operation was exercised (and none failed: exit 0)


# ------------------------------------------------------------------ the schema says what the API does


def _props(spec: dict, name: str) -> dict:
    return spec["components"]["schemas"][name]["properties"]


def _enum(spec: dict, prop: dict) -> list[str]:
    for option in prop.get("anyOf", [prop]):
        ref = option.get("$ref")
        if ref:
            return spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["enum"]
    raise AssertionError(f"no enum in {prop}")


def test_schema_has_the_choices_lengths_and_dates(spec: dict) -> None:
    rel, stg, reg = ([e.value for e in E] for E in (Relationship, Stage, Register))
    for model in ("CheckRequest", "AdviseRequest", "ComposeRequest", "PlanRequest"):
        props = _props(spec, model)
        assert _enum(spec, props["relationship"]) == rel, model
        assert _enum(spec, props["stage"]) == stg, model
    assert _enum(spec, _props(spec, "ComposeRequest")["register"]) == reg
    assert set(spec["components"]["schemas"]["ComposeRequest"]["required"]) == {"relationship", "stage"}
    assert set(spec["components"]["schemas"]["PlanRequest"]["required"]) == {"relationship", "stage", "apologized_on"}
    limits = {
        ("CheckRequest", "text"): 5000,
        ("AdviseRequest", "text"): 5000,
        ("PlanRequest", "message"): 5000,
        ("ComposeRequest", "did"): 200,
        ("ComposeRequest", "will"): 200,
        ("ComposeRequest", "thanks"): 200,
    }
    for (model, field), limit in limits.items():
        prop = _props(spec, model)[field]
        assert prop["maxLength"] == limit and prop["minLength"] == 1 and prop["pattern"], (model, field)
    for model, field in (("AdviseRequest", "today"), ("PlanRequest", "apologized_on"), ("PlanRequest", "today")):
        prop = _props(spec, model)[field]
        options = [{k: o.get(k) for k in ("type", "format")} for o in prop.get("anyOf", [prop])]
        assert {"type": "string", "format": "date"} in options, (model, field)
    for model in ("CheckRequest", "AdviseRequest", "ComposeRequest", "PlanRequest"):
        assert spec["components"]["schemas"][model]["additionalProperties"] is False


def test_schema_documents_the_real_error_answers(spec: dict) -> None:
    body = spec["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"error", "message", "problems"}
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"field", "type"}
    assert "HTTPValidationError" not in spec["components"]["schemas"]  # FastAPI's default 422 is not what we send
    for path in ("/api/check", "/api/advise", "/api/compose", "/api/plan", "/api/plan.ics"):
        responses = spec["paths"][path]["post"]["responses"]
        assert set(responses) == {"200", "413", "422"}, path
        for status in ("413", "422"):
            assert responses[status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"
            }
    ics = spec["paths"]["/api/plan.ics"]["post"]["responses"]["200"]["content"]
    assert set(ics) == {"text/calendar"}
    for path, model in (
        ("/api/check", "CheckReport"),
        ("/api/advise", "Advice"),
        ("/api/compose", "Composition"),
        ("/api/plan", "Plan"),
    ):
        ok = spec["paths"][path]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok == {"$ref": f"#/components/schemas/{model}"}, path


def test_schema_documents_the_feedback_and_step_endpoints(spec: dict) -> None:
    answers = {
        ("/api/feedback", "post"): {"201", "403", "413", "422"},
        ("/api/journal/steps/{step_id}/sent", "post"): {"200", "403", "404", "422"},
        ("/api/session", "get"): {"200"},
    }
    for (path, method), statuses in answers.items():
        op = spec["paths"][path][method]
        assert set(op["responses"]) == statuses, path
        for status in statuses - {"200", "201"}:
            schema = op["responses"][status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, status)
    for path in ("/api/feedback", "/api/journal/steps/{step_id}/sent"):
        assert spec["paths"][path]["post"]["security"] == [{"csrf": []}], path
    assert spec["components"]["securitySchemes"]["csrf"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": spec["components"]["securitySchemes"]["csrf"]["description"],
    }
    body = spec["components"]["schemas"]["FeedbackRequest"]
    assert body["additionalProperties"] is False
    assert set(body["required"]) == {"kind", "consent", "label", "register"}
    props = body["properties"]
    assert props["consent"]["const"] is True
    assert props["text"]["maxLength"] == 5000 and props["text"]["pattern"] == TEXT_PATTERN


# ------------------------------------------------------------------ the text patterns are the API's rules

TRICKY = st.sampled_from(
    [
        "",
        " ",
        "\u3000",
        "\t",
        "\n",
        "\r\n",
        "\x00",
        "\x01",
        "\x0b",
        "\x1c",
        "\x1f",
        "\x7f",
        "\x85",
        "\xa0",
        "\u2028",
        "\ufeff",
        "\u200b",
        "\ud800",
        "\udfff",
        "a",
        "1",
        "ご",
        "ｶ",
        "漢",
        "㐀",
        "豈",
        "😀",
        "\u0301",
        "ｰ",
    ]
)
TEXTS = st.lists(st.one_of(TRICKY, st.text(st.characters(exclude_categories=()), max_size=3)), max_size=12).map("".join)


def _accepted(value: str, field: str, limit: int) -> bool:
    try:
        _text(value, field, "テスト", limit)
    except InputError as exc:
        assert exc.code in ("empty", "binary", "too_long"), exc.code
        return False
    return True


@settings(max_examples=400, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=TEXTS)
def test_text_pattern_says_exactly_what_the_api_accepts(value: str) -> None:
    cleaned = re.sub("[\ud800-\udfff]", "", value)  # lone surrogates are dropped before anything else
    schema_valid = re.fullmatch(TEXT_PATTERN, cleaned) is not None and 1 <= len(cleaned) <= 5000
    assert schema_valid == _accepted(value, "text", 5000), ascii(value)
    has_control = re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", cleaned) is not None
    # the situation and fact patterns add "contains Japanese" (the analyser's own test) to "no controls"
    for pattern, japanese in (
        (SITUATION_PATTERN, r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9d]"),
        (FACT_PATTERN, r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]"),
    ):
        matches = re.fullmatch(pattern, cleaned) is not None
        assert matches == (not has_control and re.search(japanese, cleaned) is not None), ascii(value)


def test_openapi_patterns_are_valid_ecma_style_escapes(spec: dict) -> None:
    """The patterns travel as ``\\uXXXX`` escapes (read alike by ECMA-262, Python and Rust regexes)."""
    text = json.dumps(spec)
    for pattern in (TEXT_PATTERN, SITUATION_PATTERN, FACT_PATTERN):
        assert json.dumps(pattern) in text
        assert all(ord(c) < 128 for c in pattern), pattern
