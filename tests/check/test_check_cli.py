"""`nakanaori check`, `kb check` and `eval messages` as a user runs them (real subprocesses)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nakanaori.errors import EXIT_CODES

EXE = [sys.executable, "-m", "nakanaori.cli"]


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*EXE, *args], input=stdin, capture_output=True, timeout=120, check=False)


@pytest.fixture(scope="module", autouse=True)
def _module_entry() -> None:
    # `python -m nakanaori.cli` needs a __main__; make sure the console script path works too
    assert (Path(__file__).parents[2] / "src" / "nakanaori" / "cli" / "__main__.py").is_file()


def test_check_json_has_the_contract_keys() -> None:
    p = run("check", "昨日は遅刻してごめん。次からは早めに出るね", "-r", "partner", "--json")
    assert p.returncode == 0, p.stderr.decode()
    data = json.loads(p.stdout)
    for key in ("labels", "register", "findings", "verdict", "score", "score_note", "notes", "next_edits"):
        assert key in data
    assert {"apology", "responsibility", "commitment"} <= set(data["labels"])


@pytest.mark.parametrize(
    ("draft", "stage", "headline", "fixes"),
    [
        ("遅れてごめんね。電車が止まってたから。", "just_apologized", "2 か所直すとよくなります", "直すところ 2 つ"),
        ("少しは落ち着いた?", "distance", "このまま送って大丈夫", None),
        ("いつになったら返事くれるの?", "no_reply", "このままだと逆効果になりそうです", "直すところ"),
    ],
)
def test_check_human_output_shows_the_verdict_first(draft: str, stage: str, headline: str, fixes: str | None) -> None:
    p = run("check", draft, "-r", "friend", "-s", stage)
    assert p.returncode == 0, p.stderr.decode()
    out = p.stdout.decode()
    lines = [x.strip() for x in out.splitlines() if x.strip() and "仲直りチェック" not in x]
    assert lines[0] == headline
    if fixes:
        assert lines[1].startswith(fixes)
    else:
        assert "直すところ" not in out
    assert out.index(headline) < out.index(draft) < out.index("スコア")  # the number is secondary
    assert "目安の点数" in out


def test_check_human_output_lists_reasons() -> None:
    p = run("check", "気分を害したならごめん", "-r", "friend")
    out = p.stdout.decode()
    assert p.returncode == 0
    assert "条件付きの謝罪" in out and "→" in out


def test_check_reads_stdin() -> None:
    p = run("check", "-", "--json", stdin="ありがとう、これからもよろしくね".encode())
    assert p.returncode == 0
    assert "gratitude" in json.loads(p.stdout)["labels"]


def test_text_never_reaches_stderr_or_logs() -> None:
    secret = "秘密の内容ごめん"
    p = run("check", secret, "--json")
    assert secret not in p.stderr.decode()


@pytest.mark.parametrize(
    ("stdin", "code"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        ("あ".encode() * 5001, "too_long"),
        (b"\xe3\x81\x94\xff\xfe", "invalid_utf8"),
        (b"\x00\x01\x02binary\x00", "binary"),
    ],
)
def test_bad_stdin_gets_a_clear_error_and_its_own_exit_code(stdin: bytes, code: str) -> None:
    p = run("check", "-", stdin=stdin)
    assert p.returncode == EXIT_CODES[code]
    err = p.stderr.decode()
    assert "エラー" in err and "Traceback" not in err


def test_unknown_relationship_is_a_usage_error() -> None:
    p = run("check", "ごめん", "-r", "boss")
    assert p.returncode == EXIT_CODES["bad_option"]
    assert "Traceback" not in p.stderr.decode()


def test_english_text_says_no_japanese() -> None:
    p = run("check", "sorry about that", "--json")
    assert p.returncode == 0
    data = json.loads(p.stdout)
    assert data["japanese"] is False and data["labels"] == []


def test_jsonl_mode_reports_bad_lines_and_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "ごめんね", "relationship": "friend", "extra": 1}, ensure_ascii=False),
                "{not json",
                json.dumps({"id": "b", "text": ""}),
                json.dumps({"id": "c", "text": "もう許してくれた?"}, ensure_ascii=False),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    p = run("check", "--jsonl", str(src))
    assert p.returncode == EXIT_CODES["bad_jsonl"]
    rows = [json.loads(line) for line in p.stdout.decode().splitlines()]
    by_id = {r["id"]: r for r in rows}
    assert by_id["a"]["labels"] == ["apology"] and "score" in by_id["a"] and "findings" in by_id["a"]
    assert by_id["b"]["error"] == "empty"
    assert "rushing" in by_id["c"]["labels"]
    err = p.stderr.decode()
    assert "2行目" in err and "3行目" in err


def test_jsonl_from_stdin_all_good_exits_zero() -> None:
    lines = "\n".join(
        json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in enumerate(["ごめん", "ありがとう"])
    )
    p = run("check", "--jsonl", "-", stdin=lines.encode())
    assert p.returncode == 0
    assert len(p.stdout.decode().splitlines()) == 2


def test_kb_check_passes() -> None:
    p = run("kb", "check")
    assert p.returncode == 0, p.stderr.decode()
    assert "knowledge base OK" in p.stdout.decode()


def test_eval_messages_json(tmp_path: Path) -> None:
    f = tmp_path / "gold.jsonl"
    f.write_text(
        "\n".join(
            json.dumps(r, ensure_ascii=False)
            for r in [
                {"id": "x1", "text": "ごめんね", "labels": ["apology"], "register": "casual"},
                {"id": "x2", "text": "返事まだ?", "labels": ["rushing"], "register": "casual"},
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    p = run("eval", "messages", str(f), "--json")
    assert p.returncode == 0
    data = json.loads(p.stdout)
    assert data["n"] == 2 and data["register_accuracy"] == 1.0
    assert data["labels"]["apology"]["f1"] == 1.0
