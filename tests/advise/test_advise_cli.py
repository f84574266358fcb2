"""``nakanaori advise`` and ``nakanaori eval situations`` through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nakanaori.cli.main import app

runner = CliRunner()
DEV = Path("/work/shared/eval/situations.dev.jsonl")
EXTRA = Path(__file__).parents[1] / "data" / "situations_extra.jsonl"


def test_advise_human_output() -> None:
    r = runner.invoke(app, ["advise", "彼氏に謝ったのに未読のまま2日…", "--today", "2025-06-13"])
    assert r.exit_code == 0, r.output
    assert "返事がない" in r.output and "恋人・配偶者" in r.output
    assert "やめておくこと" in r.output and "06/18" in r.output and "文例" in r.output


def test_advise_json() -> None:
    r = runner.invoke(app, ["advise", "上司に報告漏れで謝罪した。その後どう信頼を取り戻せば", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["relationship"] == "work"
    assert {"stage", "confidence", "question", "facts", "guidance", "timing", "templates"} <= set(data)
    assert data["guidance"]["do"] and data["guidance"]["dont"][0]["why"]


def test_advise_explicit_without_text() -> None:
    r = runner.invoke(app, ["advise", "-r", "friend", "-s", "awkward", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["relationship"], data["stage"], data["confidence"]) == ("friend", "awkward", 1.0)


def test_advise_shows_question_when_unsure() -> None:
    r = runner.invoke(app, ["advise", "謝ったけど、このあとどうしたらいいかわからない"])
    assert r.exit_code == 0
    assert "確認させてください" in r.output


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["advise", ""], 3, "空"),
        (["advise", "あ" * 5001], 4, "長すぎ"),
        (["advise", "I said sorry to my friend"], 10, "日本語"),  # EXIT_CODES["no_japanese"]
        (["advise", "彼氏に謝った", "-r", "boss"], 2, "partner"),
        (["advise", "彼氏に謝った", "-s", "angry"], 2, "no_reply"),
        (["advise"], 2, "--relationship"),
        (["advise", "彼氏に謝った", "--apologized-on", "2099-01-01"], 8, "未来"),
        (["advise", "彼氏に謝った", "--apologized-on", "yesterday"], 8, "YYYY-MM-DD"),
    ],
)
def test_advise_bad_input(args: list[str], code: int, needle: str) -> None:
    r = runner.invoke(app, args)
    assert r.exit_code == code, r.output
    assert needle in r.output
    assert "Traceback" not in r.output


def test_advise_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"id": "a", "text": "おかんに謝ったけど既読スルー"}\n'
        "this is not json\n"
        '{"id": "b", "text": "友達に謝ったら「ちょっと距離置きたい」って言われた", "stage": "cold"}\n'
        '{"id": "c"}\n',
        encoding="utf-8",
    )
    r = runner.invoke(app, ["advise", "--jsonl", str(src)])
    assert r.exit_code == 7
    out = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    by_id = {o["id"]: o for o in out}
    assert by_id["a"]["relationship"] == "family" and by_id["a"]["stage"] == "no_reply"
    # labels in the file are never used as input
    assert by_id["b"]["stage"] == "distance"
    assert by_id["c"]["error"] == "text_missing"
    assert "2行目" in r.stderr


def test_advise_jsonl_stdin() -> None:
    r = runner.invoke(app, ["advise", "--jsonl", "-"], input='{"id": 1, "text": "嫁に謝ったけど塩対応"}\n')
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["stage"] == "cold"


@pytest.mark.skipif(not DEV.exists(), reason="shared dev data not mounted")
def test_eval_situations_dev_json() -> None:
    r = runner.invoke(app, ["eval", "situations", str(DEV), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["n"] == 120
    assert data["relationship_accuracy"] >= 0.95 and data["stage_accuracy"] >= 0.90
    assert set(data["stages"]) == {
        "just_apologized",
        "days_later",
        "not_forgiven",
        "cold",
        "no_reply",
        "rejected",
        "awkward",
        "distance",
        "not_my_fault",
        "improve",
    }
    assert all("f1" in s for s in data["stages"].values())


def test_eval_situations_table() -> None:
    r = runner.invoke(app, ["eval", "situations", str(EXTRA)])
    assert r.exit_code == 0, r.output
    assert "stage accuracy" in r.output and "no_reply" in r.output


def test_eval_situations_bad_file(tmp_path: Path) -> None:
    r = runner.invoke(app, ["eval", "situations", str(tmp_path / "missing.jsonl")])
    assert r.exit_code == 9 and "見つかりません" in r.output
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"id": "x", "text": "彼氏に謝った"}\n', encoding="utf-8")
    r = runner.invoke(app, ["eval", "situations", str(empty)])
    assert r.exit_code == 7 and "評価できる行" in r.output
