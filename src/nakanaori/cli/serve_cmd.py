"""``nakanaori serve``: run the web app with uvicorn (``make run``)."""

from __future__ import annotations

import http.client
import os
import threading
from typing import Annotated

import typer

from .common import fail_option


def _default_port() -> int:
    raw = os.environ.get("PORT", "").strip()
    if not raw:
        return 8000
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        fail_option(f"環境変数 PORT の値が正しくありません({raw!r})。1〜65535 の数字にしてください。")
    return int(raw)


def default_workers() -> int:
    """One worker process per CPU this process may run on: each worker runs the analyser on its own
    event loop, so the processes are what use the cores (``WEB_CONCURRENCY`` overrides, as in uvicorn)."""
    raw = os.environ.get("WEB_CONCURRENCY", "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            fail_option(f"環境変数 WEB_CONCURRENCY の値が正しくありません({raw!r})。1 以上の数字にしてください。")
        return int(raw)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _check_keepalive_setting() -> None:
    from ..web.keepalive import ENV, recycle_every

    try:
        recycle_every()
    except ValueError as exc:
        fail_option(
            f"環境変数 {ENV} の値が正しくありません({exc.args[0]!r})。"
            "0 以上の整数にしてください(0 にすると接続を切りません)。"
        )


def _probe_host(host: str) -> str:
    """Where this machine reaches a server bound to *host* (the wildcard addresses are not addresses)."""
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


def _healthy(host: str, port: int) -> bool:
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def announce_when_ready(host: str, port: int, message: str, stop: threading.Event) -> threading.Thread:
    """Print *message* once the server answers ``GET /healthz`` (it then accepts connections, and its
    analyser is loaded: the app answers only after its start-up), from a daemon thread."""

    def wait() -> None:
        probe = _probe_host(host)
        delay = 0.02
        while not stop.is_set():
            if _healthy(probe, port):
                typer.echo(message, err=True)
                return
            stop.wait(delay)
            delay = min(delay * 2, 0.5)

    thread = threading.Thread(target=wait, name="announce-ready", daemon=True)
    thread.start()
    return thread


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    del groups

    @app.command()
    def serve(
        host: Annotated[str, typer.Option("--host", help="待ち受けるアドレス")] = "127.0.0.1",
        port: Annotated[
            int | None, typer.Option("--port", help="ポート番号(既定: 環境変数 PORT、なければ 8000)")
        ] = None,
        workers: Annotated[
            int | None,
            typer.Option("--workers", help="プロセス数(既定: 環境変数 WEB_CONCURRENCY、なければCPUの数)"),
        ] = None,
        database_url: Annotated[
            str | None,
            typer.Option("--database-url", help="既定: NAKANAORI_DATABASE_URL、なければ data/ の SQLite"),
        ] = None,
        access_log: Annotated[
            bool, typer.Option("--access-log/--no-access-log", help="アクセスログ(クエリ文字列は伏せる)")
        ] = True,
        proxy_headers: Annotated[
            bool,
            typer.Option("--proxy-headers", help="X-Forwarded-Proto などを信頼する(リバースプロキシの内側で)"),
        ] = False,
    ) -> None:
        """Webアプリ(ページとJSON API)を起動します。データベースは起動時に最新の形へ移行します。"""
        import uvicorn

        from ..store import get_engine, upgrade_to_head
        from ..web.privacy import install_access_log_filter

        chosen_port = port if port is not None else _default_port()
        if not 0 < chosen_port < 65536:
            fail_option("ポート番号は 1〜65535 にしてください。")
        if workers is None:
            workers = default_workers()
        if workers < 1:
            fail_option("--workers は 1 以上にしてください。")
        _check_keepalive_setting()
        if database_url:
            os.environ["NAKANAORI_DATABASE_URL"] = database_url
        try:
            engine = get_engine()
            revision = upgrade_to_head(engine)  # fail early, with a clear message, before binding the port
            engine.dispose()
        except Exception as exc:
            fail_option(f"データベースに接続できません: {type(exc).__name__}。URL と権限を確かめてください。")
        shown = f"[{host}]" if ":" in host else host
        message = f"仲直り: http://{shown}:{chosen_port}/  (schema {revision}, workers {workers})"
        install_access_log_filter()
        stop = threading.Event()
        announce_when_ready(host, chosen_port, message, stop)
        try:
            uvicorn.run(
                "nakanaori.web.app:create_server_app",
                factory=True,
                host=host,
                port=chosen_port,
                workers=workers,
                access_log=access_log,
                proxy_headers=proxy_headers,
                forwarded_allow_ips="127.0.0.1" if proxy_headers else None,
                server_header=False,
                log_level="info",
            )
        finally:
            stop.set()
