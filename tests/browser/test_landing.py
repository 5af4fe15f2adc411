"""The landing page and the HTML 404 in Chromium: what a new user sees first, copyable,
accessible."""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from in_process_server import InProcessServer

from browser.accessibility import assert_accessible

PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def demo_server() -> Iterator[InProcessServer]:
    """A fresh loopback server: the demo organisation and its documented credentials."""
    with (
        tempfile.TemporaryDirectory(prefix="dingconf-landing-") as tmp,
        InProcessServer(Path(tmp)) as server,
    ):
        yield server


def test_the_landing_page_shows_the_demo_credentials_and_copies_a_snippet(
    chromium: Browser, demo_server: InProcessServer
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo_server.url)
    page = context.new_page()
    try:
        page.goto(f"{demo_server.url}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("dingconf")
        expect(page.locator(".credentials")).to_contain_text(
            "appKey demo-app, appSecret demo-secret"
        )
        expect(page.get_by_role("table")).to_contain_text("dingdemo")
        curl = page.locator("#curl-code")
        expect(curl).to_contain_text(f"{demo_server.url}/v1.0/oauth2/accessToken")
        page.locator('button[data-copy="curl-code"]').click()
        expect(page.get_by_role("status")).to_have_text("Copied.")
        assert page.evaluate("navigator.clipboard.readText()") == curl.text_content()
        assert_accessible(page)
        page.set_viewport_size(PHONE)
        assert_accessible(page)
    finally:
        context.close()


def test_a_page_that_is_not_there_is_an_html_404_pointing_at_the_closest(
    page: Page, demo_server: InProcessServer
) -> None:
    reply = page.goto(f"{demo_server.url}/console")
    assert reply is not None and reply.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    closest = page.get_by_role("link", name="/_dingconf/console")
    expect(closest).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Home").click()
    expect(page.locator(".credentials")).to_contain_text("demo-secret")


def test_a_dead_short_link_says_why_in_the_browser(
    page: Page, demo_server: InProcessServer
) -> None:
    reply = page.goto(f"{demo_server.url}/s/deadbeef")
    assert reply is not None and reply.status == 404
    expect(page.get_by_role("main")).to_contain_text("the short link is invalid or expired")
    assert_accessible(page)
