"""``nakanaori serve``: run the web app with uvicorn (``make run``)."""

from __future__ import annotations

import os
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


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    del groups

    @app.command()
    def serve(
        host: Annotated[str, typer.Option("--host", help="待ち受けるアドレス")] = "127.0.0.1",
        port: Annotated[
            int | None, typer.Option("--port", help="ポート番号(既定: 環境変数 PORT、なければ 8000)")
        ] = None,
        workers: Annotated[int, typer.Option("--workers", help="プロセス数(PostgreSQL 利用時に複数可)")] = 1,
        database_url: Annotated[
            str | None,
            typer.Option("--database-url", help="既定: NAKANAORI_DATABASE_URL、なければ data/ の SQLite"),
        ] = None,
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
        if workers < 1:
            fail_option("--workers は 1 以上にしてください。")
        if database_url:
            os.environ["NAKANAORI_DATABASE_URL"] = database_url
        try:
            engine = get_engine()
            revision = upgrade_to_head(engine)  # fail early, with a clear message, before binding the port
            engine.dispose()
        except Exception as exc:
            fail_option(f"データベースに接続できません: {type(exc).__name__}。URL と権限を確かめてください。")
        typer.echo(f"仲直り: http://{host}:{chosen_port}/  (schema {revision})", err=True)
        install_access_log_filter()
        uvicorn.run(
            "nakanaori.web.app:create_app",
            factory=True,
            host=host,
            port=chosen_port,
            workers=workers,
            proxy_headers=proxy_headers,
            forwarded_allow_ips="127.0.0.1" if proxy_headers else None,
            server_header=False,
            log_level="info",
        )
