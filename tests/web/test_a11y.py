"""axe-core (pinned in package.json / package-lock.json, installed by `make js-deps`) inside real
Chromium, on every page and state at 390×844 and 1280×800: zero violations.

axe is evaluated through the DevTools protocol, so the page's own Content-Security-Policy stays on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import DESKTOP, FIX_DRAFT, PHONE, _context, browser, db_file, server, wait_checked  # noqa: F401

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make js-deps` (npm ci from package-lock.json)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(params=["phone", "desktop"])
def page(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:  # noqa: F811
    ctx = _context(browser, PHONE if request.param == "phone" else DESKTOP)
    yield ctx.new_page()
    ctx.close()


def assert_no_violations(page: Any, axe_source: str, state: str) -> None:
    # after a full-page submit the new document's element can be there before its stylesheet and fonts:
    # axe must see the page as the user does (unstyled, every button is too small)
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    # at the top, the sticky tab bar covers nothing (scrolled, axe counts what slides under it as obscured)
    page.evaluate("window.scrollTo(0, 0)")
    results = page.evaluate(
        """async () => {
             const r = await axe.run(document, {rules: {'target-size': {enabled: true}}, resultTypes: ['violations']});
             return r.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
           }"""
    )
    assert results == [], f"{state} @ {page.viewport_size['width']}px:\n" + json.dumps(
        results, ensure_ascii=False, indent=1
    )


def test_check_page_states(page: Any, server: str, axe_source: str) -> None:  # noqa: F811
    page.goto(server + "/")
    assert_no_violations(page, axe_source, "check: empty")
    page.select_option("select[name=relationship]", "partner")
    page.fill("#draft-input", FIX_DRAFT)
    wait_checked(page, FIX_DRAFT)
    assert_no_violations(page, axe_source, "check: live result with findings")
    page.focus("#draft-input")
    page.keyboard.press("Control+End")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # inside 「次からは気をつける」
    page.wait_for_selector("#caret-hint:not([hidden])")
    assert_no_violations(page, axe_source, "check: the caret hint under the text box")
    page.click("details#goods summary")
    page.locator("button[data-dispute]").first.click()
    page.wait_for_selector("#dispute-panel")
    assert_no_violations(page, axe_source, "check: goods open, dispute panel")
    page.click("#missed-btn")
    page.wait_for_selector("#missed-panel")
    assert_no_violations(page, axe_source, "check: missed panel")
    page.fill("#draft-input", "x" * 10 + "\u3000")  # not Japanese: the 'none' verdict
    wait_checked(page, "x" * 10 + "\u3000")
    assert_no_violations(page, axe_source, "check: not Japanese")
    page.click("#check-submit")
    page.wait_for_selector("#verdict")
    assert_no_violations(page, axe_source, "check: after a full-page submit")
    page.fill("#draft-input", "昨日は遅れてごめんね。待っててくれてありがとう。")
    wait_checked(page, "昨日は遅れてごめんね。待っててくれてありがとう。")
    assert_no_violations(page, axe_source, "check: a good draft")
    page.evaluate("document.getElementById('draft-input').removeAttribute('required')")
    page.fill("#draft-input", "  ")
    page.click("#check-submit")
    page.wait_for_selector("#page-error")
    assert_no_violations(page, axe_source, "check: error")


def test_other_pages(page: Any, server: str, axe_source: str) -> None:  # noqa: F811
    page.goto(server + "/consult")
    assert_no_violations(page, axe_source, "consult: empty")
    page.fill("textarea[name=text]", "3日前に彼女に謝ったけど、まだ返事がない")
    page.click("#consult-form button[type=submit]")
    page.wait_for_selector("#templates")
    assert_no_violations(page, axe_source, "consult: advice")
    page.click("#guidance summary")
    assert_no_violations(page, axe_source, "consult: guidance open")
    page.fill("textarea[name=text]", "謝ったけど")
    page.select_option("select[name=relationship]", "")
    page.select_option("select[name=stage]", "")
    page.click("#consult-form button[type=submit]")
    page.wait_for_selector("#guess")
    assert_no_violations(page, axe_source, "consult: unsure guess")
    page.goto(server + "/compose")
    assert_no_violations(page, axe_source, "compose: empty")
    page.select_option("select[name=relationship]", "work")
    page.select_option("select[name=stage]", "just_apologized")
    page.fill("input[name=did]", "報告が遅れた")
    page.fill("input[name=will]", "毎朝進み具合を共有する")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("#variants")
    assert_no_violations(page, axe_source, "compose: variants")
    for url in ("/guide", "/guide/stage/no_reply", "/guide/relationship/work", "/guide/dont", "/guide/examples"):
        page.goto(server + url)
        assert_no_violations(page, axe_source, url)
    page.goto(server + "/nowhere")
    assert_no_violations(page, axe_source, "404")


def test_journal_pages(page: Any, server: str, axe_source: str) -> None:  # noqa: F811
    page.goto(server + "/journal")
    assert_no_violations(page, axe_source, "journal: empty")
    page.fill("input[name=title]", "上司(報告の件)")
    page.select_option("#new-case select[name=relationship]", "work")
    page.select_option("#new-case select[name=stage]", "just_apologized")
    page.fill("input[name=apologized_on]", "2026-11-20")
    page.click("#new-case button[type=submit]")
    page.wait_for_selector("#case-title")
    page.locator("li.step button.tick").first.click()
    page.wait_for_selector("li.step.done")
    page.fill("#messages textarea[name=text]", "ご迷惑をおかけし、申し訳ございません。今後は毎朝ご報告いたします。")
    page.click("#messages button[type=submit]")
    page.wait_for_selector("#messages .bubble")
    page.click("details.add summary")
    assert_no_violations(page, axe_source, "journal: case")
    page.goto(server + "/")
    page.fill("#draft-input", "ごめんね")
    page.click("#check-submit")
    page.wait_for_selector(".save-form")
    assert_no_violations(page, axe_source, "check: with the save-to-journal form")
    page.goto(server + "/journal")
    assert_no_violations(page, axe_source, "journal: list")
    page.goto(page.url.replace("/journal", "/journal?deleted=1"))
    assert_no_violations(page, axe_source, "journal: deleted notice")
    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("form.confirm button.danger")
    assert_no_violations(page, axe_source, "journal: all deleted")


def test_axe_does_see_a_violation(page: Any, server: str, axe_source: str) -> None:  # noqa: F811
    """The harness can fail: the old main-button colours (white on #d8735f, 3.21:1) are caught."""
    page.goto(server + "/")
    page.evaluate("document.querySelector('#check-submit').style.background = '#d8735f'")
    with pytest.raises(AssertionError, match="color-contrast"):
        assert_no_violations(page, axe_source, "old button colour")
