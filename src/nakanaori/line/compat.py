"""Turn webhook event dicts into line-bot-sdk v3 models, accepting LINE's older payload shape too.

The SDK's v3 models require fields LINE added over the years (``mode``, ``webhookEventId``,
``deliveryContext``, a message's ``quoteToken``, a sticker's ``stickerResourceType``, a follow event's
``follow.isUnblocked``). Events without them — the shape of line-bot-sdk-python's own
``tests/text/webhook.json`` — would otherwise become "unknown" (a text answered "text only", a follow
never greeted) or fail the whole delivery. :func:`parse_event` fills what is missing with neutral
values *for parsing only*; the raw dict is left as it came (so an event without ``webhookEventId``
is simply not deduplicated). Anything still unparseable becomes an :class:`UnparsedEvent`, which the
conversation handles from the raw dict.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from linebot.v3.models.events import UnknownEvent
from linebot.v3.webhooks import Event

# message types whose v3 model requires a quoteToken
_QUOTABLE = ("text", "sticker", "image", "video")


@dataclass
class UnparsedEvent:
    """An event no SDK model accepts (not even the SDK's ``UnknownEvent``)."""

    type: str | None
    reply_token: str | None
    source: Any = None


def with_defaults(raw: dict[str, Any]) -> dict[str, Any]:
    """A copy of *raw* with the fields newer SDK models require filled in where they are missing."""
    ev = copy.deepcopy(raw)
    ev.setdefault("mode", "active")
    ev.setdefault("webhookEventId", "")
    ev.setdefault("deliveryContext", {"isRedelivery": False})
    if ev.get("type") == "follow":
        follow = ev.setdefault("follow", {})
        if isinstance(follow, dict):
            follow.setdefault("isUnblocked", False)
    msg = ev.get("message")
    if ev.get("type") == "message" and isinstance(msg, dict):
        if msg.get("type") in _QUOTABLE:
            msg.setdefault("quoteToken", "")
        if msg.get("type") == "sticker":
            msg.setdefault("stickerResourceType", "STATIC")
    return ev


def _parse(raw: dict[str, Any]) -> Any:
    try:
        return Event.from_dict(raw)
    except Exception:  # the SDK raises ValueError, TypeError, KeyError … for shapes it does not know
        return None


def parse_event(raw: dict[str, Any]) -> Any:
    event = _parse(raw)
    if event is None:
        event = _parse(with_defaults(raw))
    if event is not None:
        return event
    try:
        return UnknownEvent.new_from_json_dict(with_defaults(raw))
    except Exception:
        token = raw.get("replyToken")
        return UnparsedEvent(type=str(raw.get("type")), reply_token=token if isinstance(token, str) else None)
