"""Real Debian chromium (Playwright for Python) against the app served by a real uvicorn.

Screenshots of every page at a 390×844 phone viewport go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from live_server import live_server

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "locale": "ja-JP",
    "timezone_id": "Asia/Tokyo",
    "accept_downloads": True,
}
EMOJI_DRAFT = (
    "昨日はごめんね😢🙏 話を聞いてくれてありがとう👨‍👩‍👧 でも忙しかったから仕方なかった。これからもよろしくね✨"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail("Debian chromium is missing: run `make system-deps`")
    tmp = tmp_path_factory.mktemp("browser")
    with live_server(f"sqlite:///{tmp / 'browser.sqlite3'}", log_path=tmp / "uvicorn.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(**PHONE)
    pg = ctx.new_page()
    yield pg
    ctx.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky tab bar would otherwise land mid-page
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name}: the page is {overflow}px wider than the phone screen"


def test_check_highlights_line_up_with_emoji(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/")
    shot(page, "01-check-empty")
    page.fill("textarea[name=text]", EMOJI_DRAFT)
    page.select_option("select[name=relationship]", "partner")
    page.click("#check-form button[type=submit]")
    page.wait_for_selector("#draft")
    findings = json.loads(page.inner_text("#findings-data"))
    assert findings, "the analyser should find the apology and the thanks"
    assert page.inner_text("#draft") == EMOJI_DRAFT
    for f in findings:
        # what the browser highlights for this finding, read back from the DOM
        marked = page.evaluate(
            """(i) => Array.from(document.querySelectorAll('#draft a.hl'))
                 .filter(a => a.dataset.findings.split(' ').includes(String(i)))
                 .map(a => a.textContent).join('')""",
            f["i"],
        )
        assert marked == f["text"], f
        # and the API's UTF-16 offsets slice the same text in JavaScript
        sliced = page.evaluate("([s, a, b]) => s.slice(a, b)", [EMOJI_DRAFT, f["start_utf16"], f["end_utf16"]])
        assert sliced == f["text"], f
    kinds = {f["kind"] for f in findings}
    if "ng" in kinds:
        color_ng = page.eval_on_selector("#draft a.hl-ng", "a => getComputedStyle(a).backgroundColor")
        color_good = page.eval_on_selector("#draft a.hl-good", "a => getComputedStyle(a).backgroundColor")
        assert color_ng != color_good
    first = page.locator("#draft a.hl").first
    first.click()  # progressive enhancement: the reason appears under the draft
    assert page.locator(".popover").is_visible()
    assert page.inner_text(".popover").strip()
    shot(page, "02-check-result")


def test_consult_template_to_check(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/consult")
    page.fill("textarea[name=text]", "3日前に彼女に謝ったけど、まだ返事がない")
    page.click("#consult-form button[type=submit]")
    page.wait_for_selector("#templates")
    shot(page, "03-consult")
    template_text = page.inner_text("#tpl-1").strip()
    page.locator("#templates form button").first.click()
    page.wait_for_selector("#draft")
    assert page.input_value("textarea[name=text]") == template_text
    assert page.inner_text("#draft") == template_text
    assert page.input_value("select[name=relationship]") == "partner"
    shot(page, "04-consult-to-check")


def test_compose_and_guide_pages(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/compose")
    page.select_option("select[name=relationship]", "friend")
    page.select_option("select[name=stage]", "days_later")
    page.fill("input[name=did]", "約束をすっぽかした")
    page.fill("input[name=will]", "予定をすぐメモする")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("#variants")
    assert page.locator(".variant").count() >= 1
    shot(page, "05-compose")
    for url, name in (
        ("/guide", "06-guide"),
        ("/guide/stage/no_reply", "07-guide-stage"),
        ("/guide/relationship/work", "08-guide-work"),
        ("/guide/dont", "09-guide-dont"),
    ):
        page.goto(server + url)
        assert page.locator("h1").inner_text().strip()
        shot(page, name)


def test_journal_case_step_ics_and_privacy(browser, server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(server + "/journal")
    shot(page, "10-journal-empty")
    page.fill("input[name=title]", "ゆいとのこと🌙")
    page.select_option("#new-case select[name=relationship]", "partner")
    page.select_option("#new-case select[name=stage]", "no_reply")
    page.fill("input[name=apologized_on]", "2026-11-20")
    page.fill("textarea[name=what_happened]", "約束の時間に1時間遅れた")
    page.click("#new-case button[type=submit]")
    page.wait_for_selector("#case-title")
    case_url = page.url
    assert re.search(r"/journal/cases/\d+$", case_url)
    steps = page.locator("li.step")
    assert steps.count() > 0
    first = steps.first
    first_id = first.get_attribute("id")
    first.locator("button.tick").click()
    page.wait_for_selector(f"#{first_id}.done")
    assert page.locator(f"#{first_id} button.tick").get_attribute("aria-pressed") == "true"
    page.fill("#messages textarea[name=text]", "遅れてごめんね。待っててくれてありがとう。")
    page.click("#messages button[type=submit]")
    page.wait_for_selector("#messages .bubble")
    shot(page, "11-journal-case")
    with page.expect_download() as dl:
        page.click("#ics-link")
    ics_path = tmp_path / "plan.ics"
    dl.value.save_as(ics_path)
    ics = ics_path.read_text(encoding="utf-8")
    assert ics.startswith("BEGIN:VCALENDAR")
    assert ics.count("BEGIN:VEVENT") == steps.count()
    assert "✓" in ics  # the step marked done
    page.goto(server + "/journal")
    shot(page, "12-journal-list")
    assert "ゆいとのこと🌙" in page.inner_text("#case-list")

    other = browser.new_context(**PHONE)
    stranger = other.new_page()
    stranger.goto(server + "/journal")
    assert "ゆいとのこと" not in stranger.content()
    resp = stranger.goto(case_url)
    assert resp is not None and resp.status == 404
    assert "見つかりません" in stranger.inner_text("h1")
    shot(stranger, "13-other-browser-404")
    other.close()
    ctx.close()
