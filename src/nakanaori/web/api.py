"""JSON API: ``POST /api/check``, ``/api/advise``, ``/api/compose``, ``/api/plan`` (+ ``/api/plan.ics``).

Bodies mirror the CLI's ``--json`` output. The OpenAPI document (``/openapi.json``) says what each
operation really accepts — the choices, text lengths and patterns, ISO date strings — and answers.
Bad input answers 422 (413 for an over-long text or body) with
``{"error": code, "message": 日本語, "problems": [{"field", "type"}], "message_en"?: …}``; the user's text
is never echoed in errors.

The handlers are ``async def`` and run the capability on the worker's event loop: the work is pure CPU
(no I/O to wait for), a few milliseconds for ``check``, so a hop to a thread would only add GIL
contention, and a process pool costs more CPU per request than it saves (see ``benchmarks/http_bench.py``).
Both cores are used by running one uvicorn worker process per core (``nakanaori serve --workers``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from .. import jsonsafe
from ..advise.advisor import Advice
from ..check.checker import CheckReport, check
from ..compose.composer import MAX_FACT_CHARS, Composition
from ..errors import MAX_TEXT_CHARS, InputError, validate_text
from ..labels import Register, Relationship, Stage
from ..plan.planner import Plan
from .errors import ErrorBody
from .limits import MAX_BODY_BYTES


class StrictJsonRoute(APIRoute):
    """Reads the body as UTF-8 JSON nested at most :data:`nakanaori.jsonsafe.MAX_DEPTH` deep before
    FastAPI does: broken, deep or non-UTF-8 bodies are a 422 ``invalid_request`` like any other bad
    body (FastAPI alone answers those with a bare 400, or a 500 on ``RecursionError``)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            body = await request.body()  # cached on the request: FastAPI reads the same bytes
            if body:
                try:
                    parsed = jsonsafe.loads(body)
                except jsonsafe.JsonBodyError as exc:
                    raise RequestValidationError(
                        [{"type": exc.kind, "loc": ("body",), "msg": "unreadable JSON body", "input": None}]
                    ) from None
                # Starlette's Request.json() keeps its answer here: FastAPI then reads this parse instead of
                # parsing the same bytes again (json.loads of the same UTF-8 text gives the same value)
                request._json = parsed
            return await handler(request)

        return route


router = APIRouter(prefix="/api", tags=["api"], route_class=StrictJsonRoute)

# ------------------------------------------------------------------ what a text field accepts
#
# The patterns below are the API's own rules, written so that a schema reader (or a fuzzer) knows them:
# C0 control characters other than TAB/LF/CR are refused, a text has at least one character that is
# not white space (Python's str.isspace() set, spelled out so every regex engine reads it alike), and
# the situation text and compose facts need Japanese (the analyser's own test). Lone surrogates, which
# JSON can carry but UTF-8 cannot, are dropped before anything else — the answer never echoes one.

