"""Browser fixtures: Debian's Chromium driven by Playwright, and a server for the pages.

Chromium is the system one (``/usr/bin/chromium``, installed by
``scripts/ensure-chromium`` from ``make test``); Playwright never downloads a
browser of its own. A missing Chromium fails these tests rather than skipping
them, so the test command cannot pass without the browser tests. Browser tests
run on SQLite only: the pages read through the same API the other tests check
on both backends.
"""

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer

from conftest import SEED, sdk_config

CHROMIUM = Path("/usr/bin/chromium")

#: Headless, as root in a container: no sandbox, no GPU, no /dev/shm, nothing fetched.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--metrics-recording-only",
]

#: Short enough that a closed page leaves within a test's patience.
PRESENCE_TIMEOUT_S = 3


# Module-scoped, not session-scoped: Playwright's sync API runs an event loop
# on this thread while it lives, and the rest of the suite's asyncio tests
# cannot run their own loops beside it.
@pytest.fixture(scope="module")
def playwright_driver() -> Iterator[Playwright]:
    """Playwright's driver process for one test module."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def chromium(playwright_driver: Playwright) -> Iterator[Browser]:
    """The system Chromium, headless, for one test module."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (scripts/ensure-chromium installs it)")
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh page in its own context (no cookies or storage shared between tests)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def web_server() -> Iterator[DingconfServer]:
    """A server on SQLite, seeded like the API tests' one, for the browser tests."""
    with tempfile.TemporaryDirectory(prefix="dingconf-browser-") as tmp:
        srv = InProcessServer(Path(tmp), seed=SEED, presence_timeout_s=PRESENCE_TIMEOUT_S)
        srv.start()
        try:
            yield srv
        finally:
            srv.stop()


@pytest.fixture(scope="session")
def conf(web_server: DingconfServer) -> ConferenceClient:
    """The official SDK pointed at the browser tests' server."""
    return ConferenceClient(sdk_config(web_server))


@pytest.fixture(scope="session")
def token(web_server: DingconfServer) -> str:
    """An access token of the seeded acme app on that server."""
    return web_server.token("acme-app", "acme-secret")
