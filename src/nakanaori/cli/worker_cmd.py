"""``nakanaori worker``: push the LINE reminders users asked for (logic in ``nakanaori.line.worker``)."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from .common import err_console, fail_option, open_database


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    del groups

    @app.command()
    def worker(
        once: Annotated[bool, typer.Option("--once", help="期限の来たリマインドを送ったら終了する")] = False,
        interval: Annotated[float, typer.Option("--interval", help="ループ時の間隔(秒)")] = 30.0,
        limit: Annotated[int | None, typer.Option("--limit", help="--once で送る最大件数")] = None,
        database_url: Annotated[
            str | None, typer.Option("--database-url", help="既定は NAKANAORI_DATABASE_URL")
        ] = None,
    ) -> None:
        """期限の来たリマインドを LINE のプッシュメッセージで送ります(同じものを二度送りません)。"""
        from ..line.client import LineApi
        from ..line.config import NOT_CONFIGURED_JA, LineSettings
        from ..line.worker import WorkerStats, run_forever, run_once

        if interval <= 0:
            fail_option("--interval は0より大きい秒数にしてください。")
        if limit is not None and limit <= 0:
            fail_option("--limit は1以上にしてください。")
        settings = LineSettings.from_env()
        if settings is None:
            fail_option(NOT_CONFIGURED_JA)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        engine, sessions = open_database(database_url)
        api = LineApi(settings)

        def report(stats: WorkerStats) -> None:
            if stats.handled or stats.retried:
                err_console.print(
                    f"送信 {stats.sent} 件 / 送信済みを確認 {stats.duplicate} 件 / "
                    f"再試行待ち {stats.retried} 件 / 失敗 {stats.failed} 件"
                )

        try:
            if once:
                report(run_once(sessions, api, limit=limit))
            else:
                run_forever(sessions, api, interval=interval, on_batch=report)
        finally:
            api.close()
            engine.dispose()
