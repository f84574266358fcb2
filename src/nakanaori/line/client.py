"""Outbound calls to LINE's Messaging API through line-bot-sdk v3 (``MessagingApi``).

Every failure is logged with its kind and HTTP status only — never with message text — and the
webhook path never raises: LINE would otherwise redeliver the event. ``push`` classifies failures
for the reminder worker (retry the transient ones with the same ``X-Line-Retry-Key``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import urllib3
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    Message,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    ShowLoadingAnimationRequest,
)
from linebot.v3.messaging.exceptions import ApiException

from .config import LineSettings

log = logging.getLogger("nakanaori.line")

# (connect, read) seconds: the webhook must stay prompt even when LINE is slow or unreachable.
DEFAULT_TIMEOUT: tuple[float, float] = (2.0, 5.0)

PushOutcome = Literal["sent", "duplicate", "transient", "permanent"]


@dataclass(frozen=True)
class PushResult:
    outcome: PushOutcome
    status: int | None = None  # HTTP status, None when no answer came back
    error: str | None = None  # a short code for logs and the database, never message text


def to_messages(messages: Sequence[dict[str, Any] | Message]) -> list[Message]:
    return [m if isinstance(m, Message) else Message.from_dict(m) for m in messages]


class LineApi:
    """A thread-safe wrapper: one urllib3 pool shared by the webhook's worker threads."""

    def __init__(self, settings: LineSettings, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        cfg = Configuration(host=settings.api_base, access_token=settings.access_token)
        # No hidden urllib3 retries: the worker retries itself, with backoff and the same retry key.
        cfg.retries = urllib3.Retry(total=0, redirect=0, raise_on_status=False)
        cfg.connection_pool_maxsize = 16
        self._client = ApiClient(cfg)
        self._api = MessagingApi(self._client)
        self._timeout = timeout

    def close(self) -> None:
        self._client.close()

    def reply(self, reply_token: str, messages: Sequence[dict[str, Any] | Message]) -> bool:
        """Answer with the reply token. False (and a log line) when LINE refused or was unreachable."""
        req = ReplyMessageRequest(reply_token=reply_token, messages=to_messages(messages))
        try:
            self._api.reply_message(req, _request_timeout=self._timeout)
        except ApiException as exc:
            log.warning("LINE reply failed: HTTP %s", exc.status)
            return False
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            log.warning("LINE reply failed: %s", type(exc).__name__)
            return False
        return True

    def show_loading(self, user_id: str, seconds: int = 5) -> bool:
        """The "typing" animation in a one-to-one chat (5–60 s, a multiple of 5)."""
        req = ShowLoadingAnimationRequest(chat_id=user_id, loading_seconds=seconds)
        try:
            self._api.show_loading_animation(req, _request_timeout=self._timeout)
        except ApiException as exc:
            log.info("LINE loading animation failed: HTTP %s", exc.status)
            return False
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            log.info("LINE loading animation failed: %s", type(exc).__name__)
            return False
        return True

    def push(self, to: str, messages: Sequence[dict[str, Any] | Message], retry_key: str) -> PushResult:
        """Push to one user with ``X-Line-Retry-Key``; a 409 means LINE already accepted that key."""
        req = PushMessageRequest(to=to, messages=to_messages(messages))
        try:
            self._api.push_message(req, x_line_retry_key=retry_key, _request_timeout=self._timeout)
        except ApiException as exc:
            status = exc.status or None
            if status == 409:
                return PushResult("duplicate", 409)
            if status is None or status == 429 or status >= 500:
                return PushResult("transient", status, f"http_{status or 0}")
            return PushResult("permanent", status, f"http_{status}")
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            return PushResult("transient", None, type(exc).__name__)
        return PushResult("sent", 200)
