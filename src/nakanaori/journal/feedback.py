"""Feedback from users — the loop that keeps the analyser honest (issue 13 §4).

「この指摘は違う」 (``dispute``: a finding the user says is wrong) and 「見落としを報告」 (``missed``: a label the
user says the analyser did not see), from the web app and the LINE bot alike. The interfaces ask for an
explicit yes first and then whether the message may go with it; :func:`record_feedback` is called only
after that yes and stores the text (and the words it points at) only when the user said so.

:func:`export_records` turns the rows into records in the corpus format (``corpus/README.md``, "User
feedback") for a person to review; :func:`feedback_stats` counts, per rule id and per model label, how
often users disputed it and, per label, how often they reported it missed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InputError
from ..labels import LABELS, Register, Relationship, Stage
from ..store import Feedback, User
from ..store.feedback_models import FEEDBACK_CHANNELS, FEEDBACK_KINDS

MODEL_SOURCE = "model"
STATS_FORMAT = "nakanaori-feedback-stats/1"


def _choice(value: str | None, allowed: tuple[str, ...] | list[str], field_name: str, what: str) -> str | None:
    if value is None or value in allowed:
        return value
    raise InputError(
        "bad_option",
        f"{what}の指定が正しくありません。{'、'.join(allowed)} から選んでください。",
        f"unknown {field_name}",
        field=field_name,
    )


def record_feedback(
    session: Session,
    user: User,
    *,
    channel: str,
    kind: str,
    label: str,
    register: str | None,
    source: str | None = None,
    relationship: str | None = None,
    stage: str | None = None,
    text: str | None = None,
    span: tuple[int, int] | None = None,
) -> Feedback:
    """Store one piece of feedback the user agreed to send. *text* is the message when — and only
    when — the user agreed to share it (pass ``None`` otherwise); *span* is kept only with the text
    and must lie inside it. Raises :class:`InputError` (``bad_option``, ``bad_span``, ``bad_source``)."""
    _choice(channel, FEEDBACK_CHANNELS, "channel", "経路")
    _choice(kind, FEEDBACK_KINDS, "kind", "種類(kind)")
    _choice(label, LABELS, "label", "ラベル")
    _choice(register, [r.value for r in Register], "register", "文体")
    _choice(relationship, [r.value for r in Relationship], "relationship", "関係")
    _choice(stage, [s.value for s in Stage], "stage", "状況")
    if kind == "missed" and source is not None:
        raise InputError(
            "bad_source",
            "「見落としを報告」には指摘の出どころ(source)はありません。source は null にしてください。",
            "source must be null for a missed report",
            field="source",
        )
    start = end = None
    if text is not None and span is not None:
        start, end = span
        if not 0 <= start < end <= len(text):
            raise InputError(
                "bad_span",
                f"選んだ範囲(span)が本文の外です。0 ≦ 開始 < 終了 ≦ {len(text)}(文字数)にしてください。",
                "span outside the text",
                field="span",
            )
    row = Feedback(
        user_id=user.id,
        channel=channel,
        kind=kind,
        label=label,
        source=source,
        register=register,
        relationship_kind=relationship,
        stage=stage,
        text=text,
        span_start=start,
        span_end=end,
    )
    session.add(row)
    session.flush()
    return row


def utc_iso(x: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC (SQLite hands stored times back without their zone; they were stored as UTC)."""
    if x is None:
        return None
    return (x if x.tzinfo else x.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).isoformat()


def user_feedback(session: Session, user_id: int) -> list[dict[str, Any]]:
    """The user's own feedback rows, for the journal export (everything stored, nothing more)."""
    rows = session.scalars(select(Feedback).where(Feedback.user_id == user_id).order_by(Feedback.id))
    return [
        {
            "id": r.id,
            "channel": r.channel,
            "kind": r.kind,
            "label": r.label,
            "source": r.source,
            "register": r.register,
            "relationship": r.relationship_kind,
            "stage": r.stage,
            "text": r.text,
            "span": [r.span_start, r.span_end] if r.span_start is not None else None,
            "created_at": utc_iso(r.created_at),
        }
        for r in rows
    ]


def export_record(row: Feedback) -> dict[str, Any]:
    """One feedback row as a corpus-format record for a reviewer (see ``corpus/README.md``).

    ``labels``/``spans`` say what the user asserts is in the message (a missed label); ``disputed`` says
    what the user asserts is not there (the disputed label, at the finding's span). Both are partial —
    the user spoke about one label — so ``review`` is ``"pending"``: a person labels the whole message
    before it joins the corpus. A row stored without the text has ``"text": null`` and
    ``"text_included": false``: it counts in the statistics but can never become a corpus record."""
    has_text = row.text is not None
    span = [[row.span_start, row.span_end]] if has_text and row.span_start is not None else []
    labels = [row.label] if row.kind == "missed" else []
    return {
        "id": f"fb-{row.id:06d}",
        "text": row.text,
        "text_included": has_text,
        "relationship": row.relationship_kind,
        "register": row.register,
        "labels": labels,
        "spans": {row.label: span} if row.kind == "missed" and span else {},
        "disputed": {row.label: span} if row.kind == "dispute" else {},
        "kind": row.kind,
        "label": row.label,
        "source": row.source,
        "stage": row.stage,
        "channel": row.channel,
        "created_at": utc_iso(row.created_at),
        "review": "pending",
    }


def export_records(session: Session) -> Iterator[dict[str, Any]]:
    """Every feedback row of every user, oldest first, as :func:`export_record` (no user identity)."""
    for row in session.scalars(select(Feedback).order_by(Feedback.id)).yield_per(500):
        yield export_record(row)


@dataclass
class SourceCount:
    source: str  # a rule id, "model", or "unknown"
    label: str
    disputed: int
    with_text: int


@dataclass
class FeedbackStats:
    total: int = 0
    with_text: int = 0
    disputes: list[SourceCount] = field(default_factory=list)  # most disputed first
    missed: dict[str, int] = field(default_factory=dict)  # label -> reports, every label listed

    def as_json(self) -> dict[str, Any]:
        return {
            "format": STATS_FORMAT,
            "total": self.total,
            "with_text": self.with_text,
            "disputed": [
                {"source": d.source, "label": d.label, "disputed": d.disputed, "with_text": d.with_text}
                for d in self.disputes
            ],
            "missed": self.missed,
        }


def feedback_stats(session: Session) -> FeedbackStats:
    """How often users disputed each rule (and the model, per label) and reported each label missed."""
    stats = FeedbackStats()
    has_text = func.count(Feedback.text)
    stats.total, stats.with_text = session.execute(select(func.count(Feedback.id), has_text)).one()
    rows = session.execute(
        select(Feedback.source, Feedback.label, func.count(Feedback.id), has_text)
        .where(Feedback.kind == "dispute")
        .group_by(Feedback.source, Feedback.label)
    ).all()
    stats.disputes = sorted(
        (SourceCount(source or "unknown", label, n, t) for source, label, n, t in rows),
        key=lambda d: (-d.disputed, d.source != MODEL_SOURCE, d.source, LABELS.index(d.label)),
    )
    counts = dict(
        session.execute(
            select(Feedback.label, func.count(Feedback.id)).where(Feedback.kind == "missed").group_by(Feedback.label)
        ).all()
    )
    stats.missed = {label: int(counts.get(label, 0)) for label in LABELS}
    return stats
