"""JSON API: ``POST /api/check``, ``/api/advise``, ``/api/compose``, ``/api/plan`` (+ ``/api/plan.ics``).

Bodies mirror the CLI's ``--json`` output. Bad input answers 422 (413 for an over-long draft) with
``{"error": code, "message": 日本語, "message_en": ...}``; the user's text is never echoed in errors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ..check.checker import CheckReport, check
from ..errors import InputError, validate_text
from .common import date_or_error, relationship_or_error, stage_or_error

router = APIRouter(prefix="/api", tags=["api"])


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description="チェックする下書き(5,000文字まで)")
    relationship: str | None = Field(default=None, description="partner | friend | work | family")
    stage: str | None = Field(default=None, description="just_apologized, no_reply など")


class AdviseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, description="状況の説明(自由記述)")
    relationship: str | None = None
    stage: str | None = None
    today: dt.date | None = None
    apologized_on: dt.date | None = None
    last_contact: dt.date | None = None


class ComposeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    relationship: str
    stage: str
    did: str | None = Field(default=None, description="自分がしてしまったこと")
    will: str | None = Field(default=None, description="これからすること")
    thanks: str | None = Field(default=None, description="感謝したいこと")
    register_: str | None = Field(default=None, alias="register", description="casual | polite | honorific")


class PlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    relationship: str
    stage: str
    apologized_on: dt.date
    last_contact: dt.date | None = None
    message: str | None = None
    today: dt.date | None = None


def _json(model: Any) -> JSONResponse:
    return JSONResponse(model.model_dump(mode="json"))


def _short(value: str | None, what: str, limit: int = 500) -> str | None:
    if value is None or not value.strip():
        return None
    return validate_text(value, max_chars=limit, what=what)


@router.post("/check", response_model=CheckReport, summary="下書きをチェック")
def api_check(body: CheckRequest) -> CheckReport:
    rel = relationship_or_error(body.relationship)
    stg = stage_or_error(body.stage)
    return check(body.text, relationship=rel, stage=stg)


@router.post("/advise", summary="状況に合う助言")
def api_advise(body: AdviseRequest) -> JSONResponse:
    from ..advise.advisor import advise

    rel = relationship_or_error(body.relationship)
    stg = stage_or_error(body.stage)
    text = _short(body.text, "状況の説明", 5000)
    if text is None and (rel is None or stg is None):
        raise InputError(
            "empty",
            "状況の説明(text)か、relationship と stage の両方を指定してください。",
            "no situation text and no relationship/stage",
        )
    advice = advise(
        text,
        relationship=rel.value if rel else None,
        stage=stg.value if stg else None,
        today=body.today,
        apologized_on=body.apologized_on,
        last_contact=body.last_contact,
    )
    return _json(advice)


@router.post("/compose", summary="メッセージ文面をつくる")
def api_compose(body: ComposeRequest) -> JSONResponse:
    from ..compose.composer import compose

    rel = relationship_or_error(body.relationship)
    stg = stage_or_error(body.stage)
    return _json(
        compose(
            rel,
            stg,
            did=_short(body.did, "したこと"),
            will=_short(body.will, "これからすること"),
            thanks=_short(body.thanks, "感謝したいこと"),
            register=body.register_ or None,
        )
    )


def _plan(body: PlanRequest) -> Any:
    from ..plan.planner import plan

    rel = relationship_or_error(body.relationship)
    stg = stage_or_error(body.stage)
    date_or_error(body.apologized_on)
    return plan(
        rel,
        stg,
        body.apologized_on,
        last_contact=body.last_contact,
        message=_short(body.message, "メッセージ", 5000),
        today=body.today,
    )


@router.post("/plan", summary="これからの予定")
def api_plan(body: PlanRequest) -> JSONResponse:
    return _json(_plan(body))


@router.post("/plan.ics", summary="予定をiCalendar(.ics)で", response_class=Response)
def api_plan_ics(body: PlanRequest) -> Response:
    from ..plan.ics import to_ics

    return Response(
        to_ics(_plan(body)),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="nakanaori-plan.ics"'},
    )
