"""The browser-test set-up itself: the system Chromium, offline axe-core, the server fixture."""

import subprocess

import pytest
from playwright.sync_api import Browser, Page, Route

from dingconf.testing.plugin import DingconfServer

from browser.accessibility import assert_accessible, serious_violations
from browser.conftest import CHROMIUM

INACCESSIBLE = """<!doctype html><html><head><title>bad</title></head><body>
<p style="color:#bbb;background:#fff">faint text</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text">
</body></html>"""

ACCESSIBLE = """<!doctype html><html lang="en"><head><title>good</title></head><body>
<main><h1>Fine</h1><p style="color:#222;background:#fff">dark text</p>
<label for="n">Name</label> <input id="n" type="text"></main>
</body></html>"""


def test_the_browser_is_debians_chromium(chromium: Browser) -> None:
    printed = subprocess.run(
        [str(CHROMIUM), "--version"], capture_output=True, text=True, check=True
    ).stdout
    # "Chromium 156.0.8078.108 built on Debian ..." — the version Playwright reports too.
    assert chromium.version in printed


def _offline(page: Page) -> None:
    """Refuse every network request of the page: axe must come from the package."""

    def refuse(route: Route) -> None:
        route.abort()

    page.context.route("**/*", refuse)


def test_axe_finds_serious_violations_offline(page: Page) -> None:
    _offline(page)
    page.set_content(INACCESSIBLE)
    found = {v["id"] for v in serious_violations(page)}
    assert {"color-contrast", "image-alt", "label"} <= found
    with pytest.raises(AssertionError, match=r"color-contrast \(serious\)"):
        assert_accessible(page)


def test_axe_passes_an_accessible_page(page: Page) -> None:
    _offline(page)
    page.set_content(ACCESSIBLE)
    assert_accessible(page)


def test_a_page_of_the_server_renders(page: Page, web_server: DingconfServer) -> None:
    page.goto(f"{web_server.url}/docs")
    page.get_by_role("heading", name="dingconf API").wait_for()
    page.get_by_text("QueryConferenceInfo").first.wait_for()
