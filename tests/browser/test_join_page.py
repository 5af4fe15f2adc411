"""The join page in Chromium: a person joins from the meeting's link and is inside
while the page is open; the official SDK sees them come and go."""

import time
from collections.abc import Callable

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from playwright.sync_api import Browser, Page, expect

from dingconf.testing.plugin import DingconfServer
from lifecycle import info, member_map, own_link, sdk, users

from browser.accessibility import assert_accessible
from browser.conftest import PRESENCE_TIMEOUT_S


@pytest.fixture
def meeting(conf: ConferenceClient, token: str) -> m.CreateVideoConferenceResponseBody:
    request = m.CreateVideoConferenceRequest(user_id="u-host", conf_title="Design review")
    body: m.CreateVideoConferenceResponseBody = sdk(conf, token, "CreateVideoConference", request)
    return body


def wait_until(check: Callable[[], bool], within_s: float, what: str) -> float:
    """Poll ``check``; return the seconds it took to hold."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < within_s, f"{what} within {within_s} s"
        time.sleep(0.1)
    return time.monotonic() - started


def join_as(page: Page, nick: str) -> None:
    page.get_by_label("Join as").select_option(label=nick)
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("heading", name="You are in the meeting")).to_be_visible()


def test_a_user_joins_and_leaves_when_the_page_closes(
    page: Page, meeting: m.CreateVideoConferenceResponseBody, conf: ConferenceClient, token: str
):
    cid = meeting.conference_id
    page.goto(own_link(conf, token, meeting.external_link_url, "u-alice"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Design review")
    expect(page.locator("#status")).to_have_text("In progress")
    assert_accessible(page)  # before joining
    join_as(page, "Alice")
    expect(page.locator("#me")).to_have_text("Alice")
    expect(page.locator("#active")).to_have_text("1")
    assert info(conf, token, cid).active_num == 1
    assert member_map(conf, token, cid)["u-alice"].attend_status == 3
    assert_accessible(page)  # after joining
    # Heartbeats keep her inside past the timeout.
    time.sleep(PRESENCE_TIMEOUT_S + 1.5)
    assert info(conf, token, cid).active_num == 1
    page.close()
    wait_until(
        lambda: info(conf, token, cid).active_num == 0,
        PRESENCE_TIMEOUT_S + 2,
        "activeNum 0 after the page closed",
    )
    assert info(conf, token, cid).attend_num == 1


def test_leaving_the_page_takes_the_person_out_at_once(
    page: Page, meeting: m.CreateVideoConferenceResponseBody, conf: ConferenceClient, token: str
):
    page.goto(own_link(conf, token, meeting.external_link_url, "u-bob"))
    join_as(page, "Bob")
    page.goto("about:blank")  # pagehide: the beacon says so, no timeout needed
    took = wait_until(
        lambda: info(conf, token, meeting.conference_id).active_num == 0,
        PRESENCE_TIMEOUT_S + 2,
        "activeNum 0 after leaving the page",
    )
    assert took < PRESENCE_TIMEOUT_S - 1, f"left after {took:.1f} s: by the timeout, not the beacon"


def test_a_guest_joins_with_a_name(
    page: Page, meeting: m.CreateVideoConferenceResponseBody, conf: ConferenceClient, token: str
):
    page.goto(meeting.external_link_url)
    # The link alone names nobody of the organisation: a guest's join is all it offers.
    expect(page.get_by_label("Join as")).to_be_hidden()
    for user in ("Alice", "Bob", "Hana Host", "u-alice"):
        assert user not in page.content()
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("Enter your name to join as a guest.")
    expect(page.get_by_label("Your name")).to_be_focused()
    page.get_by_label("Your name").fill("Gina Guest")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator("#me")).to_have_text("Gina Guest")
    (guest,) = [
        x
        for x in member_map(conf, token, meeting.conference_id).values()
        if x.union_id.startswith("guest-")
    ]
    assert (guest.user_nick, guest.attend_status) == ("Gina Guest", 3)
    # Leaving and joining again keeps the guest's unionId.
    page.get_by_role("button", name="Leave the meeting").click()
    expect(page.get_by_role("heading", name="You are not in the meeting")).to_be_visible()
    page.get_by_role("button", name="Join again").click()
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator("#me")).to_have_text("Gina Guest")
    assert info(conf, token, meeting.conference_id).attend_num == 1


def test_a_kicked_person_is_told_so(
    page: Page, meeting: m.CreateVideoConferenceResponseBody, conf: ConferenceClient, token: str
):
    page.goto(own_link(conf, token, meeting.external_link_url, "u-carol"))
    join_as(page, "Carol")
    kick = m.KickMembersRequest(user_list=users("u-carol"))
    sdk(conf, token, "KickMembers", meeting.conference_id, kick)
    expect(page.locator("#out-reason")).to_have_text("The host removed you from the meeting.")
    expect(page.get_by_role("status")).to_have_text("The host removed you from the meeting.")
    assert_accessible(page)


def test_a_locked_meeting_says_so_and_refuses_the_join(
    page: Page, meeting: m.CreateVideoConferenceResponseBody, conf: ConferenceClient, token: str
):
    lock = m.LockConferenceRequest(action="lock")
    sdk(conf, token, "LockConference", meeting.conference_id, lock)
    page.goto(own_link(conf, token, meeting.external_link_url, "u-dave"))
    expect(page.locator("#locked")).to_have_text(
        "The meeting is locked: only the host and co-hosts can join."
    )
    page.get_by_label("Join as").select_option(label="Dave")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        "The meeting is locked: the host locked it, so nobody else can join now."
    )
    assert_accessible(page)
    assert info(conf, token, meeting.conference_id).active_num == 0


def test_a_closed_meeting_ends_the_stay(
    page: Page, meeting: m.CreateVideoConferenceResponseBody, conf: ConferenceClient, token: str
):
    page.goto(own_link(conf, token, meeting.external_link_url, "u-host"))
    join_as(page, "Hana Host")
    close = m.CloseVideoConferenceRequest(union_id="u-host")
    sdk(conf, token, "CloseVideoConference", meeting.conference_id, close)
    expect(page.locator("#out-reason")).to_have_text("The meeting has ended.")
    expect(page.locator("#status")).to_have_text("Ended")
    expect(page.get_by_role("button", name="Join again")).to_be_hidden()


def test_the_page_works_by_keyboard_on_a_phone_sized_screen(
    chromium: Browser,
    meeting: m.CreateVideoConferenceResponseBody,
    conf: ConferenceClient,
    token: str,
):
    context = chromium.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(own_link(conf, token, meeting.external_link_url, "u-alice"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.keyboard.press("Tab")
        expect(page.get_by_label("Join as")).to_be_focused()
        expect(page.get_by_label("Join as")).to_have_value("u-alice")
        page.keyboard.press("Tab")
        join = page.get_by_role("button", name="Join", exact=True)
        expect(join).to_be_focused()
        outline = join.evaluate("b => getComputedStyle(b).outlineStyle")
        assert outline == "solid"  # focus is visible
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Leave the meeting")).to_be_focused()
        assert info(conf, token, meeting.conference_id).active_num == 1
        assert_accessible(page)
        page.keyboard.press("Enter")
        expect(page.get_by_role("button", name="Join again")).to_be_focused()
        assert info(conf, token, meeting.conference_id).active_num == 0
    finally:
        context.close()


def test_an_auto_login_url_opens_the_page_with_its_person_picked(
    page: Page, meeting: m.CreateVideoConferenceResponseBody, conf: ConferenceClient, token: str
):
    page.goto(own_link(conf, token, meeting.external_link_url, "u-dave"))
    expect(page.get_by_label("Join as")).to_have_value("u-dave")
    # Dave, or a guest: nobody else.
    options = page.get_by_label("Join as").locator("option").all_text_contents()
    assert options == ["Dave", "A guest (enter your name below)"]


def test_the_page_says_when_the_meeting_is_recorded(
    page: Page, meeting: m.CreateVideoConferenceResponseBody, conf: ConferenceClient, token: str
):
    page.goto(meeting.external_link_url)
    expect(page.locator("#recording")).to_be_hidden()
    page.get_by_label("Your name").fill("Gina Guest")
    page.get_by_role("button", name="Join", exact=True).click()
    start = m.StartCloudRecordRequest(union_id="u-host")
    sdk(conf, token, "StartCloudRecord", meeting.conference_id, start)
    # The next heartbeat brings the news.
    expect(page.locator("#recording")).to_have_text("This meeting is being recorded.")
    assert_accessible(page)


def test_a_link_that_is_not_valid_says_so(page: Page, web_server: DingconfServer):
    response = page.goto(f"{web_server.url}/app?roomCode=123456789&token=1_nothing")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is not valid")
    assert_accessible(page)
