"""The join page at a meeting's externalLinkUrl and its JSON calls, over plain HTTP.

A server of this module's own (both backends) with a 3 s presence timeout: its
clock stands still in every test, which moves it itself. The sweeper wakes on real time (a few times
per timeout) but judges staleness by the server clock, so a test moves the
clock past the timeout and then waits at most a sweep interval of real time.
"""

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import msgspec
import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient

from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer
from lifecycle import info, member_map, sdk, users

from conftest import SEED, new_database_url, processes_on, sdk_config

TIMEOUT_S = 3
ACME_USERS_SEEN = SEED["orgs"][0]["users"]
ACME_USERS = {u["unionId"] for u in ACME_USERS_SEEN}
GUEST = re.compile(r"guest-[0-9a-f]{16}")


@pytest.fixture(scope="module")
def join_server(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[InProcessServer]:
    """This module's server; tests sweep its presences when they choose."""
    tmp = tmp_path_factory.mktemp("join")
    srv = InProcessServer(
        tmp,
        seed=SEED,
        database=new_database_url(backend, tmp, request),
        presence_timeout_s=TIMEOUT_S,
    ).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def jconf(join_server: DingconfServer) -> ConferenceClient:
    return ConferenceClient(sdk_config(join_server))


@pytest.fixture(scope="module")
def jtoken(join_server: DingconfServer) -> str:
    return join_server.token("acme-app", "acme-secret")


@pytest.fixture(autouse=True)
def frozen(join_server: DingconfServer) -> Iterator[None]:
    """The server clock stands still (moved by the test alone) for every test: with
    a 3 s presence timeout, a running clock would sweep a presence out between two
    calls on a loaded machine."""
    join_server.clock.move(freeze=True)
    try:
        yield
    finally:
        join_server.clock.move(freeze=False)


class Meeting:
    """A meeting made through the official SDK, and its join link."""

    def __init__(self, server: DingconfServer, conf: ConferenceClient, token: str) -> None:
        body = sdk(
            conf,
            token,
            "CreateVideoConference",
            m.CreateVideoConferenceRequest(user_id="u-host", conf_title="Join page <test> & co"),
        )
        self.server, self.conf, self.token = server, conf, token
        self.id: str = body.conference_id
        self.url: str = body.external_link_url
        query = parse_qs(urlsplit(self.url).query)
        self.link = {"roomCode": query["roomCode"][0], "token": query["token"][0]}
        self._passes: dict[str, str] = {}

    def member_pass(self, union_id: str) -> str:
        """``union_id``'s own member pass, from an auto-login URL made for them (kept)."""
        if union_id not in self._passes:
            landed = httpx.get(self.login_url(union_id), follow_redirects=True)
            assert landed.status_code == 200, landed.text
            self._passes[union_id] = parse_qs(urlsplit(str(landed.url)).query)["memberPass"][0]
        return self._passes[union_id]

    def login_url(self, union_id: str) -> str:
        """CreateAutoLoginUrl for ``union_id`` into this meeting."""
        request = m.CreateAutoLoginUrlRequest(meeting_url=self.url, union_id=union_id)
        return str(sdk(self.conf, self.token, "CreateAutoLoginUrl", request).login_info.login_url)

    def call(self, path: str, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
        """A page call; a user of the organisation joins with their own pass unless
        ``memberPass`` is given (None: without one)."""
        if path == "join" and body.get("unionId") in ACME_USERS and "memberPass" not in body:
            body["memberPass"] = self.member_pass(body["unionId"])
        body = {k: v for k, v in body.items() if v is not None}
        return httpx.post(
            f"{self.server.url}/app/api/{path}", json={**self.link, **body}, headers=headers
        )

    def join(self, **body: Any) -> dict[str, Any]:
        resp = self.call("join", **body)
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    def beat(self, presence_id: str) -> dict[str, Any]:
        resp = self.call("heartbeat", presenceId=presence_id)
        assert resp.status_code == 200, resp.text
        return dict(resp.json())

    def counts(self) -> tuple[int, int]:
        conf_info = info(self.conf, self.token, self.id)
        return conf_info.active_num, conf_info.attend_num

    def wait_active(self, expected: int, within_s: float) -> None:
        deadline = time.monotonic() + within_s
        while self.counts()[0] != expected:
            assert time.monotonic() < deadline, f"activeNum stayed {self.counts()[0]}"
            time.sleep(0.1)

    def member_events(self, scene: str) -> list[dict[str, Any]]:
        return [
            e
            for e in self.server.events("acme-reader")
            if e["conferenceId"] == self.id
            and e["eventType"] == "meeting_member_status_change"
            and e["data"].get("changeScene") == scene
        ]


@pytest.fixture
def meeting(join_server: DingconfServer, jconf: ConferenceClient, jtoken: str) -> Meeting:
    return Meeting(join_server, jconf, jtoken)


def _page_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html)
    assert found, html
    return dict(msgspec.json.decode(found.group(1)))


def test_the_link_serves_the_join_page(meeting: Meeting):
    resp = httpx.get(meeting.url)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in resp.headers["content-security-policy"]
    assert resp.headers["referrer-policy"] == "no-referrer"
    assert '<html lang="en">' in resp.text and 'name="viewport"' in resp.text
    data = _page_data(resp.text)
    assert data == {
        "meeting": {
            "title": "Join page <test> & co",
            "status": 2,
            "locked": False,
            "activeNum": 0,
            "recording": False,
        },
        "heartbeatMs": 1000,
        "timeoutMs": TIMEOUT_S * 1000,
    }
    # The title is data, never markup; the link's token is not repeated; nobody
    # of the organisation is named (the page shows the meeting alone).
    assert "<test>" not in resp.text
    assert meeting.link["token"] not in resp.text and "secret" not in resp.text
    assert not any(u["unionId"] in resp.text or u["nick"] in resp.text for u in ACME_USERS_SEEN)
    for name, media_type in [("join.js", "text/javascript"), ("join.css", "text/css")]:
        asset = httpx.get(f"{meeting.server.url}/app/static/{name}")
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith(media_type)
    assert httpx.get(f"{meeting.server.url}/app/static/join.py").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "roomCode={code}&token=1_00000000-0000-0000-0000-000000000000",
        "roomCode=123456789&token={token}",
        "roomCode={code}",
        "token={token}",
        "",
        "roomCode={code}&token={token}x",
        "roomCode={code}&token=" + "9" * 5000,
    ],
    ids=["wrong token", "wrong code", "no token", "no code", "nothing", "longer", "huge"],
)
def test_a_link_that_is_not_valid_answers_a_404_page(meeting: Meeting, query: str):
    path = "/app?" + query.format(code=meeting.link["roomCode"], token=meeting.link["token"])
    resp = httpx.get(meeting.server.url + path)
    assert resp.status_code == 404
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert "This link is not valid" in resp.text
    bad = {**meeting.link, "token": "1_00000000-0000-0000-0000-000000000000"}
    joined = httpx.post(f"{meeting.server.url}/app/api/join", json={**bad, "unionId": "u-bob"})
    assert (joined.status_code, joined.json()["code"]) == (404, "linkNotFound")
    assert meeting.counts() == (0, 0)


