"""POST /line/webhook over real HTTP: the web app under uvicorn, LINE's API as a local fake server.

Every request is signed like LINE signs it (HMAC-SHA256 of the body with the channel secret, base64).
"Nothing answered" is checked with a sentinel event sent after the one under test in the same
delivery: events of one delivery are handled in order, so once the sentinel's reply is there, any
reply to the first would be too.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from line_fake import (
    SECRET,
    FakeLine,
    Server,
    event,
    free_port,
    line_env,
    payload,
    postback_event,
    sign,
    text_event,
)
from nakanaori import check
from nakanaori.labels import LABEL_JA
from nakanaori.line.conversation import line_token_hash
from nakanaori.store import get_engine
from nakanaori.store.line_models import LineAccount, LineGroupNotice, LineReminder, LineWebhookEvent
from nakanaori.store.models import Case, User

NG_DRAFT = "ごめん笑 まあそんな怒らないでよw"
GOOD_DRAFT = "昨日は約束を破ってごめんなさい。話を聞いてくれてありがとう。次からは時間を守ります。"


def uid() -> str:
    return "U" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLine]:
    f = FakeLine().start()
    yield f
    f.stop()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("line")


@pytest.fixture(scope="module")
def db_file_url(workdir: Path) -> str:
    return f"sqlite:///{workdir / 'line.sqlite3'}"


@pytest.fixture(scope="module")
def server(fake: FakeLine, workdir: Path, db_file_url: str) -> Iterator[Server]:
    srv = Server(line_env(db_file_url, fake.base, workdir), workdir / "uvicorn.log")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def engine(server: Server, db_file_url: str) -> Iterator[Engine]:
    e = get_engine(db_file_url)
    yield e
    e.dispose()


def flex_json(reply: dict) -> str:
    return json.dumps(reply["messages"], ensure_ascii=False)


def sentinel(**kw: object) -> dict:
    return event("follow", follow={"isUnblocked": False}, **kw)


# ------------------------------------------------------------------ configuration and signatures


def test_without_channel_settings_the_webhook_answers_503_and_the_app_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nakanaori.web.app import create_app

    monkeypatch.delenv("LINE_CHANNEL_SECRET", raising=False)
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    with TestClient(create_app(f"sqlite:///{tmp_path / 'x.sqlite3'}")) as client:
        body = payload(text_event("こんにちは"))
        r = client.post("/line/webhook", content=body, headers={"X-Line-Signature": sign(body)})
        assert r.status_code == 503
        assert "LINE_CHANNEL_SECRET" in r.json()["message"]
        assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("signature", [None, "", "forged", "auto-wrong-secret", "auto-tampered"])
def test_missing_or_forged_signature_is_400_and_nothing_is_processed_or_stored(
    server: Server, fake: FakeLine, engine: Engine, signature: str | None
) -> None:
    user = uid()
    ev = text_event("チェック:" + GOOD_DRAFT, user=user)
    body = payload(ev)
    if signature == "auto-wrong-secret":
        signature = sign(body, SECRET + "x")
    elif signature == "auto-tampered":
        signature = sign(body)
        body = body.replace("チェック".encode(), "ちぇっく".encode())
    r = server.post(body, signature=signature)
    assert r.status_code == 400
    # a correctly signed sentinel afterwards is answered, the forged event never is
    s = sentinel(user=user)
    assert server.post(payload(s)).status_code == 200
    fake.wait_reply(s["replyToken"])
    assert fake.reply_for(ev["replyToken"]) == []
    with engine.connect() as c:
        assert c.scalar(select(func.count()).where(LineWebhookEvent.event_id == ev["webhookEventId"])) == 0


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"events": "x"}',
        b'{"destination": "U1"}',
        b'{"events": [1, 2]}',
        '{"events": [{"type": "message", "text": "\xff"}]}'.encode("latin-1"),
    ],
)
def test_malformed_bodies_with_a_valid_signature_get_400(server: Server, body: bytes) -> None:
    r = server.post(body)
    assert r.status_code == 400
    assert r.json()["error"] in ("malformed", "invalid_signature")


def test_empty_event_list_is_the_console_verify_request(server: Server) -> None:
    assert server.post(payload()).status_code == 200


# ------------------------------------------------------------------ conversation basics


def test_follow_greets_with_the_four_quick_replies(server: Server, fake: FakeLine, engine: Engine) -> None:
    user = uid()
    ev = event("follow", user=user, follow={"isUnblocked": False})
    assert server.post(payload(ev)).status_code == 200
    reply = fake.wait_reply(ev["replyToken"])
    msg = reply["messages"][0]
    assert msg["type"] == "text" and "「仲直り」" in msg["text"]
    labels = [i["action"]["label"] for i in msg["quickReply"]["items"]]
    assert labels == ["相談する", "下書きをチェック", "予定を見る", "使い方"]
    with engine.connect() as c:
        assert c.scalar(select(func.count()).where(LineAccount.line_user_id == user)) == 1


def test_prefixed_draft_is_checked_with_loading_animation_and_flex_findings(server: Server, fake: FakeLine) -> None:
    user = uid()
    ev = text_event("チェック:" + NG_DRAFT, user=user)
    assert server.post(payload(ev)).status_code == 200
    reply = fake.wait_reply(ev["replyToken"])
    loading = [r for r in fake.find("/v2/bot/chat/loading/start") if r.body.get("chatId") == user]
    assert len(loading) == 1 and loading[0].body["loadingSeconds"] >= 5
    assert fake.requests.index(loading[0]) < fake.requests.index(fake.reply_for(ev["replyToken"])[0])
    msg = reply["messages"][0]
    assert msg["type"] == "flex" and msg["contents"]["type"] == "bubble"
    report = check(NG_DRAFT)
    assert report.ng, "the fixture draft must contain an NG element"
    dumped = flex_json(reply)
    for f in report.findings:
        assert LABEL_JA[f.label] in dumped
        if f.kind == "ng" and f.suggestion:
            assert f.suggestion[:20] in dumped
    # the verdict first: its headline opens the bubble and names the message
    assert msg["altText"] == "下書きチェック:" + report.verdict.headline
    first = msg["contents"]["body"]["contents"]
    assert report.verdict.headline in json.dumps(first[:3], ensure_ascii=False)
    assert report.verdict.level == "counter" and f"直すところ {report.verdict.fix_count} つ" in dumped


def test_check_after_choosing_it_then_a_clean_draft(server: Server, fake: FakeLine) -> None:
    user = uid()
    first = text_event("下書きをチェック", user=user)
    second = text_event(GOOD_DRAFT, user=user)
    assert server.post(payload(first, second)).status_code == 200
    assert "送ってね" in fake.wait_reply(first["replyToken"])["messages"][0]["text"]
    reply = fake.wait_reply(second["replyToken"])
    assert reply["messages"][0]["type"] == "flex"
    assert "気になる表現は見つからなかった" in flex_json(reply)
    assert check(GOOD_DRAFT).ng == []


def test_usage_and_empty_reminder_list(server: Server, fake: FakeLine) -> None:
    user = uid()
    a, b = text_event("使い方", user=user), text_event("予定を見る", user=user)
    server.post(payload(a, b))
    assert "下書きをチェック" in fake.wait_reply(a["replyToken"])["messages"][0]["text"]
    assert "リマインドはない" in fake.wait_reply(b["replyToken"])["messages"][0]["text"]


# ------------------------------------------------------------------ odd input


def test_stickers_images_and_unknown_message_types_get_a_short_answer(server: Server, fake: FakeLine) -> None:
    user = uid()
    sticker = event(
        "message",
        user=user,
        message={
            "type": "sticker",
            "id": "1",
            "quoteToken": "q",
            "packageId": "446",
            "stickerId": "1988",
            "stickerResourceType": "STATIC",
        },
    )
    image = event(
        "message",
        user=user,
        message={"type": "image", "id": "2", "quoteToken": "q", "contentProvider": {"type": "line"}},
    )
    novel = event("message", user=user, message={"type": "hologram", "id": "3"})
    assert server.post(payload(sticker, image, novel)).status_code == 200
    assert "スタンプ" in fake.wait_reply(sticker["replyToken"])["messages"][0]["text"]
    assert "画像" in fake.wait_reply(image["replyToken"])["messages"][0]["text"]
    assert "テキスト" in fake.wait_reply(novel["replyToken"])["messages"][0]["text"]


def test_unknown_event_types_are_accepted_and_ignored(server: Server, fake: FakeLine) -> None:
    user = uid()
    odd = event("somethingNew", user=user, whatever={"x": 1})
    unsend = event("unsend", user=user, unsend={"messageId": "1"})
    s = sentinel(user=user)
    assert server.post(payload(odd, unsend, s)).status_code == 200
    fake.wait_reply(s["replyToken"])
    assert fake.reply_for(odd["replyToken"]) == [] and fake.reply_for(unsend["replyToken"]) == []


def test_text_over_5000_characters_gets_a_clear_answer(server: Server, fake: FakeLine) -> None:
    ev = text_event("ごめん" * 1700, user=uid())  # 5,100 characters
    assert server.post(payload(ev)).status_code == 200
    text = fake.wait_reply(ev["replyToken"])["messages"][0]["text"]
    assert "5,100" in text and "5,000文字以内" in text


# ------------------------------------------------------------------ redelivery and groups


def test_redelivered_event_is_processed_once(server: Server, fake: FakeLine, engine: Engine) -> None:
    user = uid()
    ev = text_event("チェック:" + GOOD_DRAFT, user=user)
    assert server.post(payload(ev)).status_code == 200
    fake.wait_reply(ev["replyToken"])
    again = {**ev, "deliveryContext": {"isRedelivery": True}}
    s = sentinel(user=user)
    assert server.post(payload(again, s)).status_code == 200
    fake.wait_reply(s["replyToken"])
    assert len(fake.reply_for(ev["replyToken"])) == 1
    with engine.connect() as c:
        assert c.scalar(select(func.count()).where(LineWebhookEvent.event_id == ev["webhookEventId"])) == 1


def test_group_gets_one_explanation_and_nothing_else(server: Server, fake: FakeLine, engine: Engine) -> None:
    group = "C" + uuid.uuid4().hex
    src = {"type": "group", "groupId": group, "userId": uid()}
    pushes_before = len(fake.find("/v2/bot/message/push"))
    first = text_event("相談する", source=src)
    second = text_event("チェック:" + NG_DRAFT, source=src)
    room = text_event("使い方", source={"type": "room", "roomId": "R" + uuid.uuid4().hex, "userId": uid()})
    s = sentinel(user=uid())
    assert server.post(payload(first, second, room, s)).status_code == 200
    fake.wait_reply(s["replyToken"])
    notice = fake.wait_reply(first["replyToken"])["messages"][0]["text"]
    assert "1対1" in notice
    assert fake.reply_for(second["replyToken"]) == []
    assert "1対1" in fake.wait_reply(room["replyToken"])["messages"][0]["text"]
    assert len(fake.find("/v2/bot/message/push")) == pushes_before  # never pushes to a group
    loading = [r.body["chatId"] for r in fake.find("/v2/bot/chat/loading/start")]
    assert group not in loading
    with engine.connect() as c:
        assert c.scalar(select(func.count()).where(LineGroupNotice.chat_id == group)) == 1


# ------------------------------------------------------------------ consult, templates, reminders


def test_consult_by_buttons_then_template_check_then_reminders_and_cancel(
    server: Server, fake: FakeLine, engine: Engine
) -> None:
    user = uid()

    def say(ev: dict) -> dict:
        assert server.post(payload(ev)).status_code == 200
        return fake.wait_reply(ev["replyToken"])["messages"][0]

    ask = say(text_event("相談する", user=user))
    assert [i["action"]["data"] for i in ask["quickReply"]["items"]] == [
        "a=rel&v=partner",
        "a=rel&v=friend",
        "a=rel&v=work",
        "a=rel&v=family",
    ]
    ask_stage = say(postback_event("a=rel&v=friend", user=user))
    assert len(ask_stage["quickReply"]["items"]) == 10
    advice = say(postback_event("a=stage&v=cold", user=user))
    assert advice["type"] == "flex" and advice["contents"]["type"] == "carousel"
    from nakanaori.advise.advisor import advise

    expected = advise(None, relationship="friend", stage="cold")
    bubbles = advice["contents"]["contents"]
    assert 3 <= len(bubbles) <= 4  # the advice + 2–3 templates
    dumped = json.dumps(advice, ensure_ascii=False)
    assert expected.guidance.do[0][:20] in dumped
    for i, tpl in enumerate(expected.templates[: len(bubbles) - 1]):
        assert tpl.text in json.dumps(bubbles[i + 1], ensure_ascii=False)
        assert bubbles[i + 1]["footer"]["contents"][0]["action"]["label"] == "この文面でチェック"
    checked = say(postback_event("a=tpl&i=0", user=user))
    assert checked["type"] == "flex" and "下書きチェック" in checked["altText"]

    reminders = say(text_event("リマインドして", user=user))
    with engine.connect() as c:
        rows = c.execute(
            select(
                LineReminder.id,
                LineReminder.retry_key,
                LineReminder.status,
                LineReminder.step_id,
                LineReminder.line_user_id,
            )
            .join(LineAccount, LineAccount.user_id == LineReminder.user_id)
            .where(LineAccount.line_user_id == user)
        ).all()
    assert rows and all(r.status == "pending" and r.step_id and r.line_user_id == user for r in rows)
    assert len({str(uuid.UUID(r.retry_key)) for r in rows}) == len(rows)
    assert f"({len(rows)}件)" in reminders["altText"]
    again = say(text_event("リマインドして", user=user))  # not scheduled twice
    assert "もう登録してある" in json.dumps(again, ensure_ascii=False)
    listed = say(text_event("予定を見る", user=user))
    assert f"({len(rows)}件)" in listed["altText"]
    cancelled = say(postback_event(f"a=cancel&id={rows[0].id}", user=user))
    assert "取り消した" in json.dumps(cancelled, ensure_ascii=False)
    stranger = say(postback_event(f"a=cancel&id={rows[1].id}", user=uid()))  # not theirs
    assert "もう予定に入っていない" in json.dumps(stranger, ensure_ascii=False)
    with engine.connect() as c:
        got = dict(
            c.execute(
                select(LineReminder.id, LineReminder.status).where(LineReminder.id.in_([r.id for r in rows]))
            ).all()
        )
    assert got[rows[0].id] == "cancelled" and got[rows[1].id] == "pending"


def test_free_text_situation_asks_only_what_it_could_not_read(server: Server, fake: FakeLine) -> None:
    user = uid()
    ev = text_event("謝ったけど返事がない", user=user)  # who is missing
    server.post(payload(ev))
    msg = fake.wait_reply(ev["replyToken"])["messages"][0]
    assert msg["quickReply"]["items"][0]["action"]["data"].startswith("a=rel&v=")
    pick = postback_event("a=rel&v=family", user=user)
    server.post(payload(pick))
    advice = fake.wait_reply(pick["replyToken"])["messages"][0]
    assert advice["type"] == "flex" and advice["altText"].startswith("家族 / 返事がない")
    hello = text_event("こんにちは", user=user)
    server.post(payload(hello))
    assert "読み取れなかった" in fake.wait_reply(hello["replyToken"])["messages"][0]["text"]


def test_the_bot_asks_one_question_like_the_web_app(server: Server, fake: FakeLine) -> None:
    # nothing says who nor what happened after: advise asks only who (its guess of the stage stands),
    # so one tap gives the advice -- not a second question about the stage
    user = uid()
    ev = text_event("謝った", user=user)
    server.post(payload(ev))
    msg = fake.wait_reply(ev["replyToken"])["messages"][0]
    assert msg["quickReply"]["items"][0]["action"]["data"].startswith("a=rel&v=")
    pick = postback_event("a=rel&v=friend", user=user)
    server.post(payload(pick))
    advice = fake.wait_reply(pick["replyToken"])["messages"][0]
    assert advice["type"] == "flex" and advice["altText"].startswith("友だち / ")


# ------------------------------------------------------------------ deletion


def test_data_deletion_removes_everything_for_that_user(server: Server, fake: FakeLine, engine: Engine) -> None:
    user, other = uid(), uid()
    for u in (user, other):
        ev = text_event("下書きをチェック", user=u)
        server.post(payload(ev))
        fake.wait_reply(ev["replyToken"])
    for ev in (
        postback_event("a=rel&v=work", user=user),
        postback_event("a=stage&v=improve", user=user),
        text_event("リマインドして", user=user),
    ):
        server.post(payload(ev))
        fake.wait_reply(ev["replyToken"])
    with engine.connect() as c:
        user_id = c.scalar(select(User.id).where(User.token_hash == line_token_hash(user)))
        assert user_id is not None
        assert c.scalar(select(func.count()).where(Case.user_id == user_id)) == 1
        assert c.scalar(select(func.count()).where(LineReminder.user_id == user_id)) > 0
    ev = text_event("データ削除", user=user)
    server.post(payload(ev))
    assert "削除" in fake.wait_reply(ev["replyToken"])["messages"][0]["text"]
    with engine.connect() as c:
        assert c.scalar(select(func.count()).where(User.token_hash == line_token_hash(user))) == 0
        assert c.scalar(select(func.count()).where(LineAccount.line_user_id == user)) == 0
        assert c.scalar(select(func.count()).where(Case.user_id == user_id)) == 0
        assert c.scalar(select(func.count()).where(LineReminder.user_id == user_id)) == 0
        assert c.scalar(select(func.count()).where(LineAccount.line_user_id == other)) == 1


def test_postback_with_unknown_data_answers_with_help(server: Server, fake: FakeLine) -> None:
    ev = postback_event("a=%%%&&i=zz", user=uid())
    server.post(payload(ev))
    assert "できること" in fake.wait_reply(ev["replyToken"])["messages"][0]["text"]


# ------------------------------------------------------------------ LINE API failures


def test_line_api_500_still_answers_200_and_logs_without_text(server: Server, fake: FakeLine, workdir: Path) -> None:
    secret_words = "秘密の下書き" + uuid.uuid4().hex[:6]
    ev = text_event("チェック:" + secret_words + "ごめんね", user=uid())
    fake.mode = "error"
    try:
        r = server.post(payload(ev), timeout=30)  # that it answers before LINE does: the test below
        assert r.status_code == 200
        assert fake.wait(lambda: any(x.status == 500 for x in fake.reply_for(ev["replyToken"])))
    finally:
        fake.mode = "ok"
    log_file = workdir / "uvicorn.log"
    assert fake.wait(lambda: "LINE reply failed: HTTP 500" in log_file.read_text(errors="replace"))
    assert secret_words not in log_file.read_text(errors="replace")


def test_the_webhook_answers_before_line_answers_the_reply(server: Server, fake: FakeLine) -> None:
    """LINE wants a prompt 200: the app answers while its reply to LINE is still waiting (held by the
    fake until the webhook's answer is in), so the order is proven, not timed."""
    ev = text_event("チェック:" + GOOD_DRAFT, user=uid())
    gate = threading.Event()
    fake.reply_gate = gate
    try:
        r = server.post(payload(ev), timeout=60)  # an app that waited for LINE would time out here (gate: 120 s)
        assert r.status_code == 200
        assert not gate.is_set() and fake.reply_for(ev["replyToken"]) == []
    finally:
        gate.set()
        fake.reply_gate = None
    assert fake.wait_reply(ev["replyToken"])["messages"][0]["type"] == "flex"


def test_unreachable_line_api_still_answers_200(fake: FakeLine, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    srv = Server(line_env(f"sqlite:///{tmp_path / 'd.sqlite3'}", dead, tmp_path), tmp_path / "u.log")
    try:
        secret_words = "誰にも見せない" + uuid.uuid4().hex[:6]
        ev = text_event("チェック:" + secret_words, user=uid())
        assert srv.post(payload(ev), timeout=30).status_code == 200
        engine = get_engine(f"sqlite:///{tmp_path / 'd.sqlite3'}")
        assert fake.wait(lambda: _count_events(engine, ev["webhookEventId"]) == 1)
        assert fake.wait(lambda: "LINE reply failed" in (tmp_path / "u.log").read_text(errors="replace"))
        engine.dispose()
    finally:
        srv.stop()
    assert secret_words not in (tmp_path / "u.log").read_text(errors="replace")


def _count_events(engine: Engine, event_id: str) -> int:
    with engine.connect() as c:
        return int(c.scalar(select(func.count()).where(LineWebhookEvent.event_id == event_id)) or 0)


# ------------------------------------------------------------------ concurrency


def _concurrent_posts(srv: Server, fake: FakeLine, engine: Engine, n: int = 50) -> None:
    events = []
    for i in range(n):
        draft = NG_DRAFT if i % 2 else GOOD_DRAFT
        events.append((text_event("チェック:" + draft, user=uid()), draft))
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def post(ev: dict) -> None:
        with httpx.Client() as client:
            barrier.wait()
            r = srv.post(payload(ev), client=client, timeout=30)
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=post, args=(ev,)) for ev, _ in events]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * n
    expected = {GOOD_DRAFT: check(GOOD_DRAFT).verdict.headline, NG_DRAFT: check(NG_DRAFT).verdict.headline}
    for ev, draft in events:
        reply = fake.wait_reply(ev["replyToken"], timeout=60)  # exactly one reply each
        assert expected[draft] in reply["messages"][0]["altText"]
    with engine.connect() as c:
        ids = [ev["webhookEventId"] for ev, _ in events]
        assert c.scalar(select(func.count()).where(LineWebhookEvent.event_id.in_(ids))) == n
        users = [ev["source"]["userId"] for ev, _ in events]
        assert c.scalar(select(func.count()).where(LineAccount.line_user_id.in_(users))) == n


def test_50_concurrent_webhook_posts_sqlite(server: Server, fake: FakeLine, engine: Engine) -> None:
    _concurrent_posts(server, fake, engine)


@pytest.mark.postgres
def test_50_concurrent_webhook_posts_postgresql(fake: FakeLine, postgresql_url: str, tmp_path: Path) -> None:
    srv = Server(line_env(postgresql_url, fake.base, tmp_path), tmp_path / "u.log")
    engine = get_engine(postgresql_url)
    try:
        _concurrent_posts(srv, fake, engine)
    finally:
        engine.dispose()
        srv.stop()
