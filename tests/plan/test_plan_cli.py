"""``nakanaori plan``: Rich timeline, --json, --ics, and every kind of bad input → Japanese + exit code."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from nakanaori.cli.main import app

runner = CliRunner()
BASE = ["plan", "--today", "2025-03-10"]


def _run(*args: str, stdin: bytes | str | None = None):
    return runner.invoke(app, [*BASE, *args], input=stdin)


def test_rich_timeline_lists_dated_steps_and_reasons() -> None:
    r = _run("-r", "partner", "-s", "no_reply", "--apologized-on", "2025-03-08")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "仲直りプラン" in out and "返事がない" in out
    assert "2025/03/10(月)" in out  # today: the wait in progress
    assert "2025/03/15(土) 20:00" in out  # apology + 7 days, at the evening hour
    assert "返信不要と添えて" in out
    assert "Traceback" not in r.output


def test_json_output_is_the_plan() -> None:
    r = _run("-r", "work", "-s", "distance", "--apologized-on", "2025-03-03", "--last-contact", "2025-03-05", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["relationship"] == "work" and data["stage"] == "distance"
    assert data["today"] == "2025-03-10" and data["last_contact"] == "2025-03-05"
    assert data["event_time"] == "09:30" and data["timezone"] == "Asia/Tokyo"
    check_in = next(s for s in data["steps"] if s["kind"] == "check_in")
    assert check_in["earliest"] >= "2025-03-08" and check_in["latest"] <= "2025-03-12"
    assert date.fromisoformat(check_in["date"]).weekday() < 5


def test_ics_file_is_written_and_imports(tmp_path: Path) -> None:
    out = tmp_path / "plan.ics"
    r = _run("-r", "family", "-s", "awkward", "--apologized-on", "2025-03-09", "--ics", str(out))
    assert r.exit_code == 0, r.output
    assert "カレンダーを書き出しました" in r.stderr
    cal = Calendar.from_ical(out.read_bytes())
    events = cal.walk("VEVENT")
    assert events and all(len(ev.walk("VALARM")) == 1 for ev in events)
    assert [str(z["TZID"]) for z in cal.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    assert f"予定 {len(events)} 件" in r.stderr


def test_message_from_file_and_stdin_gives_the_same_plan(tmp_path: Path) -> None:
    text = "昨日は言いすぎてごめんね。これからは落ち着いてから話すようにするね。"
    f = tmp_path / "msg.txt"
    f.write_text(text, encoding="utf-8")
    args = ["-r", "friend", "-s", "days_later", "--apologized-on", "2025-03-07", "--json"]
    a = _run(*args, "--message", str(f))
    b = _run(*args, "--message", "-", stdin=text.encode("utf-8"))
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    pa, pb = json.loads(a.stdout), json.loads(b.stdout)
    assert pa == pb
    assert all(pr["made_on"] == "2025-03-10" for pr in pa["promises"])


BAD_CASES = [
    (["-r", "boss", "-s", "no_reply", "--apologized-on", "2025-03-01"], 2, "関係"),
    (["-r", "work", "-s", "sulking", "--apologized-on", "2025-03-01"], 2, "段階"),
    (["-s", "no_reply", "--apologized-on", "2025-03-01"], 2, "--relationship"),
    (["-r", "work", "--apologized-on", "2025-03-01"], 2, "--stage"),
    (["-r", "work", "-s", "no_reply"], 2, "--apologized-on"),
    (["-r", "work", "-s", "no_reply", "--apologized-on", "2025/03/01"], 8, "YYYY-MM-DD"),
    (["-r", "work", "-s", "no_reply", "--apologized-on", "3月1日"], 8, "YYYY-MM-DD"),
    (["-r", "work", "-s", "no_reply", "--apologized-on", "2025-02-30"], 8, "存在しない日付"),
    (["-r", "work", "-s", "no_reply", "--apologized-on", "2025-03-11"], 8, "未来"),
    (["-r", "work", "-s", "no_reply", "--apologized-on", "1899-12-31"], 8, "1900"),
    (["-r", "work", "-s", "no_reply", "--apologized-on", "2025-03-05", "--last-contact", "2025-03-04"], 8, "より前"),
    (["-r", "work", "-s", "no_reply", "--apologized-on", "2025-03-05", "--last-contact", "20250306"], 8, "YYYY-MM-DD"),
    (
        ["-r", "work", "-s", "no_reply", "--apologized-on", "2025-03-05", "--message", "/nonexistent/m.txt"],
        9,
        "見つかりません",
    ),
]


@pytest.mark.parametrize(("args", "code", "fragment"), BAD_CASES)
def test_bad_options_fail_in_japanese_without_traceback(args: list[str], code: int, fragment: str) -> None:
    r = _run(*args)
    assert r.exit_code == code, r.output
    assert "エラー" in r.stderr and fragment in r.stderr, r.stderr
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


@pytest.mark.parametrize(
    ("content", "code", "fragment"),
    [
        (b"\xff\xfe\x81 broken", 5, "UTF-8"),
        (b"\x00\x01\x02binary", 6, "バイナリ"),
        (b"   \n  ", 3, "空"),
        ("あ".encode() * 5001, 4, "長すぎ"),
    ],
)
def test_bad_message_files_fail_in_japanese(tmp_path: Path, content: bytes, code: int, fragment: str) -> None:
    f = tmp_path / "msg.txt"
    f.write_bytes(content)
    r = _run("-r", "partner", "-s", "cold", "--apologized-on", "2025-03-05", "--message", str(f))
    assert r.exit_code == code, r.output
    assert fragment in r.stderr and "Traceback" not in r.output


def test_a_directory_as_message_and_an_unwritable_ics_path_fail_cleanly(tmp_path: Path) -> None:
    r = _run("-r", "partner", "-s", "cold", "--apologized-on", "2025-03-05", "--message", str(tmp_path))
    assert r.exit_code == 9 and "見つかりません" in r.stderr
    r = _run(
        "-r",
        "partner",
        "-s",
        "cold",
        "--apologized-on",
        "2025-03-05",
        "--ics",
        str(tmp_path / "missing-dir" / "plan.ics"),
    )
    assert r.exit_code == 1 and "書き出せません" in r.stderr
    assert "Traceback" not in r.output
