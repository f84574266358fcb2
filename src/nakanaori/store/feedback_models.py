"""What users tell us about the analyser (migration ``0003_feedback``): 「この指摘は違う」 (``dispute``) and
「見落としを報告」 (``missed``), from the web app and the LINE bot.

A row is written only after the user said yes. Without the user's second yes to sharing the message,
it holds the label, the kind, the source of the finding (a rule id, ``model``, or none), the register,
the relationship and stage when known, the channel and the time — never the text, never a span. Rows
hang off ``users`` (``ON DELETE CASCADE``) and :func:`nakanaori.journal.forget_users` deletes them
explicitly: "delete all" leaves no feedback behind.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, utcnow

FEEDBACK_KINDS = ("dispute", "missed")
FEEDBACK_CHANNELS = ("web", "line")


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (Index("ix_feedback_kind_label", "kind", "label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # web | line
    kind: Mapped[str] = mapped_column(String(16))  # dispute | missed
    label: Mapped[str] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(64), nullable=True)  # rule id | "model" | None
    register: Mapped[str | None] = mapped_column(String(16), nullable=True)
    relationship_kind: Mapped[str | None] = mapped_column("relationship", String(16), nullable=True)
    stage: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Only with the user's explicit yes to sharing the message; the span only with the text.
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    span_start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    span_end: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
