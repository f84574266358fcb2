"""The LINE SDK's own sample webhook bodies, signed and posted to the running app (issue 8 §2, §3).

line-bot-sdk-python keeps two sample deliveries in its tests: ``tests/text/webhook.json`` in LINE's
older payload shape (no ``mode``/``webhookEventId``/``deliveryContext``, text and sticker messages
without ``quoteToken``, follow without ``follow.isUnblocked``) and ``tests/v3/text/webhook.json`` in
today's shape. Both are written out below in those documented shapes (same events, ids, tokens and
values), then posted to the real app under uvicorn with a real signature; LINE's API is the local fake.

Events of one delivery are handled in order, so a sentinel appended to the delivery says when all of
them have been answered.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from line_fake import FakeLine, Server, event, line_env, sign
from nakanaori.line import flex

NO_JAPANESE = "日本語の状況説明が見つかりません"  # what the bot says to "Hello, world"
USER = "U206d25c2ea6bd87c17655609a1c37cb8"
TOKEN = "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA"
TS = 1462629479859
PROVIDER = {"type": "external", "originalContentUrl": "https://example.com", "previewImageUrl": "https://example.com"}


def _ev(kind: str, source: dict[str, Any], reply: str | None = TOKEN, **extra: Any) -> dict[str, Any]:
    ev: dict[str, Any] = {"type": kind, "timestamp": TS, "source": source}
    if reply:
        ev["replyToken"] = reply
    ev.update(extra)
    return ev


def user_src(uid: str = USER) -> dict[str, Any]:
    return {"type": "user", "userId": uid}


ROOM = {"type": "room", "roomId": "Ra8dbf4673c4c812cd491258042226c99"}
GROUP = {"type": "group", "groupId": "Ca56f94637cc4347f90a25382909b24b9"}
MEMBERS_GROUP = {"type": "group", "groupId": "C4af4980629..."}
MEMBERS = {"members": [{"type": "user", "userId": "U4af4980629..."}, {"type": "user", "userId": "U91eeaf62d9..."}]}


def sdk_older_sample() -> dict[str, Any]:
    """line-bot-sdk-python ``tests/text/webhook.json`` (the older payload shape)."""
    return {
        "destination": "U123",
        "events": [
            _ev("message", user_src(), message={"id": "325708", "type": "text", "text": "Hello, world"}),
            _ev("message", ROOM, message={"id": "325708", "type": "image", "contentProvider": PROVIDER}),
            _ev(
                "message",
                user_src(),
                message={"id": "325708", "type": "video", "duration": 60000, "contentProvider": PROVIDER},
            ),
            _ev(
                "message",
                user_src(),
                message={
                    "id": "325708",
                    "type": "audio",
                    "duration": 60000,
                    "contentProvider": {"type": "external", "originalContentUrl": "https://example.com"},
                },
            ),
            _ev(
                "message",
                user_src(),
                message={
                    "id": "325708",
                    "type": "location",
                    "title": "my location",
                    "address": "Tokyo",
                    "latitude": 35.65910807942215,
                    "longitude": 139.70372892916203,
                },
            ),
            _ev("message", user_src(), message={"id": "325708", "type": "sticker", "packageId": "1", "stickerId": "1"}),
            _ev("follow", user_src()),
            _ev("unfollow", user_src(), reply=None),
            _ev("join", GROUP),
            _ev("leave", GROUP, reply=None),
            _ev("postback", user_src(), postback={"data": "action=buyItem&itemId=123123&color=red"}),
            _ev("beacon", user_src(), beacon={"hwid": "d41d8cd98f", "type": "enter"}),
            _ev("beacon", user_src(), beacon={"hwid": "d41d8cd98f", "type": "enter", "dm": "1234567890abcdef"}),
            _ev("accountLink", user_src(), link={"result": "ok", "nonce": "Vb771wDYtXuammLszK6h9A"}),
            _ev("message", {**GROUP, "userId": USER}, message={"id": "325708", "type": "text", "text": "Hello, world"}),
            _ev("message", {**ROOM, "userId": USER}, message={"id": "325708", "type": "text", "text": "Hello, world"}),
            _ev(
                "postback",
                user_src(),
                postback={"data": "action=buyItem&itemId=123123&color=red", "params": {"date": "2013-04-01"}},
            ),
            _ev(
                "postback",
                user_src(),
                postback={"data": "action=buyItem&itemId=123123&color=red", "params": {"time": "10:00"}},
            ),
            _ev(
                "postback",
                user_src(),
                postback={"data": "action=buyItem&itemId=123123&color=red", "params": {"datetime": "2013-04-01T10:00"}},
            ),
            _ev("things", user_src(), things={"deviceId": "t2c449c9d1", "type": "link"}),
            _ev("memberJoined", MEMBERS_GROUP, reply="0f3779fba3b349968c5d07db31eabf65", joined=MEMBERS),
            {"type": "memberLeft", "timestamp": 1462629479960, "source": MEMBERS_GROUP, "left": MEMBERS},
            _ev("things", user_src(), things={"deviceId": "t2c449c9d1", "type": "unlink"}),
            _ev(
                "message",
                user_src(),
                message={"id": "325708", "type": "file", "fileName": "file.txt", "fileSize": 2138},
            ),
            _ev(
                "things",
                user_src(),
                timestamp=1547817848122,
                things={
                    "type": "scenarioResult",
                    "deviceId": "t2c449c9d1",
                    "result": {
                        "scenarioId": "XXX",
                        "revision": 2,
                        "startTime": 1547817845950,
                        "endTime": 1547817845952,
                        "resultCode": "success",
                        "bleNotificationPayload": "AQ==",
                        "actionResults": [{"type": "binary", "data": "/w=="}, {"type": "void"}],
                    },
                },
            ),
        ],
    }


def _v3(ev: dict[str, Any], redelivery: bool = False) -> dict[str, Any]:
    return {
        **ev,
        "mode": "active",
        "webhookEventId": "testwebhookeventid",
        "deliveryContext": {"isRedelivery": redelivery},
    }


def sdk_v3_sample() -> dict[str, Any]:
    """line-bot-sdk-python ``tests/v3/text/webhook.json`` (today's shape; every event shares one id)."""
    text = {"id": "325708", "type": "text", "text": "Hello, world", "quoteToken": "quoteToken"}
    return {
        "destination": "U123",
        "events": [
            _v3(_ev("message", user_src(), message=text)),
            _v3(
                _ev(
                    "message",
                    ROOM,
                    message={"id": "325708", "type": "image", "contentProvider": PROVIDER, "quoteToken": "quoteToken"},
                )
            ),
            _v3(
                _ev(
                    "message",
                    user_src(),
                    message={
                        "id": "325708",
                        "type": "video",
                        "duration": 60000,
                        "contentProvider": PROVIDER,
                        "quoteToken": "quoteToken",
                    },
                )
            ),
            _v3(
                _ev(
                    "message",
                    user_src(),
                    message={
                        "id": "325708",
                        "type": "audio",
                        "duration": 60000,
                        "contentProvider": {"type": "external", "originalContentUrl": "https://example.com"},
                        "quoteToken": "quoteToken",
                    },
                )
            ),
            _v3(
                _ev(
                    "message",
                    user_src(),
                    message={
                        "id": "325708",
                        "type": "location",
                        "title": "my location",
                        "address": "Tokyo",
                        "latitude": 35.65910807942215,
                        "longitude": 139.70372892916203,
                    },
                )
            ),
            _v3(
                _ev(
                    "message",
                    user_src(),
                    message={
                        "id": "325708",
                        "type": "sticker",
                        "packageId": "1",
                        "stickerId": "1",
                        "stickerResourceType": "STATIC",
                        "keywords": ["Love You", "Love"],
                        "text": "Just sticker",
                        "quoteToken": "quoteToken",
                    },
                )
            ),
            _v3(_ev("follow", user_src(), follow={"isUnblocked": True})),
            _v3(_ev("unfollow", user_src(), reply=None)),
            _v3(_ev("join", GROUP)),
            _v3(_ev("leave", GROUP, reply=None)),
            _v3(
                _ev(
                    "postback",
                    user_src(),
                    postback={
                        "data": "action=buyItem&itemId=123123&color=red",
                        "params": {"datetime": "2017-12-25T01:00"},
                    },
                )
            ),
            _v3(_ev("beacon", user_src(), beacon={"hwid": "d41d8cd98f", "type": "enter"})),
            _v3(_ev("beacon", user_src(), beacon={"hwid": "d41d8cd98f", "type": "enter", "dm": "1234567890abcdef"})),
            _v3(_ev("accountLink", user_src(), link={"result": "ok", "nonce": "Vb771wDYtXuammLszK6h9A"})),
            _v3(_ev("message", {**GROUP, "userId": USER}, message=text)),
            _v3(_ev("message", {**ROOM, "userId": USER}, message=text)),
            _v3(
                _ev(
                    "postback",
                    user_src(),
                    postback={"data": "action=buyItem&itemId=123123&color=red", "params": {"date": "2013-04-01"}},
                )
            ),
            _v3(
                _ev(
                    "postback",
                    user_src(),
                    postback={"data": "action=buyItem&itemId=123123&color=red", "params": {"time": "10:00"}},
                )
            ),
            _v3(
                _ev(
                    "postback",
                    user_src(),
                    postback={
                        "data": "action=buyItem&itemId=123123&color=red",
                        "params": {"datetime": "2013-04-01T10:00"},
                    },
                )
            ),
            _v3(_ev("memberJoined", MEMBERS_GROUP, reply="0f3779fba3b349968c5d07db31eabf65", joined=MEMBERS)),
            _v3({"type": "memberLeft", "timestamp": 1462629479960, "source": MEMBERS_GROUP, "left": MEMBERS}),
            _v3(
                _ev(
                    "message",
                    user_src(),
                    message={"id": "325708", "type": "file", "fileName": "file.txt", "fileSize": 2138},
                )
            ),
            _v3(
                _ev(
                    "unsend",
                    {**GROUP, "userId": USER},
                    reply=None,
                    timestamp=1547817848122,
                    unsend={"messageId": "325708"},
                )
            ),
            _v3(_ev("videoPlayComplete", user_src(), videoPlayComplete={"trackingId": "track_id"})),
            _v3(
                _ev(
                    "message",
                    user_src(),
                    reply="fbf94e269485410da6b7e3a5e33283e8",
                    timestamp=1627356924722,
                    message={
                        "type": "image",
                        "id": "354718705033693861",
                        "contentProvider": {"type": "line"},
                        "imageSet": {"id": "E005D41A7288F41B655", "index": 2, "total": 2},
                        "quoteToken": "quoteToken",
                    },
                )
            ),
            _v3(_ev("message", user_src(), message=text), redelivery=True),
            _v3(
                {"type": "undefined", "timestamp": TS, "source": user_src(), "undefinedField": {"1": 1}},
                redelivery=True,
            ),
        ],
    }


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLine]:
    f = FakeLine().start()
    yield f
    f.stop()


