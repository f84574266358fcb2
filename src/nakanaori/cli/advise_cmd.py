"""``nakanaori advise`` and ``nakanaori eval situations``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import EXIT_CODES, InputError
from ..labels import LABEL_JA, REGISTER_JA, Relationship, Stage, join_names
from .common import (
    LazyConsole,
    collect_garbage_again,
    err_console,
    fail,
    fail_option,
    iter_jsonl,
    read_source_bytes,
    read_text_arg,
)

if TYPE_CHECKING:
    from ..advise.advisor import Advice

console = LazyConsole()

CHANNEL_JA = {"line": "LINE", "sns": "SNS・DM", "email": "メール・手紙", "phone": "電話", "in_person": "対面"}
JSONL_HELP = '1行1件の {"id","text"}(- で標準入力)'
APOLOGY_HELP = "謝った日 YYYY-MM-DD"
LAST_HELP = "最後にやり取りした日 YYYY-MM-DD"
TODAY_HELP = "基準日 YYYY-MM-DD(省略時は今日)"
SEVERITY_JA = {"small": "小さな行き違い", "serious": "信頼に関わること"}


def _relationship_option(value: str | None) -> str | None:
    if value is None:
        return None
    if value.strip().lower() not in {r.value for r in Relationship}:
        fail_option(f"関係の指定「{value}」がわかりません。partner / friend / work / family から選んでください。")
    return value.strip().lower()


def _stage_option(value: str | None) -> str | None:
    if value is None:
        return None
    if value.strip().lower() not in {s.value for s in Stage}:
        choices = " / ".join(s.value for s in Stage)
        fail_option(f"段階の指定「{value}」がわかりません。次から選んでください: {choices}")
    return value.strip().lower()


def _date_option(value: str | None, what: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        fail(InputError("bad_date", f"{what}「{value}」は YYYY-MM-DD の形で指定してください。", "bad date"))


def _pct(x: float) -> str:
    return f"{round(x * 100)}%"


def _facts_line(advice: Advice) -> str:
    f = advice.facts
    parts: list[str] = []
    if f.days_since_apology is not None:
        about = "約" if f.days_approximate else ""
        days = f.days_since_apology
        parts.append("謝ったのは今日" if days == 0 else f"謝ってから{about}{days}日")
    if f.unanswered_messages:
        parts.append(f"返事のないメッセージ {f.unanswered_messages}件")
    if f.channel:
        parts.append(f"手段: {CHANNEL_JA[f.channel]}")
    if f.severity:
        parts.append(f"内容: {SEVERITY_JA[f.severity]}")
    if f.forgiven:
        parts.append("許してもらえている")
    return " / ".join(parts) if parts else "(日数や手段は読み取れませんでした)"


def _timing_line(advice: Advice) -> str:
    t = advice.timing
    base = "謝った日" if t.basis == "apology" else "最後のやり取り"
    if t.earliest_days == t.latest_days == 0:
        span = f"{base}の当日"
    elif t.earliest_days == t.latest_days:
        span = f"{base}から{t.earliest_days}日後"
    else:
        span = f"{base}から{t.earliest_days}〜{t.latest_days}日後"
    if t.earliest_date and t.latest_date:
        same = t.earliest_date == t.latest_date  # a one-day window reads as one day
        span += f"({t.earliest_date:%m/%d})" if same else f"({t.earliest_date:%m/%d}〜{t.latest_date:%m/%d})"
        if t.status == "wait":
            span += f" — あと{t.days_until}日は待ちましょう"
        elif t.status == "now":
            span += " — 今がちょうどいい時期です"
        elif t.status == "late":
            span += " — 目安は過ぎていますが、今からでも短く送れば大丈夫です"
    return f"{span}\n{t.note}"


def _render(advice: Advice) -> None:
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    console.rule("[bold]仲直りアドバイス")
    rel = f"[bold]{advice.relationship_ja}[/]"
    if not advice.relationship_given:
        rel += f"(推定 {_pct(advice.relationship_confidence)})"
    stg = f"[bold]{advice.stage_ja}[/]"
    if not advice.stage_given:
        stg += f"(推定 {_pct(advice.stage_confidence)})"
    console.print(f"関係: {rel}    段階: {stg}")
    console.print(f"読み取れたこと: {_facts_line(advice)}")
    if advice.question:
        console.print(Panel(advice.question, title="確認させてください", border_style="yellow"))
        console.print("[dim](いまの推定で助言を出しています。答えを足すと、より合った助言になります)[/]")
    g = advice.guidance
    console.print()
    console.print(Panel(g.summary, title="いちばん大事なこと", border_style="green"))
    console.print("[bold green]やること[/]")
    for item in g.do:
        console.print(Padding(Text(f"○{item}"), (0, 0, 0, 2)))
    console.print("[bold red]やめておくこと[/]")
    for d in g.dont:
        console.print(Padding(Text(f"×{d.what}"), (0, 0, 0, 2)))
        console.print(Padding(Text(f"→{d.why}", style="dim"), (0, 0, 0, 4)))
    for title, body in (
        ("なぜ", g.why),
        ("伝え方", g.channel),
        ("言葉づかい", g.tone),
        ("次に連絡するタイミング", _timing_line(advice)),
    ):
        console.print(f"[bold]{title}[/]")
        for line in body.splitlines():
            console.print(Padding(Text(line), (0, 0, 0, 2)))
    if advice.templates:
        table = Table(title="文例", show_header=True, header_style="bold", expand=True)
        table.add_column("文体", no_wrap=True)
        table.add_column("文面", overflow="fold", ratio=3)
        table.add_column("含まれる要素", overflow="fold", ratio=1)
        for t in advice.templates:
            table.add_row(
                REGISTER_JA.get(str(t.register), str(t.register)),
                t.text,
                join_names([LABEL_JA.get(e, e) for e in t.elements]),
            )
        console.print(table)
        console.print("[dim]文例は自分の言葉に直してから `nakanaori check` で確かめてください。[/]")


def _jsonl_row(item_id: object, advice: Advice) -> dict[str, Any]:
    return {
        "id": item_id,
        "relationship": advice.relationship.value,
        "stage": advice.stage.value,
        "confidence": advice.confidence,
        "question": advice.question,
        "ask": advice.ask,
        "relationship_confidence": advice.relationship_confidence,
        "stage_confidence": advice.stage_confidence,
        "facts": advice.facts.model_dump(mode="json"),
        "timing": {
            "earliest_days": advice.timing.earliest_days,
            "latest_days": advice.timing.latest_days,
            "basis": advice.timing.basis,
        },
    }


def _advise_jsonl(path: str, relationship: str | None, stage: str | None, today: dt.date) -> None:
    from ..advise.advisor import advise as run_advise

    try:
        lines = list(iter_jsonl(read_source_bytes(path)))
    except InputError as exc:
        fail(exc)
    collect_garbage_again()
    bad = 0
    out = sys.stdout
    for lineno, obj, error in lines:
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
        # relationship/stage fields in the file are not read: in a labelled file they are the answers
        try:
            advice = run_advise(text, relationship=relationship, stage=stage, today=today)
        except InputError as exc:
            bad += 1
            err_console.print(f"[red]{lineno}行目:[/] {exc.message_ja}")
            out.write(json.dumps({"id": item_id, "error": exc.code}, ensure_ascii=False) + "\n")
            continue
        out.write(json.dumps(_jsonl_row(item_id, advice), ensure_ascii=False) + "\n")
    if bad:
        err_console.print(f"{bad}行を処理できませんでした(他の行は出力済み)。")
        raise typer.Exit(EXIT_CODES["bad_jsonl"])


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    @app.command()
    def advise(
        text: Annotated[str | None, typer.Argument(help="いまの状況を自由に(- で標準入力)")] = None,
        relationship: Annotated[
            str | None, typer.Option("--relationship", "-r", help="partner|friend|work|family")
        ] = None,
        stage: Annotated[str | None, typer.Option("--stage", "-s", help="段階(no_reply など)")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="JSONで出力")] = False,
        jsonl: Annotated[str | None, typer.Option("--jsonl", help=JSONL_HELP)] = None,
        apologized_on: Annotated[str | None, typer.Option("--apologized-on", help=APOLOGY_HELP)] = None,
        last_contact: Annotated[str | None, typer.Option("--last-contact", help=LAST_HELP)] = None,
        today_opt: Annotated[str | None, typer.Option("--today", help=TODAY_HELP)] = None,
    ) -> None:
        """状況を読み取り、やること・やめておくこと・連絡のタイミング・文例を示します。"""
        from ..advise.advisor import advise as run_advise

        rel = _relationship_option(relationship)
        stg = _stage_option(stage)
        today = _date_option(today_opt, "基準日") or dt.date.today()
        apo = _date_option(apologized_on, "謝った日")
        last = _date_option(last_contact, "最後にやり取りした日")
        if jsonl is not None:
            if text is not None:
                fail_option("TEXT と --jsonl は同時に指定できません。")
            _advise_jsonl(jsonl, rel, stg, today)
            return
        if text is None and (rel is None or stg is None):
            fail_option("状況を文章で書くか、--relationship と --stage の両方を指定してください。")
        try:
            body = read_text_arg(text) if text is not None else None
            advice = run_advise(body, relationship=rel, stage=stg, today=today, apologized_on=apo, last_contact=last)
        except InputError as exc:
            fail(exc)
        if as_json:
            sys.stdout.write(advice.model_dump_json(indent=2) + "\n")
        else:
            _render(advice)

    ev = groups["eval"]

    @ev.command("situations")
    def eval_situations(
        file: Annotated[str, typer.Argument(help="ラベル付きJSONL(situations.dev.jsonl の形式)")],
        as_json: Annotated[bool, typer.Option("--json")] = False,
        show_errors: Annotated[bool, typer.Option("--errors", help="誤りのあったIDを表示")] = False,
    ) -> None:
        """関係と段階の正解率、段階ごとの適合率・再現率・F1を出します。"""
        from ..advise.eval import evaluate_situations

        try:
            lines = list(iter_jsonl(read_source_bytes(file)))
        except InputError as exc:
            fail(exc)
        bad = [lineno for lineno, obj, err in lines if err is not None or obj is None]
        for lineno in bad:
            err_console.print(f"[red]{lineno}行目:[/] JSONとして読めません")
        data = evaluate_situations(obj for _, obj, err in lines if obj is not None and err is None).as_dict()
        if data["n"] == 0:
            err_console.print(
                "[bold red]エラー:[/] 評価できる行がありませんでした(text・relationship・stage が必要です)。"
            )
            raise typer.Exit(EXIT_CODES["bad_jsonl"])
        if as_json:
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        else:
            from rich.table import Table

            table = Table(title=f"situations: {data['n']}")
            for col in ("stage", "precision", "recall", "F1", "tp", "fp", "fn"):
                table.add_column(col, justify="left" if col == "stage" else "right")
            for stage_name, s in data["stages"].items():
                table.add_row(
                    stage_name,
                    f"{s['precision']:.3f}",
                    f"{s['recall']:.3f}",
                    f"{s['f1']:.3f}",
                    str(s["tp"]),
                    str(s["fp"]),
                    str(s["fn"]),
                )
            console.print(table)
            console.print(
                f"relationship accuracy: [bold]{data['relationship_accuracy']:.4f}[/]   "
                f"stage accuracy: [bold]{data['stage_accuracy']:.4f}[/]   "
                f"stage macro-F1: {data['stage_macro_f1']:.4f}"
            )
            if data["skipped"]:
                console.print(f"[yellow]{len(data['skipped'])}行をスキップしました[/]")
            if show_errors:
                for e in data["errors"]:
                    console.print(json.dumps(e, ensure_ascii=False))
        if bad:
            raise typer.Exit(EXIT_CODES["bad_jsonl"])
