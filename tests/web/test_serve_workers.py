"""``nakanaori serve --workers 2`` on SQLite and on PostgreSQL: one server, two worker processes.

Which worker holds a connection is read from the operating system (``/proc/net/tcp`` gives the server
side's socket inode, ``/proc/<pid>/fd`` the process holding it), so the test knows for sure that the
identity cookie and the CSRF token issued by one worker are accepted by the other, and that a journal
entry written through one is read through the other. The URL line is printed only once the server
answers: the first request after it needs no retry.
"""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest

from live_server import free_port

NAKANAORI = [sys.executable, "-c", "from nakanaori.cli import main; main()"]
TIMEOUT = 60  # a bound on a busy machine, not something this test measures

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="reads Linux /proc")


@contextmanager
def serve(args: list[str], env: dict[str, str], cwd: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start ``nakanaori serve`` and yield it with the line it printed when it became ready."""
    proc = subprocess.Popen(
        [*NAKANAORI, "serve", *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stderr is not None
        lines = []
        for line in proc.stderr:  # blocks until serve prints (or exits: then the loop ends)
            lines.append(line)
            if line.startswith("仲直り: http://"):
                break
        else:
            raise AssertionError("serve exited before it was ready:\n" + "".join(lines))
        yield proc, line
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _env(**extra: str) -> dict[str, str]:
    drop = ("NAKANAORI_DATABASE_URL", "NAKANAORI_DATA_DIR", "PORT", "WEB_CONCURRENCY")
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.add(int(entry.name))
    return out


def _worker_of(conn: http.client.HTTPConnection, server_port: int, candidates: set[int]) -> int:
    """The process holding the server side of *conn* (after a full request: it has been accepted)."""
    assert conn.sock is not None
    client_port = conn.sock.getsockname()[1]
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    inode = next(
        p[9]
        for p in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
        if p[1] == local and p[2] == remote
    )
    for pid in candidates:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    raise AssertionError("no worker holds the connection")


class Browser:
    """One keep-alive connection (so one worker) with a cookie jar of one cookie."""

    def __init__(self, port: int, cookie: str | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.cookie = cookie

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        headers = {"cookie": f"nakanaori_id={self.cookie}"} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["content-type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        text = r.read().decode()
        m = re.search(r"nakanaori_id=([^;]+)", r.headers.get("set-cookie", ""))
        if m:
            self.cookie = m.group(1)
        return r.status, {k.lower(): v for k, v in r.headers.items()}, text


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m.group(1)


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_two_workers_share_identity_csrf_and_journal(db: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    # this test follows each connection to its worker: no keep-alive recycling (its own test is in
    # test_keepalive.py), or the 100th response of a worker would move a connection to the other one
    env = _env(NAKANAORI_KEEPALIVE_REQUESTS="0")
    if db == "postgresql":
        env["NAKANAORI_DATABASE_URL"] = str(request.getfixturevalue("postgresql_url"))
    else:
        env["NAKANAORI_DATA_DIR"] = str(tmp_path / "data")
    port = free_port()
    with serve(["--port", str(port), "--workers", "2"], env, tmp_path) as (proc, ready):
        assert f"http://127.0.0.1:{port}/" in ready and "workers 2" in ready
        workers = _children(proc.pid)

        a = Browser(port)
        status, _, journal = a.request("GET", "/journal")  # the first request after the line: no retry
        assert status == 200 and a.cookie
        csrf = _csrf(journal)
        worker_a = _worker_of(a.conn, port, workers)

        # a second browser connection on the other worker, with the same cookie
        for _ in range(500):  # the kernel hands new connections to either worker
            b = Browser(port, a.cookie)
            assert b.request("GET", "/healthz")[0] == 200
            worker_b = _worker_of(b.conn, port, workers)
            if worker_b != worker_a:
                break
            b.conn.close()
        else:
            raise AssertionError("every connection went to the same worker")

        # worker B accepts the CSRF token that worker A issued, and creates the user and the case
        form = {"csrf": csrf, "title": "同僚の佐藤さん", "relationship": "work", "stage": "cold"}
        status, headers, _ = b.request("POST", "/journal/cases", form)
        assert status == 303, status
        case_url = headers["location"]
        assert b.request("POST", "/journal/cases", {**form, "csrf": "forged"})[0] == 403
        assert _worker_of(b.conn, port, workers) == worker_b

        # worker A knows the identity that B's write created, and shows the case
        status, _, page = a.request("GET", case_url)
        assert status == 200 and "同僚の佐藤さん" in page
        assert _csrf(page) == csrf
        assert _worker_of(a.conn, port, workers) == worker_a

        # a stranger on either worker sees nothing
        assert Browser(port).request("GET", case_url)[0] == 404
        a.conn.close()
        b.conn.close()
    assert proc.returncode is not None


def test_serve_prints_its_url_when_it_answers(tmp_path: Path) -> None:
    port = free_port()
    with serve(["--port", str(port), "--workers", "1"], _env(), tmp_path) as (_, ready):
        assert ready.startswith(f"仲直り: http://127.0.0.1:{port}/") and "workers 1" in ready
        browser = Browser(port)
        assert browser.request("GET", "/")[0] == 200  # no retry: it accepts connections already
        status, _, body = browser.request("GET", "/healthz")
        assert (status, body) == (200, '{"status":"ok"}')
        browser.conn.close()
    assert (tmp_path / "data" / "nakanaori.sqlite3").is_file()
