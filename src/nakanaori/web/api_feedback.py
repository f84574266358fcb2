"""JSON endpoints that change a visitor's own data: feedback on the analyser (「この指摘は違う」,
「見落としを報告」) and a plan step marked as sent (「LINEで送る」). Issue 13 §3–4.

Identity and CSRF are the journal's (:mod:`nakanaori.web.identity`): the browser's identity cookie
(``nakanaori_id``, HttpOnly, SameSite=Lax) says who is writing, and the request carries the CSRF token
of that identity in the ``X-CSRF-Token`` header — the same token the journal's forms carry as ``csrf``
(a page has it already; ``GET /api/session`` answers it for scripts). Without it: 403 ``forbidden``,
nothing read or stored. The user row is created by the first write, as for the journal.

``POST /api/feedback`` stores only after an explicit yes (``"consent": true``, else 422 and nothing is
stored), and the message text only when ``include_text`` is true: otherwise the text (and the span
into it) is dropped before anything is written. The text is never logged and never echoed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from ..errors import MAX_TEXT_CHARS
from ..journal import Journal, NotFound
from ..journal.feedback import record_feedback, utc_iso
from ..labels import LABELS, Register, Relationship, Stage
from .api import ERRORS, TEXT_PATTERN, StrictJsonRoute, _text, _value
from .common import db_session
from .errors import ErrorBody
from .identity import current_user, require_csrf, visitor, visitor_csrf_ok, writing_user

router = APIRouter(prefix="/api", tags=["api"], route_class=StrictJsonRoute)

CSRF_HEADER = "X-CSRF-Token"
csrf_scheme = APIKeyHeader(
    name=CSRF_HEADER,
    scheme_name="csrf",
    description="このブラウザのCSRFトークン(GET /api/session で得られます)。"
    "識別用のCookie(nakanaori_id)と一緒に送ります。",
    auto_error=False,
)
DB = Annotated[Session, Depends(db_session)]

Label = Literal[LABELS]  # type: ignore[valid-type]
RULE_PATTERN = "^[a-z][a-z0-9_]*(\\.[a-z0-9_]+)*$"


def csrf_ok(request: Request, db: DB, token: Annotated[str | None, Security(csrf_scheme)] = None) -> str:
    """403 unless the request carries this browser's CSRF token. Runs before the body is read, and
    creates nothing (the user row comes with the first write that passes validation)."""
    user = current_user(request, db)
    if user is not None:
        require_csrf(user, token)
    elif not visitor_csrf_ok(request, token):
        raise HTTPException(status_code=403, detail="csrf")
    assert token is not None
    return token


Csrf = Annotated[str, Depends(csrf_ok)]

FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {
        "model": ErrorBody,
        "description": "CSRFトークン(X-CSRF-Token)がない、または識別用Cookieと合わない(forbidden)",
    }
}


class SessionInfo(BaseModel):
    csrf_token: str = Field(description=f"状態を変えるJSONのリクエストで {CSRF_HEADER} ヘッダーに入れるトークン")


@router.get("/session", response_model=SessionInfo, summary="このブラウザのCSRFトークン")
def api_session(request: Request, db: DB) -> JSONResponse:
    """A browser without an identity cookie gets one (and no database row)."""
    cookie = Response()
    _user, token = visitor(request, cookie, db)
    out = JSONResponse({"csrf_token": token})
    for key, value in cookie.headers.items():
        if key.lower() == "set-cookie":
            out.headers.append(key, value)
    return out


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [
                {
                    "kind": "dispute",
                    "consent": True,
                    "label": "excuse",
                    "source": "excuse.circumstance",
                    "register": "casual",
                    "relationship": "partner",
                    "include_text": False,
                },
                {
                    "kind": "missed",
                    "consent": True,
                    "label": "rushing",
                    "source": None,
                    "register": "casual",
                    "include_text": True,
                    "text": "ごめんね。で、いつ返事くれるの?",
                    "span": [5, 16],
                },
            ]
        },
    )
    kind: Literal["dispute", "missed"] = Field(description="dispute: この指摘は違う / missed: 見落としを報告")
    consent: StrictBool = Field(
        description='送信への同意。JSON の true のときだけ保存します(false・なし・1・"true" は 422)',
        json_schema_extra={"const": True},
    )
    label: Label = Field(description="指摘のラベル(dispute)、または見落としたラベル(missed)")
    source: str | None = Field(
        default=None,
        description="dispute: 指摘の出どころ(findings[].rule: ルールID か model)/ missed: null",
        max_length=64,
        pattern=RULE_PATTERN,
    )
    register_: Register = Field(alias="register", description="文面の文体(チェック結果の register)")
    relationship: Relationship | None = Field(default=None, description="相手との関係")
    stage: Stage | None = Field(default=None, description="いまの状況")
    include_text: bool = Field(default=False, description="文面も一緒に送る(true のときだけ text を保存します)")
    text: str | None = Field(
        default=None,
        description="文面(include_text が true のときだけ保存。false なら保存せずに捨てます)",
        json_schema_extra={"minLength": 1, "maxLength": MAX_TEXT_CHARS, "pattern": TEXT_PATTERN},
    )
    span: (
        tuple[Annotated[int, Field(ge=0, le=MAX_TEXT_CHARS)], Annotated[int, Field(ge=0, le=MAX_TEXT_CHARS)]] | None
    ) = Field(
        default=None,
        description="text の範囲 [開始, 終了)(コードポイント)。missed: 選んだ語句 / dispute: 指摘の範囲",
    )

    @field_validator("consent")
    @classmethod
    def _consent_is_yes(cls, value: bool) -> bool:
        if value is not True:
            raise PydanticCustomError("consent_required", "consent must be true")
        return value


class FeedbackStored(BaseModel):
    id: int = Field(description="保存したフィードバックの番号")
    stored_text: bool = Field(description="文面も保存したか(include_text が true で text があるときだけ true)")


FEEDBACK_422: dict[int | str, dict[str, Any]] = {
    422: {
        "model": ErrorBody,
        "description": "入力の誤り(invalid_request など)。consent が true でない、"
        "範囲が本文の外(bad_span)、missed に source がある(bad_source)など。何も保存しません。",
    }
}


@router.post(
    "/feedback",
    status_code=201,
    response_model=FeedbackStored,
    summary="分析へのフィードバック(この指摘は違う/見落としを報告)",
    responses={**ERRORS, **FEEDBACK_422, **FORBIDDEN},
)
def api_feedback(request: Request, db: DB, csrf: Csrf, body: FeedbackRequest) -> JSONResponse:
    text = _text(body.text, "text", "文面")  # the schema's rules, whether or not the text is kept
    keep = text if body.include_text else None  # not shared: dropped here, never stored
    row = record_feedback(
        db,
        writing_user(request, db, csrf),
        channel="web",
        kind=body.kind,
        label=body.label,
        source=body.source,
        register=body.register_.value,
        relationship=_value(body.relationship),
        stage=_value(body.stage),
        text=keep,
        span=body.span if keep is not None else None,
    )
    db.commit()
    return JSONResponse({"id": row.id, "stored_text": row.text is not None}, status_code=201)


class StepSent(BaseModel):
    id: int
    case_id: int
    done: bool
    sent_at: str = Field(description="送ったと記録した日時(ISO 8601、UTC)")


@router.post(
    "/journal/steps/{step_id}/sent",
    response_model=StepSent,
    summary="予定の文面を「LINEで送る」で送った(その予定を済みにします)",
    responses={
        404: {"model": ErrorBody, "description": "このブラウザの記録にない予定(not_found)"},
        422: {"model": ErrorBody, "description": "予定の番号が整数でない(invalid_request)"},
        **FORBIDDEN,
    },
)
def api_step_sent(request: Request, db: DB, csrf: Csrf, step_id: int) -> JSONResponse:
    user = current_user(request, db)
    if user is None:
        raise HTTPException(status_code=404)
    try:
        step = Journal(db, user).mark_step_sent(step_id)
    except NotFound:
        raise HTTPException(status_code=404) from None
    db.commit()
    return JSONResponse({"id": step.id, "case_id": step.case_id, "done": step.done, "sent_at": utc_iso(step.sent_at)})
