"""The console answers back: feedback next to each action, actions an ended meeting
cannot take disabled with the reason, Close confirmed, unknown meetings "not found",
meetings created from the console, host/time/speaking columns, and layouts that
keep ids and the journal on screen."""

import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from playwright.sync_api import Browser, Locator, Page, expect

from in_process_server import InProcessServer
from lifecycle import info, member_map, sdk

from browser.accessibility import assert_accessible
from conftest import SEED, sdk_config

UNKNOWN_ID = "6323d7568777190142ab9d10"
GUEST = "guest-0123456789abcdef"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """This module's own server: its tests freeze and move the clock."""
    server = InProcessServer(tmp_path_factory.mktemp("answers"), seed=SEED).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def conf(srv: InProcessServer) -> ConferenceClient:
    return ConferenceClient(sdk_config(srv))


@pytest.fixture(scope="module")
def token(srv: InProcessServer) -> str:
    return srv.token("acme-app", "acme-secret")


@pytest.fixture
def frozen(srv: InProcessServer) -> Iterator[InProcessServer]:
    """The module's server with its clock standing still for one test."""
    srv.clock.move(freeze=True)
    try:
        yield srv
    finally:
        srv.clock.move(freeze=False)


def create(conf: ConferenceClient, token: str, title: str) -> str:
    request = m.CreateVideoConferenceRequest(user_id="u-host", conf_title=title)
    return str(sdk(conf, token, "CreateVideoConference", request).conference_id)


def open_meeting(page: Page, server: InProcessServer, cid: str) -> None:
    page.goto(f"{server.url}/_dingconf/console#/meetings/{cid}")
    expect(page.locator("#meeting-meta")).to_contain_text("Room code")


def close(conf: ConferenceClient, token: str, cid: str) -> None:
    sdk(conf, token, "CloseVideoConference", cid, m.CloseVideoConferenceRequest(union_id="u-host"))


def lines(locator: Locator) -> int:
    """How many lines an element's text takes."""
    return int(
        locator.evaluate(
            "e => { const r = document.createRange(); r.selectNodeContents(e);"
            " return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; }"
        )
    )


def overview_row(page: Page, cid: str) -> Locator:
    return page.locator(f'tr[data-conference-id="{cid}"]')


def test_a_failed_join_on_an_ended_meeting_shows_dingtalks_error_next_to_it(
    page: Page, srv: InProcessServer, conf: ConferenceClient, token: str
) -> None:
    cid = create(conf, token, "Ends under the page")
    srv.participants.join(cid, "u-host")
    # The page's timers stand still: it reads the meeting once, as it opens, and
    # never polls; the meeting then ends behind it, so its Join is stale.
    start = datetime.datetime.now()
    page.clock.install(time=start)
    page.clock.pause_at(start + datetime.timedelta(seconds=1))
    open_meeting(page, srv, cid)
    expect(page.locator("#active-num")).to_have_text("1")
    expect(page.get_by_role("button", name="Join")).to_be_enabled()
    close(conf, token, cid)
    page.get_by_label("Person", exact=True).select_option("u-bob")
    page.get_by_role("button", name="Join").click()
    said = page.locator("#person-feedback")
    expect(said).to_have_text("Join u-bob failed: resourceClose: The meeting has ended")
    expect(said).to_be_in_viewport()
    # The refresh after the answer disables what cannot apply, and says why.
    expect(page.get_by_role("button", name="Join")).to_be_disabled()
    expect(page.locator("#actions-reason")).to_contain_text("This meeting ended")
    expect(said).to_contain_text("resourceClose")
    assert "u-bob" not in member_map(conf, token, cid)
    page.clock.resume()  # axe runs on the page's timers
    assert_accessible(page)
    expect(said).to_contain_text("resourceClose")


