"""What the bot answers: one LINE event in, reply messages out, per-user state in the database.

Called inside one database transaction per event (see :mod:`nakanaori.line.webhook`); it never calls
LINE itself. Domain work is delegated to the core through :mod:`nakanaori.line.core`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from linebot.v3.webhooks import (
    AudioMessageContent,
    FileMessageContent,
    FollowEvent,
    GroupSource,
    ImageMessageContent,
    JoinEvent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
    VideoMessageContent,
)
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import MAX_TEXT_CHARS, InputError, validate_text
from ..journal import Journal, NotFound, forget_users, today_tokyo
from ..journal.feedback import record_feedback
from ..labels import Relationship, Stage
from ..store.line_models import LineAccount, LineGroupNotice, LineReminder
from ..store.models import User
from . import core, flex
from . import feedback as fb
from .flex import Msg

log = logging.getLogger("nakanaori.line")

REMIND_HOUR = 12  # the reminder of a planned day arrives around noon (JST) ...
LATE_REMIND_HOUR = 20  # ... or in the evening when the user asked after noon on that very day

CHECK_PREFIX = re.compile(r"^\s*(?:チェック|check|下書き)\s*[::]\s*", re.IGNORECASE)
CONSULT_WORDS = {"相談する", "相談", "相談したい", "ほかの状況で相談"}
CHECK_WORDS = {"下書きをチェック", "チェック", "下書きチェック", "もう一度チェック", "チェックして"}
REMINDER_LIST_WORDS = {"予定を見る", "予定", "リマインド一覧", "リマインドを見る", "予定を確認"}
HELP_WORDS = {"使い方", "ヘルプ", "help", "つかいかた", "メニュー"}
REMIND_WORDS = {"リマインドして", "リマインド", "リマインドお願い"}
DELETE_WORDS = {"データ削除", "データを削除", "データを削除して", "データ削除して"}


@dataclass
class Reply:
    """What to send back for one event: reply-token messages (at most 5)."""

    reply_token: str | None
    messages: list[Msg] = field(default_factory=list)


def line_token_hash(line_user_id: str) -> str:
    return hashlib.sha256(f"line:{line_user_id}".encode()).hexdigest()


def _command(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"[!！。.?？\s]+$", "", t)


def source_user_id(event: Any) -> str | None:
    src = getattr(event, "source", None)
    return src.user_id if isinstance(src, UserSource) else None


def is_group_event(event: Any) -> bool:
    return isinstance(getattr(event, "source", None), GroupSource | RoomSource)


def needs_work(event: Any) -> bool:
    """Events whose answer takes a moment (analysis): show the loading animation first."""
    if source_user_id(event) is None:
        return False
    if isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
        return len(event.message.text) <= MAX_TEXT_CHARS
    if isinstance(event, PostbackEvent):
        return (event.postback.data or "").startswith(("a=stage", "a=tpl", "a=remind", "a=fbd", "a=fbm"))
    return False


class Conversation:
    """The bot's behaviour. ``today`` is injectable for tests of dated plans."""

    def __init__(self, session: Session, *, now: dt.datetime | None = None) -> None:
        self.s = session
        self.now = now or dt.datetime.now(dt.UTC)

    @property
    def today(self) -> dt.date:
        return today_tokyo(self.now)

    # ------------------------------------------------------------ dispatch

    def handle(self, event: Any, raw: dict[str, Any]) -> Reply | None:
        token = getattr(event, "reply_token", None) or raw.get("replyToken")
        if str(raw.get("mode", "active")) == "standby":
            return None  # another channel is answering this chat
        if is_group_event(event) or raw.get("source", {}).get("type") in ("group", "room"):
            return self._group(event, raw, token)
        uid = source_user_id(event) or raw.get("source", {}).get("userId")
        if not uid:
            return None
        if isinstance(event, UnfollowEvent):
            self._cancel_pending(uid)
            return None
        if not token:
            return None
        if isinstance(event, FollowEvent):
            self._account(uid)
            return Reply(token, [flex.text(flex.GREETING, quick=flex.menu_quick_reply())])
        if isinstance(event, PostbackEvent):
            return Reply(token, self._postback(self._account(uid), event.postback.data or ""))
        if isinstance(event, MessageEvent):
            msg = event.message
            if isinstance(msg, TextMessageContent):
                return Reply(token, self._text(uid, msg.text))
            if isinstance(msg, StickerMessageContent):
                return Reply(token, [flex.text(flex.STICKER, quick=flex.menu_quick_reply())])
            if isinstance(msg, ImageMessageContent):
                return Reply(token, [flex.text(flex.IMAGE)])
            if isinstance(msg, VideoMessageContent | AudioMessageContent | FileMessageContent | LocationMessageContent):
                return Reply(token, [flex.text(flex.OTHER_MEDIA)])
        if raw.get("type") == "message":  # a message type this SDK version does not know
            return Reply(token, [flex.text(flex.OTHER_MEDIA)])
        return None  # other events (unsend, beacon, …): nothing to say

    # ------------------------------------------------------------ groups

    def _group(self, event: Any, raw: dict[str, Any], token: str | None) -> Reply | None:
        src = raw.get("source", {})
        chat_id = src.get("groupId") or src.get("roomId")
        if not token or not chat_id:
            return None
        if not (isinstance(event, JoinEvent | MessageEvent) or raw.get("type") in ("join", "message")):
            return None
        if self.s.get(LineGroupNotice, chat_id) is not None:
            return None
        try:
            with self.s.begin_nested():
                self.s.add(LineGroupNotice(chat_id=chat_id))
        except IntegrityError:
            return None  # a concurrent event of the same group already explained it
        return Reply(token, [flex.text(flex.GROUP_NOTICE)])

    # ------------------------------------------------------------ accounts

    def _find(self, uid: str) -> LineAccount | None:
        return self.s.scalars(select(LineAccount).where(LineAccount.line_user_id == uid)).first()

    def _journal(self, acct: LineAccount) -> Journal:
        user = self.s.get(User, acct.user_id)
        if user is None:  # the account row outlived its user: cannot happen with the foreign key
            raise LookupError(acct.user_id)
        return Journal(self.s, user)

    def _account(self, uid: str) -> LineAccount:
        acct = self._find(uid)
        if acct is not None:
            return acct
        try:
            with self.s.begin_nested():
                user = self.s.scalars(select(User).where(User.token_hash == line_token_hash(uid))).first()
                if user is None:
                    user = User(token_hash=line_token_hash(uid), csrf_token=secrets.token_hex(16))
                    self.s.add(user)
                    self.s.flush()
                acct = LineAccount(user_id=user.id, line_user_id=uid, step="idle")
                self.s.add(acct)
                self.s.flush()
        except IntegrityError:  # created by a concurrent event of the same user
            acct = self._find(uid)
            if acct is None:
                raise
        return acct

    # ------------------------------------------------------------ text

    def _text(self, uid: str, body: str) -> list[Msg]:
        if len(body) > MAX_TEXT_CHARS:
            return [flex.text(flex.too_long(len(body), MAX_TEXT_CHARS))]
        cmd = _command(body)
        if cmd in DELETE_WORDS:
            return self._delete(uid)
        acct = self._account(uid)
        if cmd in CONSULT_WORDS:
            acct.step, acct.relationship_kind, acct.stage = "await_relationship", None, None
            return [flex.relationship_question()]
        if cmd in CHECK_WORDS:
            acct.step = "await_draft"
            return [flex.text(flex.ASK_DRAFT)]
        if cmd in REMINDER_LIST_WORDS:
            return [self._reminder_list(acct)]
        if cmd in HELP_WORDS:
            return [flex.text(flex.HELP, quick=flex.menu_quick_reply())]
        if cmd in REMIND_WORDS:
            return self._remind(acct)
        m = CHECK_PREFIX.match(body)
        if m:
            acct.step = "idle"
            return [self._check(body[m.end() :], acct)]
        if acct.step == "await_draft":
            acct.step = "idle"
            return [self._check(body, acct)]
        return self._consult(acct, body)

    def _check(self, draft: str, acct: LineAccount) -> Msg:
        from ..check import checker

        try:
            validate_text(draft, what="文面")
        except InputError as exc:
            return flex.text(flex.empty_text() if exc.code == "empty" else exc.message_ja)
        rel = (acct.last_advice or {}).get("relationship")
        stage = (acct.last_advice or {}).get("stage")  # the verdict is for the stage the user consulted about
        report = checker.check(draft, relationship=rel, stage=stage)
        return flex.check_message(report, fb.feedback_buttons(report))

    # ------------------------------------------------------------ consult

    def _consult(self, acct: LineAccount, situation: str | None) -> list[Msg]:
        if situation is not None:
            try:
                validate_text(situation, what="相談の内容")
            except InputError as exc:
                return [flex.text(exc.message_ja)]
        try:
            view = core.advise_view(situation, acct.relationship_kind, acct.stage)
        except InputError as exc:
            if exc.code != "no_situation":
                return [flex.text(exc.message_ja)]
            acct.step = "await_relationship"
            return [flex.relationship_question(flex.NO_SITUATION)]
        if view.relationship is None:
            acct.step, acct.stage = "await_relationship", view.stage
            return [flex.relationship_question("もう少しだけ教えてね。")]
        if view.stage is None:
            acct.step, acct.relationship_kind = "await_stage", view.relationship
            return [flex.stage_question(view.relationship)]
        apologized_on = None
        if view.days_since_apology is not None and 0 <= view.days_since_apology < 3650:
            apologized_on = self.today - dt.timedelta(days=view.days_since_apology)
        case = self._journal(acct).create_case(
            relationship=view.relationship,
            stage=view.stage,
            title=f"LINEでの相談:{view.title}"[:200],
            what_happened="",  # the user's own words are not kept
            apologized_on=apologized_on,
        )
        self.s.flush()
        acct.last_advice = {
            "case_id": case.id,
            "relationship": view.relationship,
            "stage": view.stage,
            "templates": view.templates,
            "apologized_on": (apologized_on or self.today).isoformat(),
            "reminded": False,
        }
        acct.step, acct.relationship_kind, acct.stage = "idle", None, None
        return [flex.advice_message(view)]

    # ------------------------------------------------------------ postbacks

    def _postback(self, acct: LineAccount, data: str) -> list[Msg]:
        q = {k: v[0] for k, v in parse_qs(data).items() if v}
        action = q.get("a")
        if action == "rel" and q.get("v") in Relationship.__members__:
            acct.relationship_kind = q["v"]
            if acct.stage:
                return self._consult(acct, None)
            acct.step = "await_stage"
            return [flex.stage_question(acct.relationship_kind)]
        if action == "stage" and q.get("v") in Stage.__members__:
            acct.stage = q["v"]
            if not acct.relationship_kind:
                acct.step = "await_relationship"
                return [flex.relationship_question()]
            return self._consult(acct, None)
        if action == "tpl":
            templates = (acct.last_advice or {}).get("templates") or []
            i = int(q["i"]) if (q.get("i") or "").isdigit() else -1
            if 0 <= i < len(templates):
                return [self._check(templates[i], acct)]
            return [flex.text("その文面はもう見つからなかったよ。もう一度「相談する」から始めてね。")]
        if action == "remind":
            return self._remind(acct)
        if action == "cancel" and (q.get("id") or "").isdigit():
            return self._cancel(acct, int(q["id"]))
        if action in ("fbd", "fbm", "fbx"):
            return self._feedback(acct, data)
        if action == "sent" and (q.get("id") or "").isdigit():
            return self._step_sent(acct, int(q["id"]))
        return [flex.text(flex.HELP, quick=flex.menu_quick_reply())]

    def _step_sent(self, acct: LineAccount, step_id: int) -> list[Msg]:
        """「送ったよ」 under a reminder: the journal marks the planned step as sent (the user's own only)."""
        try:
            self._journal(acct).mark_step_sent(step_id)
        except NotFound:
            return [flex.text("その予定はもう見つからなかったよ。", quick=flex.menu_quick_reply())]
        return [flex.text(flex.STEP_SENT, quick=flex.menu_quick_reply())]

    # ------------------------------------------------------------ feedback (この指摘は違う / 見落としを報告)

    def _feedback(self, acct: LineAccount, data: str) -> list[Msg]:
        """Nothing is stored before the two answers (send? with the text?); see :mod:`.feedback`."""
        q = fb.decode(data)
        if q.get("a") == "fbx":
            return [flex.text(fb.CANCELLED, quick=flex.menu_quick_reply())]
        kind = "dispute" if q.get("a") == "fbd" else "missed"
        step = q.get("s")
        if step == "pick":
            return fb.pick_finding(q) if kind == "dispute" else fb.pick_label(q)
        if step == "ok":
            return fb.ask_consent(kind, q)
        if step == "txt":
            return fb.ask_text(kind, q)
        what = fb.to_store(kind, q) if step == "save" else None
        if what is None:
            return [flex.text(fb.STALE, quick=flex.menu_quick_reply())]
        user = self._journal(acct).user
        record_feedback(
            self.s,
            user,
            channel="line",
            kind=what.kind,
            label=what.label,
            source=what.source,
            register=what.register,
            relationship=what.relationship,
            text=what.text,
            span=what.span,
        )
        return [flex.text(what.note, quick=flex.menu_quick_reply())]

    # ------------------------------------------------------------ reminders

    def _due_at(self, day: dt.date) -> dt.datetime | None:
        for hour in (REMIND_HOUR, LATE_REMIND_HOUR):
            when = dt.datetime.combine(day, dt.time(hour), tzinfo=core.JST)
            if when > self.now:
                return when
        return None

    def _pending(self, acct: LineAccount) -> list[LineReminder]:
        return list(
            self.s.scalars(
                select(LineReminder)
                .where(LineReminder.user_id == acct.user_id, LineReminder.status == "pending")
                .order_by(LineReminder.due_at, LineReminder.id)
            )
        )

    def _reminder_list(self, acct: LineAccount, lead: str = "") -> Msg:
        items = [(r.id, r.due_at, r.title) for r in self._pending(acct)]
        if not items:
            return flex.text((lead + "\n" if lead else "") + flex.NO_REMINDERS, quick=flex.menu_quick_reply())
        return flex.reminders_message(items, lead=lead)

    def _remind(self, acct: LineAccount) -> list[Msg]:
        adv = acct.last_advice
        if not adv:
            return [flex.text(flex.NEED_ADVICE_FIRST, quick=flex.menu_quick_reply())]
        if adv.get("reminded"):
            return [self._reminder_list(acct, "この相談のリマインドは、もう登録してあるよ。")]
        journal = self._journal(acct)
        try:
            case = journal.case(int(adv["case_id"]))
        except NotFound:  # the case was deleted since: advice first
            return [flex.text(flex.NEED_ADVICE_FIRST, quick=flex.menu_quick_reply())]
        apologized_on = dt.date.fromisoformat(adv["apologized_on"])
        steps = core.plan_steps(adv["relationship"], adv["stage"], apologized_on, self.today)
        made = 0
        for step in steps:
            due = self._due_at(step.date)
            if due is None:
                continue
            planned = journal.add_step(
                case, step.date, step.title[:200], kind=step.kind[:32], reason=step.reason, template=step.template
            )
            self.s.flush()
            self.s.add(
                LineReminder(
                    user_id=acct.user_id,
                    step_id=planned.id,
                    line_user_id=acct.line_user_id,
                    due_at=due,
                    title=step.title[:200],
                    text=flex.reminder_push_text(step.title, step.reason, step.template),
                    retry_key=str(uuid.uuid4()),
                )
            )
            made += 1
        acct.last_advice = {**adv, "reminded": True}
        self.s.flush()
        if not made:
            return [flex.text("この状況では、いまリマインドする予定は特にないみたい。焦らずいこうね。")]
        lead = f"リマインドを{made}件登録したよ。その日のお昼ごろ、このトークでお知らせするね。"
        return [self._reminder_list(acct, lead)]

    def _cancel(self, acct: LineAccount, reminder_id: int) -> list[Msg]:
        res = self.s.execute(
            update(LineReminder)
            .where(
                LineReminder.id == reminder_id,
                LineReminder.user_id == acct.user_id,  # only the user's own reminders
                LineReminder.status == "pending",
            )
            .values(status="cancelled")
        )
        done = bool(getattr(res, "rowcount", 0))
        lead = "リマインドを取り消したよ。" if done else "そのリマインドは、もう予定に入っていないよ。"
        return [self._reminder_list(acct, lead)]

    def _cancel_pending(self, uid: str) -> None:
        acct = self._find(uid)
        if acct is not None:
            self.s.execute(
                update(LineReminder)
                .where(LineReminder.user_id == acct.user_id, LineReminder.status == "pending")
                .values(status="cancelled")
            )

    # ------------------------------------------------------------ deletion

    def _delete(self, uid: str) -> list[Msg]:
        user_ids = set(self.s.scalars(select(LineAccount.user_id).where(LineAccount.line_user_id == uid)))
        user_ids |= set(self.s.scalars(select(User.id).where(User.token_hash == line_token_hash(uid))))
        forget_users(self.s, user_ids)  # the journal service keeps the privacy promise for both channels
        return [flex.text(flex.DELETED)]
