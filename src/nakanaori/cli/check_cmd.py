"""``nakanaori check``, ``nakanaori kb check`` and ``nakanaori eval messages``."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import EXIT_CODES, InputError
from ..labels import REGISTER_JA
from .common import (
    LazyConsole,
    NoProgress,
    collect_garbage_again,
    err_console,
    fail,
    fail_option,
    iter_jsonl,
    read_source_bytes,
    read_text_arg,
)

if TYPE_CHECKING:
    from ..check.checker import CheckReport

console = LazyConsole()

GOOD_STYLE = "bold green"
NG_STYLE = "bold red on grey15"
VERDICT_STYLE = {"send": "bold green", "improve": "bold yellow", "counter": "bold red"}


def _render(report: CheckReport) -> None:
    from rich.table import Table
    from rich.text import Text

    text = Text(report.text)
    for f in report.findings:
        text.stylize(GOOD_STYLE if f.kind == "good" else NG_STYLE, f.start, f.end)
    console.rule("[bold]仲直りチェック")
    if not report.japanese:
        console.print(text)
        console.print()
        console.print(f"[yellow]{report.notes[0].message}[/]")
        return
    # the answer first: can I send this? then how many places to fix; the number is secondary
    v = report.verdict
    color = VERDICT_STYLE.get(v.level, "bold")
    console.print(f"[{color}]{v.headline}[/]")
    if v.fix_count:
        console.print(f"[bold]直すところ {v.fix_count} つ[/]")
    console.print(v.summary)
    console.print()
    console.print(text)
    console.print()
    reg = REGISTER_JA.get(report.register, report.register)
    fits = ""
    if report.register_ok is not None:
        fits = " ✓ 関係に合っています" if report.register_ok else " ✗ 関係に合っていません"
    console.print(f"[dim]文体: {reg}{fits}    スコア {report.score}/100[/]")
    if report.score_note:
        console.print(f"[dim]{report.score_note}[/]")
    console.print()
    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("", width=2)
    table.add_column("要素", no_wrap=True)
    table.add_column("該当箇所", overflow="fold", ratio=2)
    table.add_column("理由・直し方", overflow="fold", ratio=5)
    for f in report.findings:
        mark = "[green]○[/]" if f.kind == "good" else "[red]×[/]"
        why = f.why if not f.suggestion else f"{f.why}\n→ [cyan]{f.suggestion}[/]"
        if f.hint:
            why += f"\n[cyan]{f.hint}[/]"
        table.add_row(mark, f.label_ja, Text(f.text, style=GOOD_STYLE if f.kind == "good" else "bold red"), why)
    if report.findings:
        console.print(table)
    notes = Table.grid(padding=(0, 1))
    notes.add_column(no_wrap=True)
    notes.add_column(overflow="fold")
    for n in report.notes:
        color = "yellow" if n.severity == "warning" else "blue"
        notes.add_row(f"[{color}]●[/]", n.message)
    if report.notes:
        console.print(notes)
    if report.next_edits:
        console.print("\n[bold]次に直すと良いところ[/]")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for k, e in enumerate(report.next_edits, 1):
            grid.add_row(f" {k}.", e)
        console.print(grid)


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    @app.command()
    def check(
        text: Annotated[str | None, typer.Argument(help="チェックする下書き(- で標準入力)")] = None,
        relationship: Annotated[
            str | None, typer.Option("--relationship", "-r", help="partner|friend|work|family")
        ] = None,
        stage: Annotated[str | None, typer.Option("--stage", "-s", help="関係の段階(no_reply など)")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="JSONで出力")] = False,
        jsonl: Annotated[str | None, typer.Option("--jsonl", help="1行1件のJSONLファイル(- で標準入力)")] = None,
    ) -> None:
        """下書きの良い点・NGな点を、場所と理由つきで示します。"""
        from ..check.checker import check as run_check
        from ..labels import parse_relationship, parse_stage

        try:
            parse_relationship(relationship)
            parse_stage(stage)
        except ValueError as exc:
            fail_option(str(exc))
        if jsonl is not None:
            if text is not None:
                fail_option("TEXT と --jsonl は同時に指定できません。")
            _check_jsonl(jsonl, relationship, stage)
            return
        if text is None:
            fail_option("チェックする文を指定してください(標準入力なら - )。")
        try:
            body = read_text_arg(text)
            report = run_check(body, relationship=relationship, stage=stage)
        except InputError as exc:
            fail(exc)
        if as_json:
            sys.stdout.write(report.model_dump_json(indent=2) + "\n")
        else:
            _render(report)

    kb = groups["kb"]

    @kb.command("check")
    def kb_check() -> None:
        """知識ベースの全ファイルを読み込んで検証し、全ルール・全キューを自分の例文で確かめます。"""
        from ..kb import verify_knowledge_base

        problems, stats = verify_knowledge_base()
        for p in problems:
            err_console.print(f"[red]✗[/] {p}")
        console.print(
            f"files: {stats['files']}  rules: {stats['rules']}  cues: {stats['cues']}  "
            f"examples: {stats['examples']}  problems: {len(problems)}"
        )
        if problems:
            raise typer.Exit(1)
        console.print("[green]knowledge base OK[/]")

    ev = groups["eval"]

    @ev.command("messages")
    def eval_messages(
        file: Annotated[str, typer.Argument(help="ラベル付きJSONL(messages.dev.jsonl の形式)")],
        as_json: Annotated[bool, typer.Option("--json")] = False,
        show_errors: Annotated[bool, typer.Option("--errors", help="誤りのあったIDを表示")] = False,
    ) -> None:
        """ラベルごとの適合率・再現率・F1、マクロF1、文体の正解率を出します。"""
        from ..check.eval import evaluate_three_way

        try:
            rows = [obj for _, obj, err in iter_jsonl(read_source_bytes(file)) if obj is not None and not err]
        except InputError as exc:
            fail(exc)
        rows = [r for r in rows if isinstance(r.get("text"), str) and r["text"].strip()]
        data = evaluate_three_way(rows).as_dict()
        if as_json:
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        from rich.table import Table

        table = Table(title=f"messages: {data['n']}  (precision / recall / F1)")
        for col in ("label", "rules", "model", "combined", "tp", "fp", "fn"):
            table.add_column(col, justify="right" if col != "label" else "left", no_wrap=True)

        def prf(s: dict[str, Any]) -> str:
            return f"{s['precision']:.3f} / {s['recall']:.3f} / {s['f1']:.3f}"

        for label, s in data["labels"].items():
            table.add_row(
                label,
                prf(data["rules"]["labels"][label]),
                prf(data["model"]["labels"][label]),
                prf(s),
                str(s["tp"]),
                str(s["fp"]),
                str(s["fn"]),
            )
        console.print(table)
        console.print(
            f"macro-F1: rules {data['rules']['macro_f1']:.4f} · model {data['model']['macro_f1']:.4f} · "
            f"[bold]combined {data['macro_f1']:.4f}[/]   register accuracy: "
            f"[bold]{data['register_accuracy']:.4f}[/]   exact match: {data['exact_match']:.4f}"
        )
        if show_errors:
            for e in data["errors"]:
                console.print(json.dumps(e, ensure_ascii=False))


def _check_jsonl(path: str, relationship: str | None, stage: str | None) -> None:
    from ..check.checker import check as run_check

    try:
        data = read_source_bytes(path)
        lines = list(iter_jsonl(data))
    except InputError as exc:
        fail(exc)
    collect_garbage_again()
    bad = 0
    progress: Any = NoProgress()  # JSON lines on stdout; a progress bar only for a person watching
    if sys.stderr.isatty():
        from rich.progress import Progress

        progress = Progress(console=err_console.unwrap(), transient=True)
    out = sys.stdout
    with progress:
        task = progress.add_task("checking", total=len(lines))
        for lineno, obj, error in lines:
            progress.advance(task)
            if error is not None or obj is None:
                bad += 1
                err_console.print(f"[red]{lineno}行目:[/] {error}")
                continue
            item_id = obj.get("id", lineno)
            text = obj.get("text")
            if not isinstance(text, str):
                bad += 1
                err_console.print(f'[red]{lineno}行目:[/] "text" が文字列ではありません')
                out.write(json.dumps({"id": item_id, "error": "text_missing"}, ensure_ascii=False) + "\n")
                continue
            rel = obj.get("relationship", relationship)
            try:
                report = run_check(text, relationship=rel, stage=obj.get("stage", stage))
            except InputError as exc:
                bad += 1
                err_console.print(f"[red]{lineno}行目:[/] {exc.message_ja}")
                out.write(json.dumps({"id": item_id, "error": exc.code}, ensure_ascii=False) + "\n")
                continue
            except ValueError as exc:
                bad += 1
                err_console.print(f"[red]{lineno}行目:[/] {exc}")
                out.write(json.dumps({"id": item_id, "error": "bad_option"}, ensure_ascii=False) + "\n")
                continue
            row = {"id": item_id, **report.model_dump(exclude={"text"})}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    if bad:
        err_console.print(f"{bad}行を処理できませんでした(他の行は出力済み)。")
        raise typer.Exit(EXIT_CODES["bad_jsonl"])