def test_another_meetings_link_token_is_not_valid_for_this_room(
    meeting: Meeting, join_server: DingconfServer, jconf: ConferenceClient, jtoken: str
):
    other = Meeting(join_server, jconf, jtoken)
    mixed = f"/app?roomCode={meeting.link['roomCode']}&token={other.link['token']}"
    assert httpx.get(join_server.url + mixed).status_code == 404


def test_join_makes_a_user_active_and_heartbeats_keep_them_inside(
    meeting: Meeting, join_server: InProcessServer, frozen: None
):
    joined = meeting.join(unionId="u-bob")
    presence_id = joined.pop("presenceId")
    assert isinstance(presence_id, str) and re.fullmatch(r"[0-9a-f]{32}", presence_id)
    assert joined == {
        "unionId": "u-bob",
        "nick": "Bob",
        "guest": False,
        "heartbeatMs": 1000,
        "meeting": {
            "title": "Join page <test> & co",
            "status": 2,
            "locked": False,
            "activeNum": 1,
            "recording": False,
        },
    }
    assert meeting.counts() == (1, 1)
    bob = member_map(meeting.conf, meeting.token, meeting.id)["u-bob"]
    assert (bob.attend_status, bob.user_nick) == (3, "Bob")
    assert meeting.member_events("user_join")
    # Six seconds of server time pass, twice the timeout, beating every two.
    for _ in range(3):
        join_server.clock.advance(2000)
        join_server.sweep_presence()
        beat = meeting.beat(presence_id)
        assert beat == {
            "state": "inside",
            "meeting": {
                "title": "Join page <test> & co",
                "status": 2,
                "locked": False,
                "activeNum": 1,
                "recording": False,
            },
        }
    assert meeting.counts() == (1, 1)


