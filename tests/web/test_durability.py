"""Issue 8 §4: the server is killed (SIGKILL) while browsers write to their journals; nothing it
acknowledged is lost, nothing is half-written, and the database passes its own integrity check.

The real app under uvicorn on loopback, SQLite (WAL) and the throwaway PostgreSQL. Six browsers each
create a case (their first write) and then keep adding checked messages — each one a message row plus
the promise rows of its commitments, in one transaction. When 60 writes have been acknowledged (a 303
received), the server process is killed with SIGKILL while the browsers are still writing, then
started again on the same database. A write counts as acknowledged only when its 303 arrived; writes
cut off by the kill may or may not be there, but nothing that was never sent may appear.
(The reminder worker's crash test is ``tests/test_line_worker.py::test_worker_killed_mid_batch…``.)
"""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from line_fake import SRC, Server
from nakanaori import check

WRITERS = 6
KILL_AFTER = 60  # acknowledged message writes before the kill
MESSAGE = "遅れてごめんね。次からは5分前に着くようにするね。待っててくれてありがとう。(記録 {tag})"


@dataclass
class Writer:
    n: int
    client: httpx.Client
    case_url: str = ""
    csrf: str = ""
    attempted: list[str] = field(default_factory=list)
    acked: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


def app_env(db_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LINE_")}
    env.update(NAKANAORI_DATABASE_URL=db_url, NAKANAORI_DATA_DIR=str(data_dir), PYTHONPATH=SRC)
    return env


@pytest.fixture
def clients() -> Iterator[list[httpx.Client]]:
    cs = [httpx.Client(timeout=60) for _ in range(WRITERS)]
    yield cs
    for c in cs:
        c.close()


def _start(w: Writer, base: str) -> None:
    page = w.client.get(f"{base}/journal")
    w.csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    r = w.client.post(
        f"{base}/journal/cases",
        data={"csrf": w.csrf, "title": f"相手{w.n}", "relationship": "friend", "stage": "just_apologized"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    w.case_url = base + r.headers["location"]


def _write_until_gone(w: Writer, acked: threading.Semaphore) -> None:
    i = 0
    while True:
        tag = f"w{w.n}-{i}"
        w.attempted.append(tag)
        try:
            r = w.client.post(
                f"{w.case_url}/messages", data={"csrf": w.csrf, "text": MESSAGE.format(tag=tag)}, follow_redirects=False
            )
        except httpx.TransportError:
            return  # the server is gone
        w.statuses.append(r.status_code)
        if r.status_code == 303:
            w.acked.append(tag)
            acked.release()
        i += 1


def _integrity(db_url: str) -> None:
    engine = create_engine(db_url)
    orphans = {
        "messages without case": "SELECT COUNT(*) FROM messages m LEFT JOIN cases c ON c.id = m.case_id "
        "WHERE c.id IS NULL",
        "promises without message": "SELECT COUNT(*) FROM promises p LEFT JOIN messages m ON m.id = p.message_id "
        "WHERE p.message_id IS NOT NULL AND m.id IS NULL",
        "promises without case": "SELECT COUNT(*) FROM promises p LEFT JOIN cases c ON c.id = p.case_id "
        "WHERE c.id IS NULL",
        "steps without case": "SELECT COUNT(*) FROM planned_steps s LEFT JOIN cases c ON c.id = s.case_id "
        "WHERE c.id IS NULL",
        "cases without user": "SELECT COUNT(*) FROM cases c LEFT JOIN users u ON u.id = c.user_id WHERE u.id IS NULL",
    }
    with engine.connect() as conn:
        if db_url.startswith("sqlite"):
            assert conn.execute(text("PRAGMA integrity_check")).scalars().all() == ["ok"]
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        else:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            indexes = (
                conn.execute(
                    text(
                        "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "JOIN pg_am am ON am.oid = c.relam WHERE am.amname = 'btree' "
                        "AND c.relnamespace = 'public'::regnamespace"
                    )
                )
                .scalars()
                .all()
            )
            assert indexes
            for index in indexes:  # raises on a corrupt index or a heap tuple missing from it
                conn.execute(text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index})
        for what, sql in orphans.items():
            assert conn.execute(text(sql)).scalar_one() == 0, what
        conn.commit()
    engine.dispose()


def test_sigkill_while_writing_loses_no_acknowledged_write(
    db_url: str, tmp_path: Path, clients: list[httpx.Client]
) -> None:
    env = app_env(db_url, tmp_path)
    server = Server(env, tmp_path / "before.log")
    writers = [Writer(n, c) for n, c in enumerate(clients)]
    acked = threading.Semaphore(0)
    try:
        for w in writers:
            _start(w, server.url)
        threads = [threading.Thread(target=_write_until_gone, args=(w, acked), daemon=True) for w in writers]
        for t in threads:
            t.start()
        for _ in range(KILL_AFTER):  # a liveness bound only: the writers must get going at all
            assert acked.acquire(timeout=120), "the writers stopped getting answers before the kill"
        os.kill(server.proc.pid, signal.SIGKILL)  # the writers are still writing
        server.proc.wait(30)
        for t in threads:
            t.join(60)
            assert not t.is_alive()
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()
        server._log.close()

    assert sum(len(w.acked) for w in writers) >= KILL_AFTER
    # every answer the server managed to send before it died was a success (no lock timeouts, no 500s)
    assert {s for w in writers for s in w.statuses} == {303}

    again = Server(env, tmp_path / "after.log")  # restarts on the same database (and migrates: a no-op)
    try:
        for w in writers:
            base = again.url
            exported = w.client.get(f"{base}/journal/export.json")
            assert exported.status_code == 200
            [case] = exported.json()["cases"]
            tags = [re.search(r"記録 (w\d+-\d+)", m["text"]).group(1) for m in case["messages"]]  # type: ignore[union-attr]
            assert set(w.acked) <= set(tags), f"writer {w.n} lost {sorted(set(w.acked) - set(tags))}"
            assert set(tags) <= set(w.attempted)  # nothing appears that was never sent
            assert len(tags) == len(set(tags))  # and nothing twice
            # each message came with its promises in one transaction: none half-written
            per_message = len(
                check(MESSAGE.format(tag="w0-0"), relationship="friend", stage="just_apologized").commitments()
            )
            assert per_message >= 1
            promised = [p["message_id"] for p in case["promises"]]
            assert sorted(promised) == sorted(m["id"] for m in case["messages"] for _ in range(per_message))
            # and the journal takes new writes after the crash
            r = w.client.post(
                f"{base}/journal/cases/{case['id']}/messages",
                data={"csrf": w.csrf, "text": MESSAGE.format(tag=f"w{w.n}-after")},
                follow_redirects=False,
            )
            assert r.status_code == 303
    finally:
        again.stop()
    _integrity(db_url)
