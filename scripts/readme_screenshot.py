"""Take the README's phone screenshot (docs/images/check-phone.png): the チェック editor at 390×844
in Debian chromium, against the real app on a throwaway SQLite file.

Run: .venv/bin/python scripts/readme_screenshot.py"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402

from live_server import live_server  # noqa: E402

DRAFT = "昨日はごめん😢 でも忙しかったから仕方なかった。許してくれるよね?次からは気をつける。"


def main() -> None:
    out = ROOT / "docs" / "images" / "check-phone.png"
    with (
        tempfile.TemporaryDirectory() as tmp,
        live_server(f"sqlite:///{tmp}/readme.sqlite3") as base,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, locale="ja-JP")
        page = ctx.new_page()
        page.goto(base + "/")
        page.select_option("select[name=relationship]", "partner")
        page.select_option("select[name=stage]", "just_apologized")
        page.fill("#draft-input", DRAFT)
        page.wait_for_function("t => document.getElementById('result').dataset.text === t", arg=DRAFT)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out))
        browser.close()
    print(out)


if __name__ == "__main__":
    main()