def test_without_heartbeats_the_person_leaves_after_the_timeout(
    meeting: Meeting, join_server: InProcessServer, frozen: None
):
    presence_id = meeting.join(unionId="u-alice")["presenceId"]
    join_server.clock.advance(2000)
    join_server.sweep_presence()
    assert meeting.counts() == (1, 1)  # not yet
    join_server.clock.advance(1500)
    join_server.sweep_presence()
    assert meeting.counts() == (0, 1)
    assert member_map(meeting.conf, meeting.token, meeting.id)["u-alice"].attend_status == 6
    assert len(meeting.member_events("user_leave")) == 1
    assert meeting.beat(presence_id)["state"] == "left"


def test_leave_takes_the_person_out_at_once(meeting: Meeting):
    presence_id = meeting.join(unionId="u-carol")["presenceId"]
    assert meeting.counts() == (1, 1)
    for _ in range(2):  # a second leave (a beacon after a click) changes nothing
        resp = meeting.call("leave", presenceId=presence_id)
        assert resp.status_code == 200
        assert resp.json()["state"] == "left"
        assert resp.json()["meeting"]["activeNum"] == 0
    assert meeting.counts() == (0, 1)
    assert meeting.beat(presence_id)["state"] == "left"
    assert len(meeting.member_events("user_leave")) == 1


def test_a_guest_joins_with_a_name_and_keeps_their_id(meeting: Meeting):
    joined = meeting.join(nick="  Gina   Guest ")
    assert GUEST.fullmatch(joined["unionId"]) and joined["guest"] is True
    assert joined["nick"] == "Gina Guest"
    guest = member_map(meeting.conf, meeting.token, meeting.id)[joined["unionId"]]
    assert (guest.user_nick, guest.attend_status, guest.outer_org_member) == (
        "Gina Guest",
        3,
        True,
    )
    details = sdk(
        meeting.conf, meeting.token, "GetConfDetailData", meeting.id, m.GetConfDetailDataRequest()
    )
    (stay,) = [d for d in details.list if d.union_id == joined["unionId"]]
    assert (stay.device_type, stay.belong_org, stay.nick) == ("Web", "false", "Gina Guest")
    meeting.call("leave", presenceId=joined["presenceId"])
    again = meeting.join(unionId=joined["unionId"], nick="Gina Guest")
    assert again["unionId"] == joined["unionId"]
    assert meeting.counts() == (1, 1)  # the same person, counted once


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"nick": "   "},
        {"nick": "x" * 65},
        {"unionId": "u-nobody", "nick": "Nobody"},
        {"unionId": "g-host"},  # a user of another organisation
        {"unionId": "guest-123", "nick": "Short id"},
        {"unionId": 7},
    ],
    ids=["nothing", "blank name", "long name", "unknown", "other org", "bad guest id", "type"],
)
def test_join_refuses_bad_people(meeting: Meeting, body: dict[str, Any]):
    resp = meeting.call("join", **body)
    assert (resp.status_code, resp.json()["code"]) == (400, "paramError"), resp.text
    assert meeting.counts() == (0, 0)