_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f"
_SPACES = (
    "\\t\\n\\u000b\\u000c\\r\\u001c-\\u001f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
_JA_SITUATION = "\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uff66-\\uff9d"  # text.normalize.has_japanese
_JA_FACT = "\\u3040-\\u30ff\\u3400-\\u9fff\\uf900-\\ufaff"  # composer: a fact needs Japanese
TEXT_PATTERN = f"^[^{_CONTROLS}]*[^{_SPACES}{_CONTROLS}][^{_CONTROLS}]*$"
SITUATION_PATTERN = f"^[^{_CONTROLS}]*[{_JA_SITUATION}][^{_CONTROLS}]*$"
FACT_PATTERN = f"^[^{_CONTROLS}]*[{_JA_FACT}][^{_CONTROLS}]*$"
_CONTROL_CHAR = re.compile(f"[{_CONTROLS}]")


def _text_schema(description: str, max_chars: int, pattern: str, example: str) -> dict[str, Any]:
    return {
        "description": description,
        "json_schema_extra": {"minLength": 1, "maxLength": max_chars, "pattern": pattern, "examples": [example]},
    }


def _iso_date_only(value: Any) -> Any:
    """Dates travel as ``YYYY-MM-DD`` strings only (pydantic alone would read ``0`` as 1970-01-01)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # Python callers
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("date_format", "a date is a YYYY-MM-DD string")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only)]


class CheckRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text": "昨日はごめんね。話を聞いてくれてありがとう。", "relationship": "partner"}]
        },
    )
    text: str = Field(
        **_text_schema(
            "チェックする下書き(5,000文字まで)", MAX_TEXT_CHARS, TEXT_PATTERN, "昨日はごめんね。次からは気をつけるね。"
        )
    )
    relationship: Relationship | None = Field(default=None, description="相手との関係")
    stage: Stage | None = Field(default=None, description="いまの状況")


class AdviseRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            # a situation text, or both choices
            "anyOf": [
                {"required": ["text"], "properties": {"text": {"type": "string"}}},
                {
                    "required": ["relationship", "stage"],
                    "properties": {"relationship": {"type": "string"}, "stage": {"type": "string"}},
                },
            ],
            "examples": [{"text": "3日前に彼女に謝ったけど、まだ返事がない", "today": "2026-11-29"}],
        },
    )
    text: str | None = Field(
        default=None,
        **_text_schema(
            "状況の説明(自由記述、日本語で5,000文字まで)",
            MAX_TEXT_CHARS,
            SITUATION_PATTERN,
            "彼氏に謝ったけど既読スルー",
        ),
    )
    relationship: Relationship | None = None
    stage: Stage | None = None
    today: IsoDate | None = Field(default=None, description="今日の日付(既定はサーバーの日付)")
    apologized_on: IsoDate | None = None
    last_contact: IsoDate | None = None


def _fact_field(description: str, example: str) -> Any:
    return Field(default=None, **_text_schema(description, MAX_FACT_CHARS, FACT_PATTERN, example))


class ComposeRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            # at least one fact
            "anyOf": [{"required": [k], "properties": {k: {"type": "string"}}} for k in ("did", "will", "thanks")],
            "examples": [
                {
                    "relationship": "work",
                    "stage": "just_apologized",
                    "did": "報告が遅れた",
                    "will": "毎朝進み具合を共有する",
                }
            ],
        },
    )
    relationship: Relationship
    stage: Stage
    did: str | None = _fact_field("自分がしてしまったこと(200文字まで)", "約束の時間に遅れた")
    will: str | None = _fact_field("これからすること(200文字まで)", "出る30分前にアラームをかける")
    thanks: str | None = _fact_field("感謝したいこと(200文字まで)", "話を聞いてくれた")
    register_: Register | None = Field(default=None, alias="register", description="文体(関係に合うもの)")


class PlanRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "relationship": "friend",
                    "stage": "no_reply",
                    "apologized_on": "2026-11-25",
                    "today": "2026-11-29",
                    "message": "ごめんね。次からは時間を守るね。",
                }
            ]
        },
    )
    relationship: Relationship
    stage: Stage
    apologized_on: IsoDate
    last_contact: IsoDate | None = None
    message: str | None = Field(
        default=None,
        **_text_schema(
            "送ったメッセージ(約束を読み取ります、5,000文字まで)",
            MAX_TEXT_CHARS,
            TEXT_PATTERN,
            "次からは時間を守るね。",
        ),
    )
    today: IsoDate | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    413: {
        "model": ErrorBody,
        "description": f"文字数の上限を超えた(too_long)、または本文が{MAX_BODY_BYTES // 1024}KBを超えた(too_large)",
    },
    422: {
        "model": ErrorBody,
        "description": "入力の誤り: 形式・JSON・項目(invalid_request)、選択肢(bad_option)、日付(bad_date)、"
        "空(empty)、制御文字(binary)、日本語がない(no_japanese)、状況が読めない(no_situation) など",
    },
}


def _json(model: Any) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"))


def _text(value: str | None, field: str, what: str, limit: int = MAX_TEXT_CHARS) -> str | None:
    """A text field as the API accepts it (see the patterns above); ``None`` stays ``None``."""
    if value is None:
        return None
    value = _SURROGATES.sub("", value)
    try:
        if _CONTROL_CHAR.search(value):
            raise InputError(
                "binary",
                f"{what}に制御文字(改行・タブ以外)が含まれています。取り除いてから送ってください。",
                "control characters in text",
            )
        return validate_text(value, max_chars=limit, what=what)
    except InputError as exc:
        exc.field = field
        raise


def _value(choice: Relationship | Stage | Register | None) -> str | None:
    return choice.value if choice is not None else None


# The usual request of this route is answered by check_body below (through web/fastcheck.py): a change
# here is a change there (tests/web/test_fastcheck.py compares both on every train and dev message).
@router.post("/check", response_model=CheckReport, summary="下書きをチェック", responses=ERRORS)
async def api_check(body: CheckRequest) -> CheckReport:
    text = _text(body.text, "text", "メッセージ")
    assert text is not None
    return check(text, relationship=body.relationship, stage=body.stage)


_REPORT_JSON = CheckReport.__pydantic_serializer__.to_json
_VALIDATE_CHECK = CheckRequest.__pydantic_validator__.validate_python


def check_body(raw: bytes) -> bytes | None:
    """The body of ``POST /api/check``'s 200 answer to the request body *raw* — the same steps as
    :func:`api_check` behind :class:`StrictJsonRoute` and FastAPI's validation and serialisation — or
    ``None`` when the request is anything but a well-formed draft (the app then answers it:
    :mod:`nakanaori.web.fastcheck`). Raises whatever ``check`` raises."""
    try:
        parsed = jsonsafe.loads(raw) if raw else None
    except jsonsafe.JsonBodyError:
        return None
    if type(parsed) is not dict:
        return None
    try:
        body: CheckRequest = _VALIDATE_CHECK(parsed)
        text = _text(body.text, "text", "メッセージ")
    except (ValueError, InputError):  # pydantic's ValidationError is a ValueError
        return None
    assert text is not None
    report = check(text, relationship=body.relationship, stage=body.stage)
    if type(report) is not CheckReport:
        return None
    return _REPORT_JSON(report, by_alias=True)


@router.post("/advise", response_model=Advice, summary="状況に合う助言", responses=ERRORS)
async def api_advise(body: AdviseRequest) -> JSONResponse:
    from ..advise.advisor import advise

    text = _text(body.text, "text", "状況の説明")
    if text is None and (body.relationship is None or body.stage is None):
        raise InputError(
            "empty",
            "状況の説明(text)か、relationship と stage の両方を指定してください。",
            "no situation text and no relationship/stage",
        )
    advice = advise(
        text,
        relationship=_value(body.relationship),
        stage=_value(body.stage),
        today=body.today,
        apologized_on=body.apologized_on,
        last_contact=body.last_contact,
    )
    return _json(advice)


@router.post("/compose", response_model=Composition, summary="メッセージ文面をつくる", responses=ERRORS)
async def api_compose(body: ComposeRequest) -> JSONResponse:
    from ..compose.composer import compose

    return _json(
        compose(
            body.relationship.value,
            body.stage.value,
            did=_text(body.did, "did", "したこと", MAX_FACT_CHARS),
            will=_text(body.will, "will", "これからすること", MAX_FACT_CHARS),
            thanks=_text(body.thanks, "thanks", "感謝したいこと", MAX_FACT_CHARS),
            register=_value(body.register_),
        )
    )


def _plan(body: PlanRequest) -> Plan:
    from ..plan.planner import plan

    return plan(
        body.relationship.value,
        body.stage.value,
        body.apologized_on,
        last_contact=body.last_contact,
        message=_text(body.message, "message", "メッセージ"),
        today=body.today,
    )


@router.post("/plan", response_model=Plan, summary="これからの予定", responses=ERRORS)
async def api_plan(body: PlanRequest) -> JSONResponse:
    return _json(_plan(body))


@router.post(
    "/plan.ics",
    summary="予定をiCalendar(.ics)で",
    response_class=Response,
    responses={
        200: {
            "content": {"text/calendar": {"schema": {"type": "string"}}},
            "description": "予定(iCalendar、Asia/Tokyo)",
        },
        **ERRORS,
    },
)
async def api_plan_ics(body: PlanRequest) -> Response:
    from ..plan.ics import to_ics

    return Response(
        to_ics(_plan(body)),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="nakanaori-plan.ics"'},
    )
