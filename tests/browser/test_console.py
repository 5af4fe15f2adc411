"""The web console in Chromium: live updates, actions reflected in the API, accessibility."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from playwright.sync_api import Browser, Page, expect

from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer
from lifecycle import info, member_map, own_link, sdk

from browser.accessibility import assert_accessible
from browser.conftest import PRESENCE_TIMEOUT_S
from conftest import SEED, sdk_config

PHONE = {"width": 375, "height": 812}


def create(conf: ConferenceClient, token: str, title: str) -> str:
    request = m.CreateVideoConferenceRequest(
        user_id="u-host", conf_title=title, invite_user_ids=["u-alice"]
    )
    return str(sdk(conf, token, "CreateVideoConference", request).conference_id)


def console(page: Page, server: DingconfServer, route: str = "#/") -> None:
    page.goto(f"{server.url}/_dingconf/console{route}")
    expect(page.locator("#clock")).to_contain_text("UTC")


def meeting_row(page: Page, cid: str):
    return page.locator(f'tr[data-conference-id="{cid}"]')


def test_a_meeting_created_through_the_sdk_appears_without_reload(
    page: Page, web_server: DingconfServer, conf: ConferenceClient, token: str
) -> None:
    console(page, web_server)
    page.evaluate("window.notReloaded = true")
    cid = create(conf, token, "Appears live")
    row = meeting_row(page, cid)
    expect(row).to_contain_text("Appears live")
    expect(row.locator('[data-field="invitedNum"]')).to_have_text("1")
    web_server.participants.join(cid, "u-alice")
    expect(row.locator('[data-field="activeNum"]')).to_have_text("1")
    expect(row.locator('[data-field="attendNum"]')).to_have_text("1")
    assert page.evaluate("window.notReloaded") is True


def test_console_actions_are_what_the_api_answers(
    page: Page, web_server: DingconfServer, conf: ConferenceClient, token: str
) -> None:
    cid = create(conf, token, "Driven from the console")
    web_server.participants.join(cid, "u-host")
    console(page, web_server)
    meeting_row(page, cid).get_by_role("link", name="Driven from the console").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Driven from the console")
    expect(page.locator("#active-num")).to_have_text("1")

    page.get_by_label("Person", exact=True).select_option("u-bob")
    page.get_by_role("button", name="Join").click()
    expect(page.locator("#active-num")).to_have_text("2")
    assert info(conf, token, cid).active_num == 2
    expect(page.locator('tr[data-union-id="u-bob"]')).to_contain_text("Inside")

    page.get_by_label("Line to say (as the person above)").fill("Hello from the console")
    page.get_by_role("button", name="Say").click()
    expect(page.locator("#timeline")).to_contain_text("Bob (u-bob) said: Hello from the console")

    page.get_by_role("button", name="Kick").click()
    expect(page.locator("#active-num")).to_have_text("1")
    assert member_map(conf, token, cid)["u-bob"].attend_status == 5
    expect(page.locator('tr[data-union-id="u-bob"]')).to_contain_text("Removed")
    expect(page.locator("#timeline")).to_contain_text("Bob (u-bob) was removed")

    page.get_by_role("button", name="Start recording").click()
    expect(page.locator("#recording")).to_contain_text("Recording")
    assert info(conf, token, cid).cloud_record_status == 1
    # The host's rules: a second start is refused, and the page says why.
    page.get_by_role("button", name="Start recording").click()
    expect(page.locator("#host-feedback")).to_contain_text("recordStartError")
    page.get_by_role("button", name="Stop recording").click()
    expect(page.locator("#recording")).to_contain_text("Finished")
    assert info(conf, token, cid).cloud_record_status == 3

    # The JSON shown is what QueryConferenceInfo answers.
    shown = page.locator("#confinfo").inner_text()
    assert f'"conferenceId": "{cid}"' in shown and '"cloudRecordStatus": 3' in shown

    page.get_by_role("button", name="Close meeting").click()
    page.get_by_role("dialog").get_by_role("button", name="Close the meeting").click()
    expect(page.locator("#meeting-meta")).to_contain_text("Ended")
    assert info(conf, token, cid).status == 1
    expect(page.locator("#timeline")).to_contain_text("Meeting closed")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_every_console_page_is_accessible(
    chromium: Browser,
    web_server: DingconfServer,
    conf: ConferenceClient,
    token: str,
    viewport: dict[str, int] | None,
) -> None:
    cid = create(conf, token, "Accessible")
    web_server.participants.join(cid, "u-host")
    web_server.participants.say(cid, "u-host", "Can everyone read this?")
    context = chromium.new_context(viewport=viewport or {"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(web_server.url + "/")
        assert_accessible(page)
        page.get_by_role("link", name="Console").click()
        expect(meeting_row(page, cid)).to_be_visible()
        assert_accessible(page)
        page.goto(f"{web_server.url}/_dingconf/console#/meetings/{cid}")
        expect(page.locator("#timeline")).to_contain_text("Can everyone read this?")
        assert_accessible(page)
        page.get_by_role("link", name="Toolkit").click()
        expect(page.get_by_role("heading", name="Request journal")).to_be_visible()
        expect(page.locator("#journal table")).to_be_visible()
        assert_accessible(page)
        if viewport:
            # Readable on a phone: nothing wider than the screen but scrollable tables.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"]
    finally:
        context.close()


def test_keyboard_alone_reaches_a_meeting_and_acts(
    page: Page, web_server: DingconfServer, conf: ConferenceClient, token: str
) -> None:
    cid = create(conf, token, "Keyboard only")
    console(page, web_server)
    link = meeting_row(page, cid).get_by_role("link", name="Keyboard only")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Keyboard only")
    page.get_by_label("Person", exact=True).focus()
    page.keyboard.press("Tab")  # to Join
    assert page.evaluate("document.activeElement.id") == "do-join"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Enter")
    expect(page.locator("#active-num")).to_have_text("1")
    assert info(conf, token, cid).active_num == 1


@pytest.fixture
def guarded(tmp_path: Path) -> Iterator[DingconfServer]:
    server = InProcessServer(tmp_path, seed=SEED, admin_token="console-admin").start()
    try:
        yield server
    finally:
        server.stop()


def test_with_an_admin_token_the_console_asks_for_it(page: Page, guarded: DingconfServer) -> None:
    acme_token = guarded.token("acme-app", "acme-secret")
    page.goto(f"{guarded.url}/_dingconf/console")
    field = page.get_by_label("Admin token")
    expect(field).to_be_focused()
    field.fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That admin token was refused.")
    assert_accessible(page)
    field.fill("console-admin")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Organisations and apps")).to_be_visible()
    expect(page.locator("#orgs")).to_contain_text("acme-app")
    assert page.evaluate("sessionStorage.getItem('dingconfAdminToken')") == "console-admin"
    html = page.content()
    for secret in ("console-admin", "acme-secret", "globex-secret", acme_token):
        assert secret not in html


@pytest.fixture(scope="module")
def beating(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """A server whose join pages time out after a few seconds without a heartbeat."""
    server = InProcessServer(
        tmp_path_factory.mktemp("presence"), seed=SEED, presence_timeout_s=PRESENCE_TIMEOUT_S
    ).start()
    try:
        yield server
    finally:
        server.stop()


def test_a_person_joining_on_the_join_page_shows_in_the_console_and_the_api(
    chromium: Browser, beating: InProcessServer
) -> None:
    sdk_client = ConferenceClient(sdk_config(beating))
    token = beating.token("acme-app", "acme-secret")
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    try:
        board = context.new_page()
        console(board, beating)
        request = m.CreateVideoConferenceRequest(user_id="u-host", conf_title="End to end")
        created = sdk(sdk_client, token, "CreateVideoConference", request)
        cid = created.conference_id
        row = meeting_row(board, cid)
        expect(row).to_contain_text("End to end")
        expect(row.locator('[data-field="activeNum"]')).to_have_text("0")

        joiner = context.new_page()
        # Carol's own link: the meeting's link alone admits guests only.
        joiner.goto(own_link(sdk_client, token, created.external_link_url, "u-carol"))
        expect(joiner.get_by_label("Join as")).to_have_value("u-carol")
        joiner.get_by_role("button", name="Join").click()
        expect(joiner.get_by_role("heading", name="You are in the meeting")).to_be_visible()
        expect(row.locator('[data-field="activeNum"]')).to_have_text("1")
        assert info(sdk_client, token, cid).active_num == 1
        assert member_map(sdk_client, token, cid)["u-carol"].attend_status == 3

        joiner.close()
        # Past the timeout on the server clock without a heartbeat: the sweep takes her out.
        beating.clock.advance(PRESENCE_TIMEOUT_S * 1000 + 1000)
        beating.sweep_presence()
        expect(row.locator('[data-field="activeNum"]')).to_have_text("0")
        assert info(sdk_client, token, cid).active_num == 0
        assert member_map(sdk_client, token, cid)["u-carol"].attend_status == 6
        # The meeting page tells the stay.
        board.goto(f"{beating.url}/_dingconf/console#/meetings/{cid}")
        expect(board.locator("#timeline")).to_contain_text("Carol (u-carol) joined from Web")
        expect(board.locator("#timeline")).to_contain_text("Carol (u-carol) left")
    finally:
        context.close()


def test_toolkit_page_drives_the_clock_faults_and_shows_the_journal(
    page: Page, guarded: DingconfServer
) -> None:
    page.goto(f"{guarded.url}/_dingconf/console#/toolkit")
    page.get_by_label("Admin token").fill("console-admin")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#clock-now")).to_contain_text("UTC")
    before = guarded.request("GET", "/_dingconf/clock")[2]["now"]
    page.get_by_label("Advance by (seconds)").fill("3600")
    page.get_by_role("button", name="Advance the clock").click()
    expect(page.locator("#clock-feedback")).to_contain_text("Advance the clock by 3600 s: done.")
    assert guarded.request("GET", "/_dingconf/clock")[2]["now"] >= before + 3_600_000

    page.get_by_label("Action (empty: any)").fill("QueryConferenceInfo")
    page.get_by_label("Error code").fill("systemBusy")
    page.get_by_label("HTTP status").fill("503")
    page.get_by_role("button", name="Add fault rule").click()
    expect(page.locator("#faults")).to_contain_text("503 systemBusy")
    (rule,) = guarded.request("GET", "/_dingconf/faults")[2]["faults"]
    assert (rule["action"], rule["status"], rule["code"]) == (
        "QueryConferenceInfo",
        503,
        "systemBusy",
    )
    token = guarded.token("acme-app", "acme-secret")
    refused = guarded.request(
        "GET",
        "/v1.0/conference/videoConferences/6323d7568777190142ab9d10",
        headers={"x-acs-dingtalk-access-token": token},
    )
    assert refused[0] == 503
    # The refused call is in the journal the page shows, and the rule counted it.
    expect(page.locator("#journal")).to_contain_text("QueryConferenceInfo")
    expect(page.locator("#faults")).to_contain_text("503 systemBusy")
    page.get_by_role("button", name=f"Remove fault rule {rule['id']}").click()
    expect(page.locator("#faults")).to_contain_text("No fault rules")
    assert guarded.request("GET", "/_dingconf/faults")[2]["faults"] == []
    assert_accessible(page)
    assert token not in page.content()
