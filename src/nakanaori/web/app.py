"""``create_app()``: the FastAPI application (pages, journal, JSON API, health check)."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import AsyncIterator, MutableMapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount
from starlette.types import ASGIApp

from .. import __version__
from ..errors import InputError
from ..jsonsafe import MAX_DEPTH
from ..labels import Register, Relationship, Stage
from ..line import webhook as line_webhook
from ..line.config import LineSettings
from ..store import get_engine, make_session_factory, upgrade_to_head
from .errors import error_response, http_error_response
from .fastcheck import FastCheck
from .keepalive import RECYCLE_EVERY as RECYCLE_DEFAULT
from .keepalive import KeepAliveRecycle, recycle_every
from .limits import BodySizeLimit
from .privacy import install_access_log_filter
from .security import SecurityHeaders
from .share import line_share_url

HERE = Path(__file__).parent

ERROR_PAGES = {
    400: ("送信内容を読み取れませんでした", "フォームを開き直して、もう一度お試しください。"),
    403: (
        "操作を確認できませんでした",
        "ページの有効期限が切れたか、別の画面からの送信です。ページを開き直して、もう一度お試しください。",
    ),
    404: ("ページが見つかりません", "ページが存在しないか、このブラウザで作った記録ではないようです。"),
    405: ("この操作はできません", "画面のボタンから操作してください。"),
    500: ("エラーが起きました", "サーバーでエラーが起きました。時間をおいて、もう一度お試しください。"),
}


def create_app(database_url: str | None = None, *, migrate: bool = True, warm: bool = False) -> FastAPI:
    """Build the app. The database comes from *database_url*, else ``NAKANAORI_DATABASE_URL``,
    else SQLite under ``NAKANAORI_DATA_DIR``; its schema is migrated to head at start.

    ``warm=True`` (the server, :func:`create_server_app`) loads the analyser and every capability's
    data at start-up, before the first request, and then freezes the garbage collector's view of it."""
    engine = get_engine(database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_access_log_filter()
        if migrate:
            await run_in_threadpool(upgrade_to_head, engine)
        if warm:
            warm_up()  # on the event loop's own thread: its tokenizer is the one requests use
            if LineSettings.from_env() is not None:
                await line_webhook.get_runtime(app)  # line-bot-sdk is imported only when configured
            # everything loaded so far lives as long as the process: keep it out of every future
            # garbage collection (a full collection over it took ~160 ms, the p99 of a busy server)
            gc.collect()
            gc.freeze()
        yield
        engine.dispose()

    app = _App(
        title="nakanaori (仲直り) API",
        version=__version__,
        summary="謝ったあとに送る言葉のチェック・助言・文面・予定",
        lifespan=lifespan,
        # the product is offline and private: no Swagger/ReDoc pages that pull scripts from a CDN;
        # the schema itself stays at /openapi.json
        docs_url=None,
        redoc_url=None,
        # nor any telemetry: FastAPI's OpenTelemetry bridge (spans, metrics, and logs of validation failures
        # and exceptions with their messages; OTLP exporters from the environment) stays off whatever the
        # environment says — and each request no longer asks the providers whether it is configured
        telemetry=TELEMETRY_OFF,
    )
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["version"] = __version__
    templates.env.filters["line_share"] = line_share_url
    app.state.templates = templates

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from . import api, api_feedback, routes

    app.include_router(api.router)
    app.include_router(api_feedback.router)  # feedback, step sent (state-changing JSON, CSRF header)
    app.include_router(routes.router)
    app.include_router(line_webhook.router)  # POST /line/webhook (nakanaori.line)

    @app.get("/healthz", tags=["ops"], summary="死活確認")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        status = 413 if exc.code == "too_long" else 422
        problems = [{"field": exc.field or "", "type": exc.code}]
        return error_response(status, exc.code, exc.message_ja, problems, message_en=exc.message_en)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        code, message, problems = describe_validation_errors(exc.errors())
        if not wants_json(request):
            return _error_page(request, 422, "入力を確認してください", message)
        return error_response(422, code, message, problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request.app, request.scope) or headers.get("Allow", "")
        if wants_json(request) or exc.status_code not in ERROR_PAGES:
            return http_error_response(exc.status_code, headers=headers)
        title, body = ERROR_PAGES[exc.status_code]
        return _error_page(request, exc.status_code, title, body, headers=headers)

    @app.exception_handler(Exception)
    async def unhandled_error(request: Request, exc: Exception) -> Response:
        # Starlette logs the traceback after this answer; the answer itself says nothing internal.
        if wants_json(request):
            return http_error_response(500)
        title, body = ERROR_PAGES[500]
        try:
            return _error_page(request, 500, title, body)
        except Exception:  # the page itself failed: a plain answer, still with the security headers
            return HTMLResponse(f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{body}</p>", status_code=500)

    def _error_page(
        request: Request, status: int, title: str, body: str, headers: dict[str, str] | None = None
    ) -> Response:
        return templates.TemplateResponse(
            request, "error.html", {"title": title, "message": body, "nav": ""}, status_code=status, headers=headers
        )

    # the health check is asked most and matches first (route matching walks the list in order)
    health = next(r for r in app.router.routes if getattr(r, "path", None) == "/healthz")
    app.router.routes.remove(health)
    app.router.routes.insert(0, health)
    app.add_middleware(BodySizeLimit)
    return app


def create_server_app() -> FastAPI:
    """The app as ``nakanaori serve`` runs it (uvicorn factory): warmed up at start-up."""
    return create_app(warm=True)


TELEMETRY_OFF: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}

WARM_TEXT = "昨日は約束の時間に遅れて、本当にごめんね。次からは早めに家を出るね。話を聞いてくれてありがとう。"


def warm_up() -> None:
    """Run each capability once, so that the tokenizer, the rules, the model and every knowledge file
    are loaded before the first request (the first check is then as fast as the next). Pure: no
    database, nothing kept but the loaded data."""
    from ..advise.advisor import advise
    from ..check.checker import check
    from ..compose.composer import compose
    from ..plan.planner import plan

    day = dt.date(2026, 11, 29)
    check(WARM_TEXT, relationship="partner")
    advise("3日前に彼女に謝ったけど、まだ返事がない", today=day)
    compose("friend", "just_apologized", did="約束に遅れた", will="早めに家を出る", thanks="待ってくれた")
    plan("friend", "no_reply", day, message=WARM_TEXT, today=day)


class _App(FastAPI):
    """FastAPI with :class:`SecurityHeaders` wrapped around the whole middleware stack — outside
    ``ServerErrorMiddleware`` too, so unhandled 500s and the size limit's 413s carry the headers — and
    :class:`KeepAliveRecycle` just inside it (every hundredth response closes its connection, so that the
    connections spread evenly over the worker processes), and :class:`FastCheck` inside both: it answers
    ``POST /api/check``'s well-formed drafts without the route machinery, with the same bytes, and hands
    everything else to the app (``web/fastcheck.py``)."""

    fast_check = True  # POST /api/check's usual request answered by FastCheck (False: by the route alone)

    def build_middleware_stack(self) -> ASGIApp:
        try:
            every = recycle_every()
        except ValueError:  # `nakanaori serve` refuses it before starting; an embedding app gets the default
            every = RECYCLE_DEFAULT
        app = super().build_middleware_stack()
        if self.fast_check:
            from .api import check_body

            app = FastCheck(app, check_body)
        return SecurityHeaders(KeepAliveRecycle(app, every))


def wants_json(request: Request) -> bool:
    """Machine endpoints answer errors as JSON; pages answer with an HTML page."""
    return request.url.path.startswith(JSON_PREFIXES) or request.url.path in JSON_PATHS


def allowed_methods(app: Any, scope: MutableMapping[str, Any]) -> str:
    """The ``Allow`` value for a 405: every method some route answers on this path (Starlette names
    only the first route that matched the path, and static files name none)."""
    methods: set[str] = set()
    for route in app.router.routes:
        if isinstance(route, Mount):
            if isinstance(route.app, StaticFiles) and route.matches(scope)[0] != Match.NONE:
                methods |= {"GET", "HEAD"}
            continue
        for method in HTTP_METHODS - methods:
            if route.matches({**scope, "method": method})[0] == Match.FULL:
                methods.add(method)
    return ", ".join(sorted(methods))


def describe_validation_errors(errors: Sequence[Any]) -> tuple[str, str, list[dict[str, str]]]:
    """(code, Japanese message, problems) for pydantic's errors; never the input itself."""
    problems = []
    for err in errors:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        problems.append({"field": where, "type": str(err.get("type"))})
    kinds = {p["type"] for p in problems}
    if kinds & JSON_PROBLEMS.keys():
        kind = next(k for k in JSON_PROBLEMS if k in kinds)
        return "invalid_request", JSON_PROBLEMS[kind], [{"field": "", "type": kind}]
    if problems and kinds == {"enum"}:
        parts = []
        for p in problems:
            choices = CHOICES.get(p["field"].split(".")[-1])
            if choices:
                parts.append(f"{p['field']} は {'、'.join(choices)} のどれかにしてください。")
        if len(parts) == len(problems):
            return "bad_option", "指定が正しくありません。" + "".join(parts), problems
    fields = "、".join(dict.fromkeys(p["field"] for p in problems if p["field"])) or "本文"
    hints = [DATE_HINT] if any(p["type"].startswith("date") for p in problems) else []
    message = f"送信内容の形式が正しくありません({fields})。JSONの項目と型を確かめてください。" + "".join(hints)
    return "invalid_request", message, problems


HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
JSON_PREFIXES = ("/api/", "/line/")
JSON_PATHS = ("/openapi.json", "/healthz")
JSON_PROBLEMS = {
    "invalid_utf8": "送信内容がUTF-8ではありません。UTF-8のJSONで送ってください。",
    "json_too_deep": f"JSONの入れ子が深すぎます({MAX_DEPTH}段まで)。",
    "json_invalid": "送信内容をJSONとして読めませんでした。JSONの書き方を確かめてください。",
}
CHOICES = {
    "relationship": [r.value for r in Relationship],
    "stage": [s.value for s in Stage],
    "register": [r.value for r in Register],
}
DATE_HINT = "日付は 2026-11-29 のような文字列(YYYY-MM-DD)で送ってください。"