def test_a_kicked_person_is_told_so(meeting: Meeting):
    presence_id = meeting.join(unionId="u-dave")["presenceId"]
    kick = m.KickMembersRequest(user_list=users("u-dave"), forbidden_rejoin=True)
    sdk(meeting.conf, meeting.token, "KickMembers", meeting.id, kick)
    assert meeting.beat(presence_id)["state"] == "kicked"
    assert meeting.beat(presence_id)["state"] == "left"  # the presence ended with it
    resp = meeting.call("join", unionId="u-dave")
    assert (resp.status_code, resp.json()["code"]) == (400, "forbiddenRejoin")
    assert meeting.counts() == (0, 1)


def test_a_locked_meeting_refuses_the_join_with_the_reason(meeting: Meeting):
    inside = meeting.join(unionId="u-alice")["presenceId"]
    lock = m.LockConferenceRequest(action="lock")
    assert sdk(meeting.conf, meeting.token, "LockConference", meeting.id, lock).success
    resp = meeting.call("join", unionId="u-bob")
    assert resp.status_code == 400
    assert resp.json()["code"] == "conferenceLocked"
    assert resp.json()["message"] == "the meeting is locked"
    beat = meeting.beat(inside)
    assert (beat["state"], beat["meeting"]["locked"]) == ("inside", True)
    assert meeting.join(unionId="u-host")["meeting"]["activeNum"] == 2  # the host gets in


def test_a_closed_meeting_ends_every_presence(meeting: Meeting):
    presence_id = meeting.join(unionId="u-bob")["presenceId"]
    meeting.member_pass("u-alice")  # no auto-login URL into an ended meeting
    close = m.CloseVideoConferenceRequest(union_id="u-host")
    sdk(meeting.conf, meeting.token, "CloseVideoConference", meeting.id, close)
    beat = meeting.beat(presence_id)
    assert (beat["state"], beat["meeting"]["status"]) == ("ended", 1)
    resp = meeting.call("join", unionId="u-alice")
    assert (resp.status_code, resp.json()["code"]) == (400, "resourceClose")
    page = httpx.get(meeting.url)
    assert page.status_code == 200 and _page_data(page.text)["meeting"]["status"] == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://evil.example"},
        {"host": "evil.example"},
        {"host": "127.0.0.1.evil.example"},
    ],
    ids=["foreign origin", "rebound host", "look-alike host"],
)
def test_calls_from_other_sites_are_refused(meeting: Meeting, headers: dict[str, str]):
    for path, body in [("join", {"unionId": "u-bob"}), ("heartbeat", {"presenceId": "0" * 32})]:
        resp = meeting.call(path, headers=headers, **body)
        assert (resp.status_code, resp.json()["code"]) == (403, "crossOriginRefused")
    if "host" in headers:
        assert httpx.get(meeting.url, headers=headers).status_code == 403
    assert meeting.counts() == (0, 0)


def test_a_text_body_is_refused_like_a_form_post(meeting: Meeting):
    resp = httpx.post(
        f"{meeting.server.url}/app/api/join",
        content=msgspec.json.encode({**meeting.link, "unionId": "u-bob"}),
        headers={"content-type": "text/plain"},
    )
    assert (resp.status_code, resp.json()["code"]) == (403, "crossOriginRefused")
    assert meeting.counts() == (0, 0)


def test_the_same_origin_is_served(meeting: Meeting):
    resp = meeting.call("join", headers={"origin": meeting.server.url}, unionId="u-bob")
    assert resp.status_code == 200
    assert meeting.counts() == (1, 1)


