"""Tables of the LINE bot and the reminder worker (migration ``0002_line``).

A LINE account is a :class:`~nakanaori.store.models.User` whose ``token_hash`` is the SHA-256 of
``"line:" + userId``; everything below hangs off ``users`` with ``ON DELETE CASCADE``, so deleting that
user («データ削除») removes the conversation state, the cases, the planned steps and the reminders.
Webhook event ids and group notices carry no user data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, utcnow


class LineAccount(Base):
    """Conversation state of one LINE user (one-to-one chat)."""

    __tablename__ = "line_accounts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    step: Mapped[str] = mapped_column(String(32), default="idle")
    relationship_kind: Mapped[str | None] = mapped_column("relationship", String(16), nullable=True)
    stage: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The last advice shown (case id, relationship, stage, template texts) for 「この文面でチェック」
    # and 「リマインドして」.
    last_advice: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class LineReminder(Base):
    """A push message the user asked for. ``retry_key`` is reused on every retry of the same push."""

    __tablename__ = "line_reminders"
    __table_args__ = (Index("ix_line_reminders_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    step_id: Mapped[int | None] = mapped_column(
        ForeignKey("planned_steps.id", ondelete="SET NULL"), nullable=True, index=True
    )
    line_user_id: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    retry_key: Mapped[str] = mapped_column(String(36), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending/sent/failed/cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LineWebhookEvent(Base):
    """``webhookEventId`` of every processed event: a redelivered event is processed once."""

    __tablename__ = "line_webhook_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LineGroupNotice(Base):
    """Groups and rooms already told (once) that the bot works in one-to-one chats only."""

    __tablename__ = "line_group_notices"

    chat_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