def test_say_with_an_empty_line_says_why_nothing_was_said(
    page: Page, srv: InProcessServer, conf: ConferenceClient, token: str
) -> None:
    cid = create(conf, token, "Quiet")
    srv.participants.join(cid, "u-host")
    open_meeting(page, srv, cid)
    page.get_by_label("Person", exact=True).select_option("u-host")
    line = page.get_by_label("Line to say (as the person above)")
    for empty in ("", "   "):
        line.fill(empty)
        page.get_by_role("button", name="Say").click()
        said = page.locator("#say-feedback")
        expect(said).to_contain_text("Nothing said: the line is empty")
        expect(said).to_be_in_viewport()
        expect(line).to_be_focused()
        page.evaluate("document.getElementById('say-feedback').textContent = ''")
    assert srv.request("GET", f"/_dingconf/conferences/{cid}")[2]["utterances"] == []
    line.fill("Now something")
    page.get_by_role("button", name="Say").click()
    expect(page.locator("#say-feedback")).to_have_text("u-host says: done.")
    expect(page.locator("#timeline")).to_contain_text("Hana Host (u-host) said: Now something")
    assert_accessible(page)


def test_feedback_stays_with_the_meeting_it_was_about(
    page: Page, srv: InProcessServer, conf: ConferenceClient, token: str
) -> None:
    first, second = create(conf, token, "First"), create(conf, token, "Second")
    srv.participants.join(first, "u-host")
    open_meeting(page, srv, first)
    page.get_by_role("button", name="Stop recording").click()
    expect(page.locator("#host-feedback")).to_contain_text(
        "Stop recording failed: cloudRecordNotFound"
    )
    page.get_by_role("link", name="← Overview").click()
    overview_row(page, second).get_by_role("link", name="Second").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Second")
    expect(page.locator("#host-feedback")).to_have_text("")
    expect(page.get_by_text("cloudRecordNotFound")).to_have_count(0)


def test_an_ended_meeting_disables_its_actions_and_says_why(
    page: Page, srv: InProcessServer, conf: ConferenceClient, token: str
) -> None:
    cid = create(conf, token, "Over")
    srv.participants.join(cid, "u-host")
    close(conf, token, cid)
    open_meeting(page, srv, cid)
    reason = page.locator("#actions-reason")
    expect(reason).to_be_visible()
    expect(reason).to_contain_text("This meeting ended at")
    for name in (
        "Join",
        "Leave",
        "Kick",
        "Say",
        "Start recording",
        "Stop recording",
        "Close meeting",
    ):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_disabled()
    expect(page.get_by_label("Line to say (as the person above)")).to_be_disabled()
    assert_accessible(page)


def test_close_asks_to_confirm_first(
    page: Page, srv: InProcessServer, conf: ConferenceClient, token: str
) -> None:
    cid = create(conf, token, "Close with care")
    srv.participants.join(cid, "u-host")
    open_meeting(page, srv, cid)
    page.get_by_role("button", name="Close meeting").click()
    dialog = page.get_by_role("dialog", name="Close this meeting?")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    assert_accessible(page)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#host-feedback")).to_have_text("Close cancelled: the meeting goes on.")
    page.get_by_role("button", name="Close meeting").click()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert info(conf, token, cid).status == 2
    page.get_by_role("button", name="Close meeting").click()
    dialog.get_by_role("button", name="Close the meeting").click()
    expect(page.locator("#host-feedback")).to_have_text("Close meeting: done.")
    expect(page.locator("#meeting-meta")).to_contain_text("Ended")
    assert info(conf, token, cid).status == 1