@pytest.fixture(scope="module")
def server(fake: FakeLine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work = tmp_path_factory.mktemp("line-samples")
    srv = Server(line_env(f"sqlite:///{work / 'line.sqlite3'}", fake.base, work), work / "uvicorn.log")
    yield srv
    srv.stop()


def post(server: Server, body: dict[str, Any]) -> Any:
    raw = json.dumps(body, ensure_ascii=False).encode()
    return server.post(raw)


def texts(fake: FakeLine, token: str) -> list[str]:
    return [json.dumps(r.body["messages"], ensure_ascii=False) for r in fake.reply_for(token)]


def with_sentinel(body: dict[str, Any]) -> tuple[dict[str, Any], str]:
    s = event("follow", user="U" + uuid.uuid4().hex, follow={"isUnblocked": False})
    return {**body, "events": [*body["events"], s]}, s["replyToken"]


# ------------------------------------------------------------------ the samples as they are


def test_sdk_older_sample_delivery_is_accepted_and_each_event_answered_like_today(
    server: Server, fake: FakeLine
) -> None:
    body, sentinel = with_sentinel(copy.deepcopy(sdk_older_sample()))
    assert post(server, body).status_code == 200
    fake.wait_reply(sentinel)
    got = texts(fake, TOKEN)
    # follow → the greeting; sticker → the sticker answer; "Hello, world" → read as text, not "text only"
    assert sum(flex.GREETING[:20] in t for t in got) == 1, got
    assert sum(flex.STICKER[:20] in t for t in got) == 1, got
    assert sum(flex.OTHER_MEDIA[:20] in t for t in got) == 4, got  # video, audio, location, file: not the text
    assert sum(NO_JAPANESE in t for t in got) == 1, got  # the text was read as a situation
    assert sum(flex.GROUP_NOTICE[:20] in t for t in got) == 2, got  # once per group/room, never the text itself


def test_sdk_v3_sample_delivery_is_accepted_and_its_shared_event_id_handled_once(
    server: Server, fake: FakeLine
) -> None:
    sample = sdk_v3_sample()
    token = "v3-" + uuid.uuid4().hex
    for ev in sample["events"]:  # fresh tokens and ids, so this delivery is told apart from the other test's
        if "replyToken" in ev:
            ev["replyToken"] = token
        ev["webhookEventId"] = "v3sample" + token  # still one id shared by all, as in the SDK's file
    body, sentinel = with_sentinel(sample)
    assert post(server, body).status_code == 200
    fake.wait_reply(sentinel)
    got = texts(fake, token)
    # one webhookEventId = one event: only the first (the text) is handled, the rest are its redeliveries
    assert len(got) == 1 and NO_JAPANESE in got[0], got


# ------------------------------------------------------------------ older shape == today's shape


def _today_shape(ev: dict[str, Any]) -> dict[str, Any]:
    out = _v3(copy.deepcopy(ev))
    out["webhookEventId"] = "01" + uuid.uuid4().hex[:24].upper()
    msg = out.get("message")
    if isinstance(msg, dict) and msg["type"] in ("text", "sticker", "image", "video"):
        msg["quoteToken"] = "q-" + uuid.uuid4().hex
    if isinstance(msg, dict) and msg["type"] == "sticker":
        msg["stickerResourceType"] = "STATIC"
    if out["type"] == "follow":
        out["follow"] = {"isUnblocked": False}
    return out


OLDER_EVENTS = {
    "text": lambda u, t: _ev(
        "message", user_src(u), t, message={"id": "1", "type": "text", "text": "チェック:ごめん笑"}
    ),
    "help": lambda u, t: _ev("message", user_src(u), t, message={"id": "1", "type": "text", "text": "使い方"}),
    "sticker": lambda u, t: _ev(
        "message", user_src(u), t, message={"id": "1", "type": "sticker", "packageId": "1", "stickerId": "1"}
    ),
    "image": lambda u, t: _ev(
        "message", user_src(u), t, message={"id": "1", "type": "image", "contentProvider": {"type": "line"}}
    ),
    "follow": lambda u, t: _ev("follow", user_src(u), t),
    "postback": lambda u, t: _ev("postback", user_src(u), t, postback={"data": "a=rel&v=friend"}),
}


@pytest.mark.parametrize("kind", sorted(OLDER_EVENTS))
@pytest.mark.parametrize("envelope", ["older", "today"])
def test_an_older_shape_event_gets_the_same_answer_as_todays(
    server: Server, fake: FakeLine, kind: str, envelope: str
) -> None:
    """``older``: the whole event in the older shape; ``today``: today's envelope (mode, id, delivery
    context) around an older message (no quoteToken) or follow (no isUnblocked) — the case of the issue."""
    make = OLDER_EVENTS[kind]
    old_token, new_token = "old-" + uuid.uuid4().hex, "new-" + uuid.uuid4().hex
    old = make("U" + uuid.uuid4().hex, old_token)
    if envelope == "today":
        old = {
            **old,
            "mode": "active",
            "webhookEventId": "01" + uuid.uuid4().hex[:24].upper(),
            "deliveryContext": {"isRedelivery": False},
        }
    new = _today_shape(make("U" + uuid.uuid4().hex, new_token))
    assert "quoteToken" not in json.dumps(old) and "isUnblocked" not in json.dumps(old)
    assert post(server, {"destination": "U123", "events": [old]}).status_code == 200
    assert post(server, {"destination": "U123", "events": [new]}).status_code == 200
    answer_old = fake.wait_reply(old_token)["messages"]
    answer_new = fake.wait_reply(new_token)["messages"]
    assert answer_old == answer_new
    assert flex.OTHER_MEDIA not in json.dumps(answer_old, ensure_ascii=False) or kind == "image"


# ------------------------------------------------------------------ hostile but signed bodies


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 1000 + b"]" * 1000,
        b'{"destination": "U1", "events": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        json.dumps(
            {"destination": "U1", "events": [event("message", message={"id": "1", "type": "text", "text": "x"})]}
        )
        .encode()
        .replace(b'"text": "x"', b'"text": ' + b"[" * 1200 + b"]" * 1200),
        b'{"destination": "U1", "events": [' + b'{"a": ' * 1500 + b"1" + b"}" * 1500 + b"]}",
    ],
    ids=["list-1000", "events-5000", "inside-an-event-1200", "objects-1500"],
)
def test_signed_deeply_nested_body_is_400_not_500(server: Server, raw: bytes) -> None:
    r = server.post(raw)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["error"] == "malformed" and {"error", "message", "problems"} <= set(body)
    assert server.post(json.dumps({"destination": "U1", "events": []}).encode()).status_code == 200  # still up


def test_a_delivery_over_64_kb_is_accepted_and_answered(server: Server, fake: FakeLine) -> None:
    """LINE batches events: five 5,000-character messages are ~75 KB, over the API's 64 KB body limit."""
    draft = ("昨日は約束を破ってごめんなさい。" * 400)[:4990]
    evs = [
        event(
            "message",
            user="U" + uuid.uuid4().hex,
            message={"id": str(i), "type": "text", "quoteToken": "q", "text": "チェック:" + draft},
        )
        for i in range(5)
    ]
    raw = json.dumps({"destination": "U1", "events": evs}, ensure_ascii=False).encode()
    assert len(raw) > 64 * 1024
    r = server.post(raw, timeout=30)
    assert r.status_code == 200, r.text
    for ev in evs:
        assert fake.wait_reply(ev["replyToken"], timeout=60)["messages"][0]["type"] == "flex"
    assert server.post(b"x" * 1_000_001, signature=sign(b"x" * 1_000_001)).status_code == 413
