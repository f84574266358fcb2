"""The reminder worker against a real database and the fake LINE API (real HTTP).

Delivery is counted at the fake server by ``X-Line-Retry-Key``: a key it has accepted once is
answered 409 and not delivered again, like LINE does, so ``accepted_keys[k] == 1`` for every key means
each user got each reminder exactly once.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, insert, select

from line_fake import TOKEN, FakeLine, line_env
from nakanaori.line.client import LineApi
from nakanaori.line.config import LineSettings
from nakanaori.line.worker import run_once
from nakanaori.store import get_engine, make_session_factory, upgrade_to_head
from nakanaori.store.line_models import LineReminder
from nakanaori.store.models import User

NAKANAORI = str(Path(sys.executable).with_name("nakanaori"))


@pytest.fixture
def fake() -> Iterator[FakeLine]:
    f = FakeLine().start()
    yield f
    f.stop()


def prepared(url: str) -> Engine:
    engine = get_engine(url)
    upgrade_to_head(engine)
    return engine


def add_reminders(
    engine: Engine, n: int, *, due_in: dt.timedelta = dt.timedelta(minutes=-1), users: int = 20
) -> list[str]:
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as c:
        ids = []
        for _ in range(users):
            res = c.execute(
                insert(User).values(token_hash=uuid.uuid4().hex * 2, csrf_token="x", created_at=now, last_seen_at=now)
            )
            ids.append(res.inserted_primary_key[0])
        rows = [
            {
                "user_id": ids[i % users],
                "line_user_id": f"U{ids[i % users]:032d}",
                "due_at": now + due_in,
                "title": f"リマインド {i}",
                "text": f"【仲直り リマインド】{i}",
                "retry_key": str(uuid.uuid4()),
                "status": "pending",
                "attempts": 0,
                "created_at": now,
            }
            for i in range(n)
        ]
        c.execute(insert(LineReminder), rows)
    return [r["retry_key"] for r in rows]


def statuses(engine: Engine) -> dict[str, int]:
    with engine.connect() as c:
        return dict(c.execute(select(LineReminder.status, func.count()).group_by(LineReminder.status)).all())


def api_for(fake: FakeLine, token: str = TOKEN) -> LineApi:
    return LineApi(LineSettings(channel_secret="s", access_token=token, api_base=fake.base))


def worker_cmd(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([NAKANAORI, "worker", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


# ------------------------------------------------------------------ in-process behaviour


def test_due_reminders_are_pushed_once_with_their_retry_key(fake: FakeLine, db_url: str) -> None:
    engine = prepared(db_url)
    keys = add_reminders(engine, 12, users=3)
    add_reminders(engine, 4, due_in=dt.timedelta(days=1), users=1)  # not due yet
    stats = run_once(make_session_factory(engine), api_for(fake))
    assert stats.sent == 12
    pushes = fake.find("/v2/bot/message/push")
    assert sorted(r.headers["x-line-retry-key"] for r in pushes) == sorted(keys)
    assert all(r.body["messages"][0]["text"].startswith("【仲直り リマインド】") for r in pushes)
    assert all(r.body["to"].startswith("U") for r in pushes)
    assert statuses(engine) == {"sent": 12, "pending": 4}
    assert run_once(make_session_factory(engine), api_for(fake)).handled == 0  # nothing sent twice
    assert len(fake.find("/v2/bot/message/push")) == 12
    engine.dispose()


def test_transient_failures_are_retried_in_place_with_backoff_and_the_same_key(fake: FakeLine, tmp_path: Path) -> None:
    engine = prepared(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    [key] = add_reminders(engine, 1, users=1)
    fake.fail_pushes = 2
    pauses: list[float] = []
    stats = run_once(make_session_factory(engine), api_for(fake), sleep=pauses.append)
    assert stats.sent == 1
    pushes = fake.find("/v2/bot/message/push")
    assert [r.status for r in pushes] == [500, 500, 200]
    assert {r.headers["x-line-retry-key"] for r in pushes} == {key}
    assert pauses == [0.2, 0.4]  # exponential backoff between tries
    engine.dispose()


def test_a_longer_outage_defers_the_reminder_to_a_later_run(fake: FakeLine, tmp_path: Path) -> None:
    engine = prepared(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    [key] = add_reminders(engine, 1, users=1)
    sessions = make_session_factory(engine)
    fake.fail_pushes = 3
    t0 = dt.datetime.now(dt.UTC)
    stats = run_once(sessions, api_for(fake), sleep=lambda _s: None, now=lambda: t0)
    assert stats.retried == 1 and stats.sent == 0
    with engine.connect() as c:
        row = c.execute(
            select(LineReminder.status, LineReminder.attempts, LineReminder.next_attempt_at, LineReminder.last_error)
        ).one()
    assert row.status == "pending" and row.attempts == 1 and row.last_error == "http_500"
    assert row.next_attempt_at.replace(tzinfo=dt.UTC) >= t0 + dt.timedelta(seconds=60)
    # before the backoff has passed nothing is tried; after it the same key goes out
    assert run_once(sessions, api_for(fake), now=lambda: t0 + dt.timedelta(seconds=30)).handled == 0
    later = t0 + dt.timedelta(seconds=61)
    assert run_once(sessions, api_for(fake), sleep=lambda _s: None, now=lambda: later).sent == 1
    assert fake.accepted_keys == {key: 1}
    engine.dispose()


def test_unreachable_api_keeps_reminders_pending(tmp_path: Path) -> None:
    from line_fake import free_port

    engine = prepared(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    add_reminders(engine, 2, users=1)
    dead = LineApi(LineSettings("s", TOKEN, f"http://127.0.0.1:{free_port()}"))
    stats = run_once(make_session_factory(engine), dead, sleep=lambda _s: None)
    assert stats.retried == 2 and stats.sent == 0
    assert statuses(engine) == {"pending": 2}
    engine.dispose()


def test_rejected_push_is_marked_failed_not_retried(fake: FakeLine, tmp_path: Path) -> None:
    engine = prepared(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    add_reminders(engine, 1, users=1)
    stats = run_once(make_session_factory(engine), api_for(fake, token="wrong"), sleep=lambda _s: None)
    assert stats.failed == 1
    assert len(fake.find("/v2/bot/message/push")) == 1
    assert statuses(engine) == {"failed": 1}
    engine.dispose()


def test_worker_cli_without_channel_settings_fails_clearly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINE_")}
    res = subprocess.run([NAKANAORI, "worker", "--once"], env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode != 0
    assert "LINE_CHANNEL_ACCESS_TOKEN" in res.stderr and "Traceback" not in res.stderr


# ------------------------------------------------------------------ concurrent workers, crashes


def _two_workers(fake: FakeLine, url: str, tmp_path: Path, n: int, *, both_must_work: bool) -> None:
    """Two ``worker --once`` processes on one database: each reminder is sent exactly once, none lost.

    With ``both_must_work`` the fake LINE holds the first push until a second one is in flight; a
    worker pushes with its row still claimed, so the second push can only come from the other worker,
    claiming another row past the first one's lock (PostgreSQL's SKIP LOCKED). That makes "both worked"
    deterministic. On SQLite a claim holds the database write lock until its push is recorded, so the
    workers take turns and one may legitimately finish everything before the other starts: there only
    exactly-once delivery is promised.
    """
    engine = prepared(url)
    keys = add_reminders(engine, n)
    fake.push_delay = 0.002
    if both_must_work:
        fake.rendezvous = threading.Barrier(2)
    env = line_env(url, fake.base, tmp_path)
    procs = [worker_cmd(env, "--once") for _ in range(2)]
    outs = [p.communicate(timeout=300)[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert set(fake.accepted_keys) == set(keys)  # none lost
    assert all(v == 1 for v in fake.accepted_keys.values())  # none delivered twice
    pushes = fake.find("/v2/bot/message/push")
    assert len(pushes) == n, "no push was even attempted twice"
    sent = [int(o.split("送信 ")[1].split(" 件")[0]) if "送信 " in o else 0 for o in outs]
    assert sum(sent) == n, outs  # each reminder counted by exactly one worker
    if both_must_work:
        assert fake.rendezvous is not None and not fake.rendezvous.broken, "the two workers never overlapped"
        assert all(s > 0 for s in sent), outs
    assert statuses(engine) == {"sent": n}
    engine.dispose()


@pytest.mark.postgres
def test_two_workers_on_postgresql_send_1000_reminders_exactly_once(
    fake: FakeLine, postgresql_url: str, tmp_path: Path
) -> None:
    _two_workers(fake, postgresql_url, tmp_path, 1000, both_must_work=True)


def test_two_workers_on_sqlite_send_each_reminder_once(fake: FakeLine, tmp_path: Path) -> None:
    _two_workers(fake, f"sqlite:///{tmp_path / 'w.sqlite3'}", tmp_path, 200, both_must_work=False)


def test_worker_killed_mid_batch_then_restarted_sends_no_doubles(fake: FakeLine, db_url: str, tmp_path: Path) -> None:
    """SQLite and PostgreSQL. The fake answers 40 pushes, accepts the 41st and holds its answer: the
    worker is killed (SIGKILL) at that moment — deterministically mid-batch, after LINE accepted a push
    whose success the worker never recorded. The restarted worker pushes that one again with the same
    retry key (409: already delivered) and sends the rest: every reminder exactly once, none lost."""
    engine = prepared(db_url)
    keys = add_reminders(engine, 300)
    fake.hold_after = 40
    env = line_env(db_url, fake.base, tmp_path)
    proc = worker_cmd(env, "--once")
    try:
        assert fake.held.wait(120), "the worker never reached its 41st push"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        fake.release.set()
    assert len(fake.accepted_keys) == 41  # 40 answered + 1 accepted whose answer the worker never saw
    assert statuses(engine) == {"sent": 40, "pending": 260}  # the 41st was never marked sent
    again = worker_cmd(env, "--once")
    out = again.communicate(timeout=300)[0].decode()
    assert again.returncode == 0, out
    assert "送信 259 件 / 送信済みを確認 1 件" in out, out  # the 41st: 409 from LINE, recorded as sent
    assert set(fake.accepted_keys) == set(keys)
    assert all(v == 1 for v in fake.accepted_keys.values())  # 409 for the key pushed before the kill
    assert statuses(engine) == {"sent": 300}
    engine.dispose()
