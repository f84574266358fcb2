"""The on-disk cache of the validated knowledge base (:func:`nakanaori.knowledge.loader.cached`).

Its key is a hash of the files a value is built from: a changed file is a new value at once, a corrupt
entry is rebuilt, and a cache directory that cannot be written costs nothing but the cache. The last
tests run the real CLI in fresh processes with the cache in a temporary directory.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nakanaori.check.rules import RULES_DIR, load_rules, load_rules_from
from nakanaori.knowledge import loader as cache
from nakanaori.knowledge.loader import KnowledgeError

TEXT = "昨日は約束の時間に遅れて、本当にごめんね。次からは早めに家を出るね。"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv("NAKANAORI_CACHE_DIR", str(where))
    return where


def _entries(where: Path, name: str) -> list[Path]:
    return sorted(where.rglob(f"{name}-*.pickle"))


def _rules_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "rules"
    shutil.copytree(RULES_DIR, copy)
    return copy


def _load(copy: Path) -> tuple[object, ...]:
    return cache.cached("rules-copy", lambda: load_rules_from(copy), files=copy.glob("*.yaml"))


def _why(rules: tuple[object, ...], rule_id: str) -> str:
    return next(r.why for r in rules if r.id == rule_id)  # type: ignore[attr-defined]


def test_a_changed_file_gives_the_new_value_never_the_cached_one(tmp_path: Path, cache_dir: Path) -> None:
    copy = _rules_copy(tmp_path)
    first = _load(copy)
    assert len(_entries(cache_dir, "rules-copy")) == 1
    assert _load(copy) == first  # read back from the entry
    rule_id = first[0].id  # type: ignore[attr-defined]
    path = next(p for p in sorted(copy.glob("*.yaml")) if f"id: {rule_id}\n" in p.read_text(encoding="utf-8"))
    old_why = _why(first, rule_id).strip()
    path.write_text(path.read_text(encoding="utf-8").replace(old_why, "書き換えた理由です。", 1), encoding="utf-8")
    second = _load(copy)
    assert _why(second, rule_id).strip() == "書き換えた理由です。"
    assert len(_entries(cache_dir, "rules-copy")) == 1  # the old key's entry is gone
    # an invalid file is still reported as the loader reports it, whatever is in the cache
    path.write_text(path.read_text(encoding="utf-8").replace("rules:", "rulez:", 1), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=path.name):
        _load(copy)


def test_a_corrupt_entry_is_rebuilt(tmp_path: Path, cache_dir: Path) -> None:
    copy = _rules_copy(tmp_path)
    first = _load(copy)
    (entry,) = _entries(cache_dir, "rules-copy")
    whole = entry.read_bytes()
    flipped = whole[:-200] + bytes(b ^ 0xFF for b in whole[-200:])
    for garbage in (b"", b"not a pickle", whole[:1000], whole[:-64], whole + b"\0" * 64, flipped, pickle.dumps(first)):
        entry.write_bytes(garbage)
        assert _load(copy) == first
        assert entry.read_bytes() == whole  # rewritten whole
        assert cache._read(entry) == first


def test_an_unwritable_cache_location_costs_only_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("NAKANAORI_CACHE_DIR", str(blocker / "cache"))  # below a file: never creatable, even as root
    copy = _rules_copy(tmp_path)
    assert _load(copy) == load_rules_from(copy)
    monkeypatch.setenv("NAKANAORI_CACHE_DIR", "off")
    assert cache.cache_dir() is None
    assert _load(copy) == load_rules_from(copy)


def test_cache_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NAKANAORI_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "nakanaori"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")  # the XDG spec: only absolute paths count
    assert cache.cache_dir() == Path.home() / ".cache" / "nakanaori"
    monkeypatch.setenv("NAKANAORI_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"


def test_the_packaged_rules_equal_a_fresh_validation() -> None:
    assert load_rules() == load_rules_from(RULES_DIR)


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "from nakanaori.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_cli_fills_reuses_and_repairs_its_cache(tmp_path: Path) -> None:
    where = tmp_path / "cache"
    env = {**os.environ, "NAKANAORI_CACHE_DIR": str(where)}
    first = _cli(["check", TEXT, "--json"], env)
    assert first.returncode == 0, first.stderr
    entries = _entries(where, "rules") + _entries(where, "model")
    assert len(entries) == 2
    assert _cli(["check", TEXT, "--json"], env).stdout == first.stdout  # from the cache
    for entry in entries:
        entry.write_bytes(b"\x80\x05garbage")
    again = _cli(["check", TEXT, "--json"], env)
    assert (again.returncode, again.stdout) == (0, first.stdout)
    assert all(cache._read(e) is not None for e in entries)  # rebuilt in place
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    unwritable = _cli(["check", TEXT, "--json"], {**env, "NAKANAORI_CACHE_DIR": str(blocker / "cache")})
    assert (unwritable.returncode, unwritable.stdout, unwritable.stderr) == (0, first.stdout, "")
    assert json.loads(first.stdout)["text"] == TEXT


def test_the_code_fingerprint_sees_every_module_change(tmp_path: Path) -> None:
    """The cache key includes every module of the package by size and modification time, nested ones too."""
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.py").write_text("x = 1\n")
    nested = tmp_path / "sub" / "deeper" / "b.py"
    nested.write_text("y = 2\n")
    (tmp_path / "sub" / "notes.txt").write_text("not a module\n")
    before = sorted(cache._modules(str(tmp_path), ""))
    assert [rel for rel, _, _ in before] == ["a.py", "sub/deeper/b.py"]
    nested.write_text("y = 3\n")  # same size: the modification time tells
    st = nested.stat()
    os.utime(nested, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert sorted(cache._modules(str(tmp_path), "")) != before
