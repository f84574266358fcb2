"""``POST /line/webhook``: verify the signature, answer 200 at once, then handle the events.

Every request's ``X-Line-Signature`` (HMAC-SHA256 of the raw body with the channel secret, base64) is
checked by line-bot-sdk's ``WebhookParser`` before anything is read: missing or forged → 400, nothing
processed or stored. The events are handled after the response (LINE wants a prompt 200 and would
redeliver otherwise): loading animation → one database transaction per event (redelivery dedupe on
``webhookEventId``, conversation state) → reply with the reply token. LINE API failures are logged
with their status only, never with message text.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, BackgroundTasks, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from .. import jsonsafe
from ..store.line_models import LineWebhookEvent
from . import flex
from .config import NOT_CONFIGURED_EN, NOT_CONFIGURED_JA, LineSettings

if TYPE_CHECKING:  # line-bot-sdk is imported only once the channel is configured (a large import)
    from linebot.v3.webhook import WebhookParser

    from .client import LineApi

log = logging.getLogger("nakanaori.line")

MAX_BODY_BYTES = 1_000_000
router = APIRouter()


@dataclass
class LineRuntime:
    settings: LineSettings
    sessions: sessionmaker[Session]
    api: LineApi = field(init=False)
    parser: WebhookParser = field(init=False)

    def __post_init__(self) -> None:
        from linebot.v3.webhook import WebhookParser

        from .client import LineApi

        self.api = LineApi(self.settings)
        self.parser = WebhookParser(self.settings.channel_secret)

    # -------------------------------------------------------- after the 200

    def process(self, events: list[Any], raws: list[dict[str, Any]]) -> None:
        for event, raw in zip(events, raws, strict=True):
            try:
                self.process_one(event, raw)
            except Exception as exc:  # never let one event take the others down; no text in logs
                log.error("LINE event %s failed: %s", raw.get("type"), type(exc).__name__)

    def _seen(self, event_id: str) -> bool:
        with self.sessions() as s:
            return s.get(LineWebhookEvent, event_id) is not None

    def process_one(self, event: Any, raw: dict[str, Any]) -> None:
        from .conversation import Conversation, needs_work, source_user_id

        event_id = raw.get("webhookEventId")
        event_id = event_id if isinstance(event_id, str) and event_id else None
        if event_id and self._seen(event_id):
            log.info("LINE event %s already processed (redelivery)", event_id)
            return
        uid = source_user_id(event)
        if uid and needs_work(event):
            self.api.show_loading(uid)
        reply = None
        try:
            with self.sessions() as s, s.begin():
                if event_id:
                    s.add(LineWebhookEvent(event_id=event_id))
                    s.flush()  # a concurrent redelivery fails here and rolls back as a whole
                reply = Conversation(s).handle(event, raw)
        except IntegrityError:
            log.info("LINE event %s already processed (concurrent redelivery)", event_id)
            return
        except Exception as exc:
            log.error("LINE event %s could not be handled: %s", raw.get("type"), type(exc).__name__)
            token = getattr(event, "reply_token", None)
            if token and uid:
                self.api.reply(token, [flex.text(flex.ERROR)])
            return
        if reply is not None and reply.reply_token and reply.messages:
            self.api.reply(reply.reply_token, reply.messages[:5])


_runtime_lock = asyncio.Lock()


def _default_sessions(app: FastAPI) -> sessionmaker[Session]:
    from ..store import get_engine, make_session_factory, upgrade_to_head

    engine: Engine | None = getattr(app.state, "engine", None)
    if engine is None:
        engine = get_engine()
        upgrade_to_head(engine)
        app.state.engine = engine
    factory = getattr(app.state, "session_factory", None)
    return factory if isinstance(factory, sessionmaker) else make_session_factory(engine)


async def get_runtime(app: FastAPI) -> LineRuntime | None:
    """The app's LINE runtime, built on first use; ``None`` when the channel is not configured."""
    rt: LineRuntime | None = getattr(app.state, "line_runtime", None)
    if rt is not None:
        return rt
    settings = LineSettings.from_env()
    if settings is None:
        return None
    async with _runtime_lock:
        rt = getattr(app.state, "line_runtime", None)
        if rt is None:
            sessions = await run_in_threadpool(_default_sessions, app)
            rt = LineRuntime(settings, sessions)
            app.state.line_runtime = rt
    return rt


def _bad(message_ja: str, code: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": code, "message": message_ja, "problems": []}, status_code=status)


@router.post("/line/webhook", include_in_schema=False)
async def line_webhook(request: Request, background: BackgroundTasks) -> JSONResponse:
    rt = await get_runtime(request.app)
    if rt is None:
        log.warning(NOT_CONFIGURED_EN)
        return _bad(NOT_CONFIGURED_JA, "line_not_configured", 503)
    signature = request.headers.get("x-line-signature")
    if not signature:
        return _bad("署名(X-Line-Signature)がありません。", "missing_signature")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return _bad("リクエストが大きすぎます。", "too_large", 413)
    try:
        text = jsonsafe.decode(body)
    except jsonsafe.JsonBodyError:
        return _bad("署名が正しくありません。", "invalid_signature")
    if not rt.parser.signature_validator.validate(text, signature):
        log.warning("LINE webhook: invalid signature")
        return _bad("署名が正しくありません。", "invalid_signature")
    try:
        payload = jsonsafe.loads(text)
    except jsonsafe.JsonBodyError:  # broken, or nested deeper than any LINE event
        return _bad("リクエストの形式が正しくありません(JSON)。", "malformed")
    raws = payload.get("events") if isinstance(payload, dict) else None
    if not isinstance(raws, list) or not all(isinstance(r, dict) for r in raws):
        return _bad("リクエストの形式が正しくありません(events)。", "malformed")
    from .compat import parse_event

    events = [parse_event(r) for r in raws]  # older payload shapes too (see nakanaori.line.compat)
    if events:
        background.add_task(rt.process, events, raws)
    return JSONResponse({})


def create_line_app() -> FastAPI:
    """A FastAPI app serving only the webhook (the main web app includes :data:`router` itself)."""
    app = FastAPI(title="nakanaori LINE webhook")
    app.include_router(router)
    return app
