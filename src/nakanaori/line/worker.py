"""The reminder worker: push due reminders exactly once.

Each reminder is claimed in its own transaction with
``UPDATE … WHERE id = (SELECT id … FOR UPDATE SKIP LOCKED LIMIT 1)``: on PostgreSQL concurrent workers
skip each other's rows; on SQLite the UPDATE takes the database write lock, so workers take turns.
The push carries the reminder's stored ``X-Line-Retry-Key`` and the row is marked sent in the same
transaction. A worker killed after LINE accepted a push but before its commit leaves the row pending;
the next claim pushes again with the same key and LINE answers 409 ("already accepted"), which is
recorded as sent — so the user gets it once. Transient failures (5xx, 429, connection errors) are
retried with exponential backoff, first in place, then on a later run (``next_attempt_at``).
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ..store.line_models import LineReminder
from ..store.models import PlannedStep
from . import flex
from .client import LineApi, PushResult

log = logging.getLogger("nakanaori.line.worker")

MAX_ATTEMPTS = 8  # runs with a transient failure before a reminder is given up (status "failed")


@dataclass
class WorkerStats:
    sent: int = 0
    duplicate: int = 0  # LINE had already accepted the retry key (a retry after a crash)
    retried: int = 0
    failed: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.duplicate + self.failed


@dataclass
class Backoff:
    """In-place retries of one push, then a delay before the next run may try again."""

    tries: int = 3
    base: float = 0.2  # seconds: 0.2, 0.4, 0.8 … between in-place tries
    later: float = 60.0  # seconds × 2**attempts before a later run tries again (capped at 6 h)

    def pause(self, k: int) -> float:
        return float(self.base * (2**k))

    def next_run(self, attempts: int) -> dt.timedelta:
        return dt.timedelta(seconds=min(self.later * (2 ** max(attempts - 1, 0)), 6 * 3600))


def _claim(s: Session, now: dt.datetime) -> Any:
    due = (
        select(LineReminder.id)
        .where(
            LineReminder.status == "pending",
            LineReminder.due_at <= now,
            or_(LineReminder.next_attempt_at.is_(None), LineReminder.next_attempt_at <= now),
        )
        .order_by(LineReminder.due_at, LineReminder.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    return s.execute(
        update(LineReminder)
        .where(LineReminder.id == due, LineReminder.status == "pending")
        .values(attempts=LineReminder.attempts + 1)
        .returning(
            LineReminder.id,
            LineReminder.line_user_id,
            LineReminder.text,
            LineReminder.retry_key,
            LineReminder.attempts,
            LineReminder.step_id,
        )
    ).first()


def _push_with_backoff(
    api: LineApi, to: str, message: flex.Msg, key: str, backoff: Backoff, sleep: Callable[[float], None]
) -> PushResult:
    result = PushResult("transient")
    for k in range(backoff.tries):
        result = api.push(to, [message], key)
        if result.outcome != "transient":
            return result
        if k + 1 < backoff.tries:
            sleep(backoff.pause(k))
    return result


def run_once(
    sessions: sessionmaker[Session],
    api: LineApi,
    *,
    limit: int | None = None,
    backoff: Backoff | None = None,
    now: Callable[[], dt.datetime] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    should_stop: Callable[[], bool] = lambda: False,
) -> WorkerStats:
    """Send every reminder due now (at most *limit*); return what happened."""
    backoff = backoff or Backoff()
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    stats = WorkerStats()
    while (limit is None or stats.handled + stats.retried < limit) and not should_stop():
        with sessions() as s, s.begin():
            t = clock()
            row = _claim(s, t)
            if row is None:
                break
            rid, to, body, key, attempts, step_id = row
            template = s.scalar(select(PlannedStep.template).where(PlannedStep.id == step_id)) if step_id else None
            message = flex.reminder_message(body, step_id, template or "")
            result = _push_with_backoff(api, to, message, key, backoff, sleep)
            values: dict[str, Any]
            if result.outcome in ("sent", "duplicate"):
                values = {"status": "sent", "sent_at": clock(), "last_error": None, "next_attempt_at": None}
                if result.outcome == "sent":
                    stats.sent += 1
                else:
                    stats.duplicate += 1
            elif result.outcome == "permanent" or attempts >= MAX_ATTEMPTS:
                values = {"status": "failed", "last_error": result.error}
                stats.failed += 1
                log.warning("reminder %s failed for good: %s", rid, result.error)
            else:
                values = {"last_error": result.error, "next_attempt_at": clock() + backoff.next_run(attempts)}
                stats.retried += 1
                log.info("reminder %s: LINE unavailable (%s), will retry", rid, result.error)
            s.execute(update(LineReminder).where(LineReminder.id == rid).values(**values))
    return stats


def run_forever(
    sessions: sessionmaker[Session],
    api: LineApi,
    *,
    interval: float = 30.0,
    backoff: Backoff | None = None,
    on_batch: Callable[[WorkerStats], None] | None = None,
) -> None:
    """Loop: send what is due, sleep *interval* seconds; stops cleanly on SIGTERM / SIGINT."""
    stopping = False

    def stop(_sig: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    while not stopping:
        stats = run_once(sessions, api, backoff=backoff, should_stop=lambda: stopping)
        if on_batch is not None:
            on_batch(stats)
        waited = 0.0
        while waited < interval and not stopping:
            time.sleep(min(0.5, interval - waited))
            waited += 0.5