def test_only_the_presence_id_of_this_meeting_counts(
    meeting: Meeting, join_server: DingconfServer, jconf: ConferenceClient, jtoken: str
):
    other = Meeting(join_server, jconf, jtoken)
    theirs = other.join(unionId="u-bob")["presenceId"]
    mine = meeting.join(unionId="u-bob")["presenceId"]
    assert meeting.beat(theirs)["state"] == "left"  # not a presence of this meeting
    assert meeting.call("leave", presenceId=theirs).status_code == 200
    assert meeting.beat("f" * 32)["state"] == "left"
    assert other.beat(theirs)["state"] == "inside"
    assert meeting.beat(mine)["state"] == "inside"
    assert (other.counts(), meeting.counts()) == ((1, 1), (1, 1))


def test_a_second_page_of_the_same_person_takes_over(meeting: Meeting):
    first = meeting.join(unionId="u-alice")["presenceId"]
    second = meeting.join(unionId="u-alice")["presenceId"]
    assert meeting.beat(first)["state"] == "left"
    assert meeting.call("leave", presenceId=first).status_code == 200
    assert meeting.counts() == (1, 1)  # the first page's leave does not take them out
    assert meeting.beat(second)["state"] == "inside"


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"{", 400),
        (b'{"roomCode": 1, "token": "x", "presenceId": "y"}', 400),
        (b'{"token": "x", "presenceId": "y"}', 400),
        (b'{"roomCode": "1", "token": "x", "presenceId": "' + b"y" * 5000 + b'"}', 400),
    ],
    ids=["not json", "wrong type", "missing", "huge id"],
)
def test_hostile_bodies_get_a_4xx(meeting: Meeting, content: bytes, status: int):
    resp = httpx.post(
        f"{meeting.server.url}/app/api/heartbeat",
        content=content,
        headers={"content-type": "application/json"},
    )
    assert resp.status_code == status
    assert resp.json()["code"]


def test_the_log_never_shows_the_link_token_or_the_presence_id(
    meeting: Meeting, join_server: DingconfServer
):
    presence_id = meeting.join(unionId="u-carol")["presenceId"]
    meeting.beat(presence_id)
    assert httpx.get(meeting.url).status_code == 200
    log = join_server.log()
    assert "/app/api/heartbeat" in log and "JoinPageHeartbeat" in log
    assert presence_id not in log and meeting.link["token"] not in log


def test_an_auto_login_url_lands_on_the_join_page_naming_its_person(meeting: Meeting):
    resp = httpx.get(meeting.login_url("u-alice"), follow_redirects=True)
    assert resp.status_code == 200
    query = parse_qs(urlsplit(str(resp.url)).query)
    assert query["unionId"] == ["u-alice"] and query["memberPass"]
    data = _page_data(resp.text)
    assert data["meeting"]["title"] == "Join page <test> & co"
    # The page knows its own person, and nobody else.
    assert data["member"] == {"unionId": "u-alice", "nick": "Alice"}
    assert "u-bob" not in resp.text and "Hana Host" not in resp.text
    joined = meeting.join(unionId="u-alice", memberPass=query["memberPass"][0])
    assert (joined["unionId"], joined["nick"], joined["guest"]) == ("u-alice", "Alice", False)


