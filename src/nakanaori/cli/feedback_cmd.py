"""``nakanaori feedback export`` / ``stats``: what users told us about the analyser (logic in
``nakanaori.journal.feedback``; the record format in ``corpus/README.md``, "User feedback")."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from .common import err_console, open_database

DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="既定: NAKANAORI_DATABASE_URL、なければ data/ の SQLite")
]


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    feedback_app = typer.Typer(help="利用者からのフィードバック(この指摘は違う/見落とし)を書き出し・集計します。")
    app.add_typer(feedback_app, name="feedback")
    groups["feedback"] = feedback_app

    @feedback_app.command("export")
    def export(
        out: Annotated[Path | None, typer.Option("--out", help="書き出すファイル(既定: 標準出力)")] = None,
        database_url: DatabaseUrl = None,
    ) -> None:
        """フィードバックをコーパスの形式(JSONL)で書き出します。コーパスに入れる前に人が確認します。"""
        from ..journal.feedback import export_records

        engine, sessions = open_database(database_url)
        n = with_text = 0
        try:
            target = out.open("w", encoding="utf-8") if out else sys.stdout
            try:
                with sessions() as s:
                    for record in export_records(s):
                        target.write(json.dumps(record, ensure_ascii=False) + "\n")
                        n += 1
                        with_text += record["text_included"]
            finally:
                if out:
                    target.close()
        except OSError as exc:
            err_console.print(f"[bold red]エラー:[/] 書き出せません({type(exc).__name__}: {out})。")
            raise typer.Exit(9) from None
        finally:
            engine.dispose()
        err_console.print(f"{n} 件を書き出しました(文面あり {with_text} 件、文面なし {n - with_text} 件)。")

    @feedback_app.command("stats")
    def stats(
        as_json: Annotated[bool, typer.Option("--json", help="JSONで出力する")] = False,
        database_url: DatabaseUrl = None,
    ) -> None:
        """ルールごと・モデルのラベルごとに「この指摘は違う」の数を、ラベルごとに見落としの報告数を示します。"""
        from ..journal.feedback import MODEL_SOURCE, feedback_stats
        from ..labels import LABEL_JA

        engine, sessions = open_database(database_url)
        try:
            with sessions() as s:
                result = feedback_stats(s)
        finally:
            engine.dispose()
        if as_json:
            typer.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
            return
        console = Console()
        console.print(f"フィードバック {result.total} 件(文面あり {result.with_text} 件)")
        disputed = Table(title="この指摘は違う(出どころ別)", header_style="bold")
        for col, justify in (("出どころ", "left"), ("ラベル", "left"), ("件数", "right"), ("文面あり", "right")):
            disputed.add_column(col, justify=justify)  # type: ignore[arg-type]
        for d in result.disputes:
            source = f"モデル({d.label})" if d.source == MODEL_SOURCE else d.source
            disputed.add_row(source, LABEL_JA.get(d.label, d.label), str(d.disputed), str(d.with_text))
        if not result.disputes:
            disputed.add_row("(なし)", "", "0", "0")
        console.print(disputed)
        missed = Table(title="見落としの報告(ラベル別)", header_style="bold")
        missed.add_column("ラベル")
        missed.add_column("件数", justify="right")
        for label, n in result.missed.items():
            missed.add_row(f"{LABEL_JA.get(label, label)} ({label})", str(n))
        console.print(missed)
