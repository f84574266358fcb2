"""``create_app()``: the FastAPI application (pages, journal, JSON API, health check)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import InputError
from ..store import get_engine, make_session_factory, upgrade_to_head
from .limits import BodySizeLimit
from .privacy import install_access_log_filter

HERE = Path(__file__).parent

ERROR_PAGES = {
    403: (
        "操作を確認できませんでした",
        "ページの有効期限が切れたか、別の画面からの送信です。ページを開き直して、もう一度お試しください。",
    ),
    404: ("ページが見つかりません", "ページが存在しないか、このブラウザで作った記録ではないようです。"),
    405: ("この操作はできません", "画面のボタンから操作してください。"),
}


def create_app(database_url: str | None = None, *, migrate: bool = True) -> FastAPI:
    """Build the app. The database comes from *database_url*, else ``NAKANAORI_DATABASE_URL``,
    else SQLite under ``NAKANAORI_DATA_DIR``; its schema is migrated to head at start."""
    engine = get_engine(database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_access_log_filter()
        if migrate:
            await run_in_threadpool(upgrade_to_head, engine)
        yield
        engine.dispose()

    app = FastAPI(
        title="nakanaori (仲直り) API",
        version=__version__,
        summary="謝ったあとに送る言葉のチェック・助言・文面・予定",
        lifespan=lifespan,
        # the product is offline and private: no Swagger/ReDoc pages that pull scripts from a CDN;
        # the schema itself stays at /openapi.json
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["version"] = __version__
    app.state.templates = templates

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from ..line import webhook as line_webhook
    from . import api, pages

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(line_webhook.router)  # POST /line/webhook (nakanaori.line)

    @app.get("/healthz", tags=["ops"], summary="死活確認")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        status = 413 if exc.code == "too_long" else 422
        return JSONResponse(
            {"error": exc.code, "message": exc.message_ja, "message_en": exc.message_en}, status_code=status
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append({"field": where, "type": err.get("type")})  # never echo the input back
        fields = "、".join(p["field"] for p in problems if p["field"]) or "本文"
        message = f"送信内容の形式が正しくありません({fields})。JSONの項目と型を確かめてください。"
        if not request.url.path.startswith("/api/"):
            return _error_page(request, 422, "入力を確認してください", message)
        return JSONResponse(
            {"error": "invalid_request", "message": message, "problems": problems}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/") or exc.status_code not in ERROR_PAGES:
            detail = ERROR_PAGES.get(exc.status_code, ("エラーが発生しました", ""))[0]
            return JSONResponse(
                {"error": str(exc.detail), "message": detail},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        title, body = ERROR_PAGES[exc.status_code]
        return _error_page(request, exc.status_code, title, body)

    def _error_page(request: Request, status: int, title: str, body: str) -> Response:
        return templates.TemplateResponse(
            request, "error.html", {"title": title, "message": body, "nav": ""}, status_code=status
        )

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        is_html = response.headers.get("content-type", "").startswith("text/html")
        if is_html and request.url.path not in ("/docs", "/redoc"):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            )
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.add_middleware(BodySizeLimit)
    return app