@pytest.mark.parametrize(
    "forged",
    ["none", "another person's", "another meeting's", "tampered", "expiry in other digits"],
)
def test_joining_as_a_member_takes_their_own_pass(
    meeting: Meeting,
    join_server: DingconfServer,
    jconf: ConferenceClient,
    jtoken: str,
    forged: str,
):
    """Holding the link lets anyone in as a guest; as a user, only with that user's pass."""
    bob = meeting.member_pass("u-bob")
    member_pass = {
        "none": None,
        "another person's": meeting.member_pass("u-alice"),
        "another meeting's": Meeting(join_server, jconf, jtoken).member_pass("u-bob"),
        "tampered": bob[:-1] + ("0" if bob[-1] != "0" else "1"),
        # str.isdigit() admits these; int() does not.
        "expiry in other digits": "\u00b2\u0661." + bob.partition(".")[2],
    }[forged]
    resp = meeting.call("join", unionId="u-bob", memberPass=member_pass)
    assert (resp.status_code, resp.json()["code"]) == (403, "memberPassRequired"), resp.text
    query = f"&unionId=u-bob&memberPass={member_pass}" if member_pass else "&unionId=u-bob"
    page = httpx.get(meeting.url + query)
    assert page.status_code == 200 and "member" not in _page_data(page.text)
    assert meeting.counts() == (0, 0)


@pytest.mark.parametrize("expiry", ["\u00b2", "9" * 5000])
def test_a_pass_whose_expiry_is_no_number_leaves_the_page_a_guests(meeting: Meeting, expiry: str):
    """An expiry int() cannot read (other scripts' digits, past 4,300 digits) is no pass."""
    signature = meeting.member_pass("u-bob").partition(".")[2]
    query = urlencode({"unionId": "u-bob", "memberPass": f"{expiry}.{signature}"})
    page = httpx.get(f"{meeting.url}&{query}")
    assert page.status_code == 200 and "member" not in _page_data(page.text)


def test_the_page_says_when_the_meeting_is_recorded(meeting: Meeting):
    presence_id = meeting.join(nick="Gina")["presenceId"]
    start = m.StartCloudRecordRequest(union_id="u-host")
    sdk(meeting.conf, meeting.token, "StartCloudRecord", meeting.id, start)
    assert meeting.beat(presence_id)["meeting"]["recording"] is True
    assert _page_data(httpx.get(meeting.url).text)["meeting"]["recording"] is True


def test_processes_sharing_a_database_make_each_silent_person_leave_once(
    database_url: str, tmp_path: Path
):
    with processes_on(database_url, tmp_path, 3, ("--presence-timeout", "1")) as servers:
        conf = ConferenceClient(sdk_config(servers[0]))
        token = servers[0].token("acme-app", "acme-secret")
        meeting = Meeting(servers[0], conf, token)
        people = ["u-alice", "u-bob", "u-carol", "u-dave"]
        # The clock all three share stands still: however slow the joins, nobody's
        # second of silence runs out before all four are in.
        servers[0].clock.move(freeze=True)
        for i, person in enumerate(people):
            meeting.server = servers[i % 3]
            meeting.join(unionId=person)
        assert meeting.counts() == (4, 4)
        meeting.server = servers[0]
        servers[0].clock.advance(2000)
        meeting.wait_active(0, within_s=5)
        leaves = meeting.member_events("user_leave")
        assert len(leaves) == len(people)


def test_the_page_calls_are_described_in_the_openapi_document(join_server: DingconfServer):
    doc = httpx.get(f"{join_server.url}/openapi.json").json()
    for call, action, body in [
        ("join", "JoinPageJoin", "JoinPageBody"),
        ("heartbeat", "JoinPageHeartbeat", "PresenceBody"),
        ("leave", "JoinPageLeave", "PresenceBody"),
    ]:
        entry = doc["paths"][f"/app/api/{call}"]["post"]
        assert (entry["x-action"], entry["tags"], entry["security"]) == (
            action,
            ["Join page"],
            [],
        )
        schema = entry["requestBody"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{body}"}


def test_a_page_naming_no_possible_person_is_a_guests_page(meeting: Meeting):
    """A unionId no user can have (a NUL, which PostgreSQL's text refuses) is nobody."""
    query = urlencode({"unionId": "u-b\x00ob", "memberPass": meeting.member_pass("u-bob")})
    page = httpx.get(f"{meeting.url}&{query}")
    assert page.status_code == 200 and "member" not in _page_data(page.text)
