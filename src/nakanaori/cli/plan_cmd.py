"""``nakanaori plan``: the dated follow-up timeline, the promises, and the .ics export."""

from __future__ import annotations

import re
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import InputError, decode_bytes
from ..labels import PURPOSE_JA
from .common import LazyConsole, err_console, fail, fail_option

if TYPE_CHECKING:
    from ..plan.planner import Plan

console = LazyConsole()

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEEKDAY_JA = "月火水木金土日"
_KIND_STYLE = {"send": "bold cyan", "check_in": "bold cyan", "do": "bold green", "wait": "bold yellow"}
_STATUS_MARK = {"today": "今日", "ongoing": "継続中", "past": "過ぎた"}
_STATUS_STYLE = {"upcoming": "", "today": "bold magenta", "ongoing": "yellow", "past": "dim"}


def parse_date_option(value: str | None, what: str) -> date | None:
    """``YYYY-MM-DD`` → date; anything else is an :class:`InputError` with a Japanese message."""
    if value is None:
        return None
    raw = value.strip()
    example = "(例: 2025-03-01)"
    if not _DATE.fullmatch(raw):
        raise InputError(
            "bad_date", f"{what}は YYYY-MM-DD の形で指定してください{example}: {value!r}", f"{what}: malformed date"
        )
    try:
        return date.fromisoformat(raw)
    except ValueError:
        msg = f"{what}({raw})は存在しない日付です。"
        raise InputError("bad_date", msg, f"{what}: no such date") from None


def _read_message(path: str) -> str:
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        p = Path(path)
        if not p.is_file():
            msg = f"メッセージのファイルが見つかりません: {path}"
            raise InputError("not_found", msg, "message file not found")
        try:
            data = p.read_bytes()
        except OSError:
            msg = f"メッセージのファイルを読めません: {path}"
            raise InputError("not_found", msg, "message file unreadable") from None
    return decode_bytes(data)


def _choices(enum: type[StrEnum]) -> str:
    return ", ".join(x.value for x in enum)


def _indented(text: str, style: str, left: int = 4) -> None:
    from rich.padding import Padding
    from rich.text import Text

    console.print(Padding(Text(text, style=style), (0, 0, 0, left)))


def _day(d: date) -> str:
    return f"{d.year}/{d.month:02d}/{d.day:02d}({_WEEKDAY_JA[d.weekday()]})"


def _render(p: Plan) -> None:
    from rich.text import Text

    console.rule(f"[bold]仲直りプラン[/] {p.relationship_ja} × {p.stage_ja}")
    since = (p.today - p.apologized_on).days
    head = f"謝った日: {_day(p.apologized_on)}" + (f"({since}日前)" if since else "(今日)")
    if p.last_contact is not None:
        head += f"   最後の連絡: {_day(p.last_contact)}"
    console.print(head)
    console.print(Text(p.summary, style="italic"))
    console.print()
    explained: set[str] = set()
    for s in p.steps:
        style = _STATUS_STYLE[s.status]
        line = Text()
        line.append(_day(s.date), style="bold" if s.status != "past" else "dim")
        line.append(f" {p.event_time}  " if s.status != "past" else "        ", style="dim")
        line.append(f"[{s.kind_ja}]", style=_KIND_STYLE[s.kind] if s.status != "past" else "dim")
        line.append(f" {s.title}", style=style)
        if s.status in _STATUS_MARK:
            line.append(f"  ({_STATUS_MARK[s.status]})", style=style)
        console.print(line)
        base = s.id.rsplit(".", 1)[0] if s.occurrence is not None else s.id
        if base not in explained:  # a repeating step is explained once
            _indented(s.reason, "dim" if s.status == "past" else "")
            explained.add(base)
        if s.note:
            _indented(f"※ {s.note}", "yellow")
        if s.template and s.status != "past":
            kind = f"({PURPOSE_JA[s.purpose]})" if s.purpose in PURPOSE_JA else ""
            _indented(f"文面の例{kind}: {s.template}", "cyan")
    if p.promises:
        console.print()
        console.rule("[bold]約束を守るためのチェック")
        for pr in p.promises:
            console.print(Text(f"「{pr.sentence}」", style="bold green"))
            for c in pr.check_ins:
                style = _STATUS_STYLE[c.status]
                _indented(f"{_day(c.date)} {c.title}", style, 2)
    if p.notes:
        console.print()
        for n in p.notes:
            console.print(f"[blue]●[/] {n}")