def test_an_unknown_meeting_is_not_found(page: Page, srv: InProcessServer) -> None:
    open_path = f"{srv.url}/_dingconf/console#/meetings/{UNKNOWN_ID}"
    page.goto(open_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Meeting not found")
    expect(page.locator("main")).to_contain_text(UNKNOWN_ID)
    expect(page.get_by_role("heading", name="Actions")).to_have_count(0)
    expect(page.get_by_role("heading", name="Members")).to_have_count(0)
    assert page.title() == "Meeting not found · dingconf console"
    assert_accessible(page)


def test_a_meeting_created_in_the_console_is_a_real_one(
    page: Page, srv: InProcessServer, conf: ConferenceClient, token: str
) -> None:
    page.goto(f"{srv.url}/_dingconf/console")
    form = page.locator("#create-form")
    form.get_by_label("Organisation").select_option("dingacme")
    form.get_by_label("Host").select_option("u-alice")
    before = len(srv.request("GET", "/_dingconf/overview")[2]["meetings"])
    form.get_by_role("button", name="Create meeting").click()
    expect(page.locator("#create-feedback")).to_contain_text(
        "Nothing created: give the meeting a title"
    )
    assert len(srv.request("GET", "/_dingconf/overview")[2]["meetings"]) == before
    form.get_by_label("Title").fill("Planned in the console")
    form.get_by_role("button", name="Create meeting").click()
    said = page.locator("#create-feedback")
    expect(said).to_contain_text("Created “Planned in the console”.")
    expect(said).to_be_in_viewport()
    assert_accessible(page)
    said.get_by_role("link", name="Open it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planned in the console")
    cid = page.url.rsplit("/", 1)[1]
    conference = info(conf, token, cid)
    assert (conference.title, conference.status) == ("Planned in the console", 2)
    assert member_map(conf, token, cid)["u-alice"].attend_status == 2
    expect(page.locator("#meeting-meta")).to_contain_text("host Alice")


def test_the_overview_shows_host_start_duration_and_end(
    page: Page, frozen: InProcessServer, conf: ConferenceClient, token: str
) -> None:
    cid = create(conf, token, "Timed")
    started = info(conf, token, cid).start_time
    page.goto(f"{frozen.url}/_dingconf/console")
    row = overview_row(page, cid)
    expect(row.locator('[data-field="host"]')).to_have_text("Hana Host")
    start = datetime.datetime.fromtimestamp(started / 1000, datetime.UTC)
    expect(row.locator('[data-field="started"] time')).to_have_attribute(
        "title", start.strftime("%Y-%m-%d %H:%M:%S UTC")
    )
    expect(row.locator('[data-field="duration"]')).to_have_text("0s")
    frozen.clock.advance(90_000)
    expect(row.locator('[data-field="duration"]')).to_have_text("1m 30s")
    expect(row.locator('[data-field="ended"]')).to_have_text("")
    close(conf, token, cid)
    frozen.clock.advance(60_000)
    ended = datetime.datetime.fromtimestamp((started + 90_000) / 1000, datetime.UTC)
    expect(row.locator('[data-field="ended"] time')).to_have_attribute(
        "title", ended.strftime("%Y-%m-%d %H:%M:%S UTC")
    )
    expect(row.locator('[data-field="duration"]')).to_have_text("1m 30s")
    for field in ("started", "ended", "duration"):
        assert lines(row.locator(f'[data-field="{field}"]')) == 1
    # Every column on screen at a laptop's width.
    region = page.get_by_role("region", name="Meetings", exact=True)
    assert region.evaluate("e => e.scrollWidth <= e.clientWidth")


def test_who_is_speaking_shows_while_their_words_last(
    page: Page, frozen: InProcessServer, conf: ConferenceClient, token: str
) -> None:
    cid = create(conf, token, "Talkative")
    frozen.participants.join(cid, "u-host")
    frozen.participants.join(cid, "u-alice")
    page.goto(f"{frozen.url}/_dingconf/console")
    row = overview_row(page, cid)
    expect(row).to_contain_text("Talkative")
    expect(row.locator('[data-field="speaking"]')).to_have_text("")
    # Four words of 300 ms each, as the transcript times them.
    frozen.participants.say(cid, "u-alice", "Can everyone hear me?")
    expect(row.locator('[data-field="speaking"]')).to_have_text("Alice")
    row.get_by_role("link", name="Talkative").click()
    expect(page.locator("#speaking")).to_have_text("Speaking now: Alice")
    alice = page.locator('tr[data-union-id="u-alice"]')
    expect(alice).to_contain_text("Speaking")
    assert_accessible(page)
    frozen.clock.advance(1_200)
    expect(page.locator("#speaking")).to_have_text("Nobody is speaking now.")
    expect(alice).not_to_contain_text("Speaking")


def test_ids_stay_whole_on_one_line_and_a_guest_is_named_once(
    chromium: Browser, srv: InProcessServer, conf: ConferenceClient, token: str
) -> None:
    cid = create(conf, token, "Narrow")
    srv.participants.join(cid, "u-host")
    srv.participants.join(cid, GUEST, nick="Dana")
    srv.participants.join(cid, "guest-fedcba9876543210", nick="Eve (guest)")
    context = chromium.new_context(viewport={"width": 375, "height": 812})
    try:
        page = context.new_page()
        open_meeting(page, srv, cid)
        dana = page.locator(f'tr[data-union-id="{GUEST}"]')
        expect(dana.locator('[data-field="nick"]')).to_have_text("Dana")
        expect(dana.locator('[data-field="role"]')).to_have_text("Guest")
        eve = page.locator('tr[data-union-id="guest-fedcba9876543210"]')
        expect(eve.locator('[data-field="nick"]')).to_have_text("Eve (guest)")
        ids = page.locator("#view .id")
        assert ids.count() > 5
        for i in range(ids.count()):
            one = ids.nth(i)
            assert lines(one) == 1, one.inner_text()
            assert one.get_attribute("title") == one.inner_text()
        assert lines(dana.locator(".id")) == 1
    finally:
        context.close()


def test_the_journal_keeps_times_on_one_line_and_bodies_on_screen(
    page: Page, srv: InProcessServer, conf: ConferenceClient, token: str
) -> None:
    create(conf, token, "Journaled " + "long title " * 8)
    page.goto(f"{srv.url}/_dingconf/console#/toolkit")
    journal = page.locator("#journal").get_by_role("region", name="Request journal")
    first = journal.locator("tbody tr").first
    expect(first).to_contain_text("CreateVideoConference")
    assert lines(first.locator("td").first) == 1
    first.locator("summary").click()
    body = first.locator("pre")
    expect(body).to_be_visible()
    assert journal.evaluate("e => e.scrollWidth <= e.clientWidth")
    box, screen = body.bounding_box(), page.viewport_size
    assert box is not None and screen is not None
    assert box["x"] + box["width"] <= screen["width"]
    assert_accessible(page)


def test_the_journal_names_the_operation_a_call_that_matched_none_was_near(
    page: Page, srv: InProcessServer, token: str
) -> None:
    # KickMember is a POST: asked with GET, the call matches no operation.
    kick = f"/v1.0/conference/videoConferences/{UNKNOWN_ID}/members/kick"
    status, _, body = srv.request("GET", kick, headers={"x-acs-dingtalk-access-token": token})
    assert (status, body["code"]) == (404, "InvalidAction.NotFound")
    page.goto(f"{srv.url}/_dingconf/console#/toolkit")
    journal = page.locator("#journal").get_by_role("region", name="Request journal")
    row = journal.locator("tbody tr").filter(has_text="members/kick").first
    expect(row).to_contain_text(
        "did you mean POST /v1.0/conference/videoConferences/{conferenceId}/members/kick"
    )
    assert_accessible(page)


def test_the_event_list_opens_on_an_app_that_has_events(page: Page, tmp_path: Path) -> None:
    server = InProcessServer(tmp_path, seed=SEED).start()
    try:
        # Only Globex has a meeting: Acme's apps, listed first, have no event.
        created: Any = server.request(
            "POST",
            "/_dingconf/conferences",
            {"corpId": "dingglobex", "hostId": "g-host", "title": "Globex only"},
        )
        assert created[0] == 200, created
        page.goto(f"{server.url}/_dingconf/console#/toolkit")
        picker = page.get_by_label("App")
        expect(picker).to_have_value("globex-app")
        expect(picker.locator("option").first).to_have_text("acme-app (0 events)")
        expect(page.locator("#deliveries")).to_contain_text("meeting_status_change")
        # The operator's own pick stays.
        picker.select_option("acme-reader")
        expect(page.locator("#deliveries")).to_contain_text("No events for this app.")
        server.request(
            "POST",
            "/_dingconf/conferences",
            {"corpId": "dingglobex", "hostId": "g-host", "title": "Globex again"},
        )
        expect(picker.locator("option", has_text="globex-app")).to_have_text(
            "globex-app (2 events)"
        )
        expect(picker).to_have_value("acme-reader")
    finally:
        server.stop()
