"""「この指摘は違う」 / 「見落としを報告」 and 「LINEで送る」 in the LINE bot (issue 13 §3–4), over real HTTP.

The web app runs under uvicorn on real SQLite and PostgreSQL; every webhook request is signed like
LINE signs it; LINE's API is the local fake (tests/line_fake.py), which records each reply — the
buttons of one reply are what the next request "taps". What is stored is read from the database
after every step: nothing until both answers are given, the text only after 「文面も送る」.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import Engine, func, select, update

from line_fake import TOKEN, FakeLine, Server, line_env, payload, postback_event, text_event
from nakanaori import check
from nakanaori.line.client import LineApi
from nakanaori.line.config import LineSettings
from nakanaori.line.feedback import MAX_CARRIED
from nakanaori.line.worker import run_once
from nakanaori.store import Feedback, PlannedStep, get_engine, make_session_factory
from nakanaori.store.line_models import LineAccount, LineReminder

NG_DRAFT = "ごめん笑 まあそんな怒らないでよw"
LONG_DRAFT = (
    "昨日は本当にごめんね。約束の時間に一時間も遅れて、寒い中ずっと待たせてしまったこと、すごく反省してる。"
    "連絡もしないまま向かっていたから、心配もかけたよね。あの日は朝から仕事のトラブルが続いていて、"
    "会社を出るのが遅くなってしまったんだけど、それでも一言連絡するべきだった。"
    "待っている間どんな気持ちだったかを考えると、本当に申し訳ない。次からは、遅れそうなときは必ず先に連絡するし、"
    "余裕をもって出るようにする。今度、埋め合わせに好きなお店でごはんをごちそうさせてね。まあそんなに怒らないでよ笑"
)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeLine]:
    f = FakeLine().start()
    yield f
    f.stop()


@pytest.fixture
def bot(db_url: str, fake: FakeLine, tmp_path: Path) -> Iterator[tuple[Server, Engine]]:
    srv = Server(line_env(db_url, fake.base, tmp_path), tmp_path / "uvicorn.log")
    engine = get_engine(db_url)
    try:
        yield srv, engine
    finally:
        srv.stop()
        engine.dispose()


def uid() -> str:
    return "U" + uuid.uuid4().hex


class Chat:
    def __init__(self, server: Server, fake: FakeLine, engine: Engine) -> None:
        self.server, self.fake, self.engine, self.user = server, fake, engine, uid()

    def send(self, ev: dict[str, Any]) -> list[dict[str, Any]]:
        assert self.server.post(payload(ev)).status_code == 200
        return list(self.fake.wait_reply(ev["replyToken"], timeout=60)["messages"])

    def say(self, text: str) -> list[dict[str, Any]]:
        return self.send(text_event(text, user=self.user))

    def tap(self, action: dict[str, Any]) -> list[dict[str, Any]]:
        assert action["type"] == "postback", action
        return self.send(postback_event(action["data"], user=self.user))

    def stored(self) -> list[Feedback]:
        with self.engine.connect() as c:
            return list(c.execute(select(Feedback).order_by(Feedback.id)).all())  # type: ignore[arg-type]

    def count(self) -> int:
        with self.engine.connect() as c:
            return int(c.scalar(select(func.count()).select_from(Feedback)) or 0)


def actions(msg: Any) -> list[dict[str, Any]]:
    """Every action in a message (buttons, quick replies, confirm templates), in order."""
    found: list[dict[str, Any]] = []
    if isinstance(msg, dict):
        if isinstance(msg.get("action"), dict):
            found.append(msg["action"])
        for key, value in msg.items():
            if key == "actions":
                found.extend(value)
            elif key != "action":
                found.extend(actions(value))
    elif isinstance(msg, list):
        for x in msg:
            found.extend(actions(x))
    return found


def button(msgs: list[dict[str, Any]], label: str) -> dict[str, Any]:
    hits = [a for a in actions(msgs) if a.get("label", "").startswith(label)]
    assert hits, (label, [a.get("label") for a in actions(msgs)])
    return hits[0]


def test_dispute_with_consent_and_text_stores_the_text_and_span(bot: tuple[Server, Engine], fake: FakeLine) -> None:
    chat = Chat(*bot[:1], fake, bot[1])
    checked = chat.say("チェック:" + NG_DRAFT)
    assert checked[0]["type"] == "flex"
    listed = chat.tap(button(checked, "この指摘は違う"))
    report = check(NG_DRAFT)
    levity = next(f for f in report.findings if f.label == "levity")
    choices = [i["action"]["label"] for i in listed[0]["quickReply"]["items"]]
    assert len(choices) == len(report.findings) + 1 and choices[-1] == "やめておく"
    consent = chat.tap(button(listed, "×軽い冗談"))
    assert consent[0]["template"]["type"] == "confirm"
    assert "軽い冗談" in consent[0]["template"]["text"]
    assert chat.count() == 0  # nothing before the answers
    ask_text = chat.tap(button(consent, "はい"))
    assert ask_text[0]["template"]["type"] == "confirm" and "文面" in ask_text[0]["template"]["text"]
    assert chat.count() == 0
    thanks = chat.tap(button(ask_text, "文面も送る"))
    assert "受け取った" in thanks[0]["text"]
    (row,) = chat.stored()
    assert (row.channel, row.kind, row.label, row.source) == ("line", "dispute", "levity", levity.rule)
    assert row.register == report.register
    assert row.text == NG_DRAFT and (row.span_start, row.span_end) == (levity.start, levity.end)


def test_dispute_with_consent_without_text_stores_no_text(bot: tuple[Server, Engine], fake: FakeLine) -> None:
    chat = Chat(bot[0], fake, bot[1])
    listed = chat.tap(button(chat.say("チェック:" + NG_DRAFT), "この指摘は違う"))
    ask_text = chat.tap(button(chat.tap(button(listed, "×軽い冗談")), "はい"))
    thanks = chat.tap(button(ask_text, "送らない"))
    assert "保存していない" in thanks[0]["text"]
    (row,) = chat.stored()
    assert (row.kind, row.label) == ("dispute", "levity") and row.source
    assert row.text is None and row.span_start is None and row.span_end is None


def test_without_consent_nothing_is_stored(bot: tuple[Server, Engine], fake: FakeLine) -> None:
    chat = Chat(bot[0], fake, bot[1])
    listed = chat.tap(button(chat.say("チェック:" + NG_DRAFT), "この指摘は違う"))
    no = chat.tap(button(chat.tap(button(listed, "×軽い冗談")), "いいえ"))
    assert "何も送らず" in no[0]["text"]
    assert chat.tap(button(listed, "やめておく"))[0]["text"] == no[0]["text"]
    missed = chat.tap(button(chat.say("チェック:" + NG_DRAFT), "見落としを報告"))
    assert "何も送らず" in chat.tap(button(chat.tap(button(missed, "反応を急かす")), "いいえ"))[0]["text"]
    assert chat.count() == 0


def test_missed_report_then_data_deletion_removes_it(bot: tuple[Server, Engine], fake: FakeLine) -> None:
    chat = Chat(bot[0], fake, bot[1])
    labels = chat.tap(button(chat.say("チェック:" + NG_DRAFT), "見落としを報告"))
    assert labels[0]["contents"]["type"] == "carousel"
    assert len([a for a in actions(labels) if a["type"] == "postback"]) == 14  # every label
    consent = chat.tap(button(labels, "反応を急かす"))
    assert "見落としていた" in consent[0]["template"]["text"]
    chat.tap(button(chat.tap(button(consent, "はい")), "文面も送る"))
    (row,) = chat.stored()
    assert (row.kind, row.label, row.source, row.text, row.span_start) == ("missed", "rushing", None, NG_DRAFT, None)
    other = Chat(bot[0], fake, bot[1])
    other.tap(button(other.tap(button(other.say("チェック:" + NG_DRAFT), "見落としを報告")), "言い訳"))
    assert chat.count() == 1  # the other user did not answer yet
    assert "削除" in chat.say("データ削除")[0]["text"]
    assert chat.count() == 0


def test_a_long_draft_is_not_carried_and_its_feedback_has_no_text(bot: tuple[Server, Engine], fake: FakeLine) -> None:
    assert len(LONG_DRAFT) > MAX_CARRIED
    chat = Chat(bot[0], fake, bot[1])
    checked = chat.say("チェック:" + LONG_DRAFT)
    for a in actions(checked):
        if a["type"] == "postback":
            assert "立て込んで" not in a["data"] and len(a["data"]) <= 300
    listed = chat.tap(button(checked, "この指摘は違う"))
    consent = chat.tap(button(listed, "×軽い冗談"))
    assert "長いので" in consent[0]["template"]["text"]
    thanks = chat.tap(button(consent, "はい"))  # no second question: the text cannot go along
    assert "文面は送らず" in thanks[0]["text"]
    (row,) = chat.stored()
    assert (row.label, row.text, row.span_start) == ("levity", None, None) and row.source


def test_line_de_okuru_shares_the_checked_text_and_the_templates(bot: tuple[Server, Engine], fake: FakeLine) -> None:
    chat = Chat(bot[0], fake, bot[1])
    draft = "昨日はごめんね😢 話を聞いてくれてありがとう。#次から&気をつける"
    checked = chat.say("チェック:" + draft)
    share = checked[0]["quickReply"]["items"][0]["action"]
    assert share["type"] == "uri" and share["label"] == "LINEで送る"
    assert share["uri"].startswith("https://line.me/R/share?text=")
    assert unquote(share["uri"].split("text=", 1)[1]) == draft
    assert "#" not in share["uri"] and "&" not in share["uri"].split("?", 1)[1].replace("text=", "", 1)
    chat.say("相談する")
    chat.tap({"type": "postback", "data": "a=rel&v=friend"})
    advice = chat.tap({"type": "postback", "data": "a=stage&v=cold"})
    bubbles = advice[0]["contents"]["contents"][1:]
    assert bubbles
    for bubble in bubbles:
        tpl = bubble["body"]["contents"][0]["text"]
        uris = [a["uri"] for a in actions(bubble) if a["type"] == "uri"]
        assert [unquote(u.split("text=", 1)[1]) for u in uris] == [tpl]
    too_long = "ごめんね。" * 30  # 150 characters: 1,350 once URL-encoded, over LINE's 1,000
    assert not [a for a in actions(chat.say("チェック:" + too_long)) if a["type"] == "uri"]


def test_stale_or_forged_feedback_data_is_answered_and_stores_nothing(
    bot: tuple[Server, Engine], fake: FakeLine
) -> None:
    chat = Chat(bot[0], fake, bot[1])
    for data in (
        "a=fbd&s=save&i=7&x=1&t=" + NG_DRAFT,  # no finding 7
        "a=fbm&s=save&l=sarcasm&x=1&t=" + NG_DRAFT,
        "a=fbd&s=save&i=0&x=1&t=",
        "a=fbd&s=save&i=0&x=1&t=" + "あ" * 400,
        "a=fbd&s=save&i=0&x=1&g=casual&f=",
        "a=fbm&s=what",
    ):
        reply = chat.send(postback_event(data, user=chat.user))
        assert "読み取れなかった" in json.dumps(reply, ensure_ascii=False), data
    assert chat.count() == 0


def test_a_reminder_offers_its_example_and_marks_the_step_sent(bot: tuple[Server, Engine], fake: FakeLine) -> None:
    chat = Chat(bot[0], fake, bot[1])
    chat.say("相談する")
    chat.tap({"type": "postback", "data": "a=rel&v=friend"})
    chat.tap({"type": "postback", "data": "a=stage&v=just_apologized"})
    chat.say("リマインドして")
    engine = bot[1]
    with engine.connect() as c:
        rid, step_id, template = c.execute(
            select(LineReminder.id, PlannedStep.id, PlannedStep.template)
            .join(PlannedStep, PlannedStep.id == LineReminder.step_id)
            .join(LineAccount, LineAccount.user_id == LineReminder.user_id)
            .where(LineAccount.line_user_id == chat.user, PlannedStep.template != "")
            .order_by(LineReminder.due_at)
        ).first()
    with engine.begin() as c:  # it is due now
        c.execute(update(LineReminder).where(LineReminder.id == rid).values(due_at=dt.datetime.now(dt.UTC)))
    api = LineApi(LineSettings(channel_secret="s", access_token=TOKEN, api_base=fake.base))
    try:
        assert run_once(make_session_factory(engine), api).sent == 1
    finally:
        api.close()
    (push,) = [r for r in fake.find("/v2/bot/message/push") if r.body["to"] == chat.user]
    msg = push.body["messages"][0]
    assert msg["text"].startswith("【仲直り リマインド】") and template in msg["text"]
    share, sent = (i["action"] for i in msg["quickReply"]["items"])
    assert share["type"] == "uri" and unquote(share["uri"].split("text=", 1)[1]) == template
    assert sent == {"type": "postback", "label": "送ったよ", "data": f"a=sent&id={step_id}", "displayText": "送ったよ"}

    stranger = Chat(bot[0], fake, bot[1])
    assert "見つからなかった" in stranger.tap(sent)[0]["text"]  # not their step
    with make_session_factory(engine)() as s:
        assert s.get(PlannedStep, step_id).sent_at is None  # type: ignore[union-attr]
    assert "記録しておいた" in chat.tap(sent)[0]["text"]
    with make_session_factory(engine)() as s:
        step = s.get(PlannedStep, step_id)
        assert step is not None and step.sent_at is not None and step.done