RelOpt = Annotated[str | None, typer.Option("--relationship", "-r", help="partner|friend|work|family")]
StageOpt = Annotated[str | None, typer.Option("--stage", "-s", help="関係の段階(no_reply など)")]
ApologyOpt = Annotated[str | None, typer.Option("--apologized-on", help="謝った日 YYYY-MM-DD")]
ContactOpt = Annotated[str | None, typer.Option("--last-contact", help="最後に連絡した日 YYYY-MM-DD")]
MessageOpt = Annotated[str | None, typer.Option("--message", "-m", help="送る文のファイル(-: 標準入力)")]
IcsOpt = Annotated[str | None, typer.Option("--ics", help="カレンダー(.ics)の書き出し先")]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSONで出力")]
TodayOpt = Annotated[str | None, typer.Option("--today", help="今日の日付 YYYY-MM-DD(既定: 日本時間の今日)")]
PromisedOpt = Annotated[str | None, typer.Option("--promised-on", help="約束した日 YYYY-MM-DD(既定: 今日)")]


def register(app: typer.Typer, groups: dict[str, typer.Typer]) -> None:
    del groups

    @app.command("plan")
    def plan_command(
        relationship: RelOpt = None,
        stage: StageOpt = None,
        apologized_on: ApologyOpt = None,
        last_contact: ContactOpt = None,
        message: MessageOpt = None,
        ics: IcsOpt = None,
        as_json: JsonOpt = False,
        today_opt: TodayOpt = None,
        promised_on: PromisedOpt = None,
    ) -> None:
        """謝った日と今の段階から、次に何をいつするかの予定表をつくります(.ics でカレンダーにも)。"""
        from ..labels import Relationship, Stage, parse_relationship, parse_stage
        from ..plan.ics import to_ics
        from ..plan.planner import plan

        try:
            rel = parse_relationship(relationship)
        except ValueError:
            fail_option(f"関係 {relationship!r} は使えません。{_choices(Relationship)} から選んでください。")
        try:
            stg = parse_stage(stage)
        except ValueError:
            fail_option(f"段階 {stage!r} は使えません。{_choices(Stage)} から選んでください。")
        if rel is None:
            fail_option("--relationship を指定してください(partner, friend, work, family のどれか)。")
        if stg is None:
            fail_option("--stage を指定してください(no_reply, distance など)。")
        if apologized_on is None:
            fail_option("--apologized-on で謝った日を指定してください(例: 2025-03-01)。")
        try:
            apology_day = parse_date_option(apologized_on, "謝った日")
            contact_day = parse_date_option(last_contact, "最後に連絡した日")
            today = parse_date_option(today_opt, "今日の日付")
            promise_day = parse_date_option(promised_on, "約束した日")
            text = _read_message(message) if message is not None else None
            assert apology_day is not None
            result = plan(
                rel.value,
                stg.value,
                apology_day,
                last_contact=contact_day,
                message=text,
                today=today,
                promised_on=promise_day,
            )
        except InputError as exc:
            fail(exc)
        if ics is not None:
            data = to_ics(result)
            try:
                Path(ics).write_bytes(data)
            except OSError:
                msg = f"カレンダーを書き出せません: {ics}"
                fail(InputError("write_failed", msg, "cannot write ics file"))
            events = len(result.scheduled_steps()) + len(result.scheduled_check_ins())
            done = f"[green]カレンダーを書き出しました(予定 {events} 件):[/] {ics}"
            err_console.print(done, soft_wrap=True)
        if as_json:
            sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        else:
            _render(result)
