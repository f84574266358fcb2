"""One error shape for every JSON error the app answers (API, LINE webhook, size limit, 404/405, 500).

``{"error": code, "message": 日本語, "problems": [{"field", "type"}, …]}`` — plus ``message_en`` for
input errors and ``max_bytes`` for 413 ``too_large``. ``problems`` names the offending fields (empty
when the whole request is at fault); neither the message nor the problems ever echo the input.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

# status → the code and Japanese message of a bare HTTP error (no more specific code known)
HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "リクエストを読み取れませんでした。"),
    403: ("forbidden", "操作を確認できませんでした。"),
    404: ("not_found", "見つかりません。URLを確かめてください。"),
    405: ("method_not_allowed", "この操作(HTTPメソッド)はここでは使えません。Allow ヘッダーの方法を使ってください。"),
    413: ("too_large", "送信された内容が大きすぎます。"),
    500: ("internal_error", "サーバーでエラーが起きました。時間をおいて、もう一度お試しください。"),
}


class Problem(BaseModel):
    field: str = Field(description="問題のある項目(例: text, relationship)。リクエスト全体のときは空文字")
    type: str = Field(description="問題の種類(例: enum, missing, json_invalid, empty, too_long)")


class ErrorBody(BaseModel):
    """Every error the API answers has this shape; the user's text is never echoed."""

    error: str = Field(
        description="安定したエラーコード: invalid_request, bad_option, bad_date, empty, too_long, too_large, "
        "binary, no_japanese, no_situation, not_found, method_not_allowed, internal_error"
    )
    message: str = Field(description="日本語の説明(入力をそのまま含むことはありません)")
    problems: list[Problem] = Field(description="項目ごとの問題(ないときは空)")
    message_en: str | None = Field(default=None, description="英語の説明(入力エラーのとき)")
    max_bytes: int | None = Field(default=None, description="413 too_large のとき、本文の上限(バイト)")


def error_body(code: str, message: str, problems: Iterable[Mapping[str, Any]] = (), **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, "problems": [dict(p) for p in problems], **extra}


def error_response(
    status: int,
    code: str,
    message: str,
    problems: Iterable[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    return JSONResponse(error_body(code, message, problems, **extra), status_code=status, headers=headers)


def http_error_response(status: int, headers: Mapping[str, str] | None = None) -> JSONResponse:
    code, message = HTTP_CODES.get(status, (f"http_{status}", "エラーが起きました。"))
    return error_response(status, code, message, headers=headers)
