"""The web console's control API: its reads, the host's actions, its pages and protection.

The actions change real state: the official SDK's answers follow them.
"""

import httpx
import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m

from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer
from lifecycle import info, member_map, sdk
from over_http import TOKEN_HEADER

from conftest import SEED
from sdk_errors import assert_sdk_error

#: The console's script: an ES module per view, and what they share.
MODULES = ("console", "lib", "overview", "meeting", "toolkit")
SECRETS = ("acme-secret", "reader-secret", "writer-secret", "globex-secret", "suite-secret")


def ok(server: DingconfServer, method: str, path: str, body: object = None) -> dict:
    status, _, reply = server.request(method, path, body)
    assert status == 200, reply
    return reply


def fails(server: DingconfServer, method: str, path: str, status: int, code: str, body=None):
    got, _, reply = server.request(method, path, body)
    assert (got, reply.get("code")) == (status, code), reply


def detail(server: DingconfServer, cid: str) -> dict:
    return ok(server, "GET", f"/_dingconf/conferences/{cid}")


def test_overview_lists_organisations_apps_and_live_meetings(server, create_meeting):
    cid = create_meeting("Console overview", invitees=["u-alice"]).conference_id
    server.participants.join(cid, "u-host")
    body = ok(server, "GET", "/_dingconf/overview")
    assert isinstance(body["now"], int)
    acme = next(o for o in body["orgs"] if o["corpId"] == "dingacme")
    assert acme["name"] == "Acme"
    assert acme["apps"][0] == {
        "appKey": "acme-app",
        "scopes": ["VideoConference.Conference.Read", "VideoConference.Conference.Write"],
        "events": acme["apps"][0]["events"],
    }
    assert {"unionId": "u-alice", "nick": "Alice"} in acme["users"]
    assert all(set(a) == {"appKey", "scopes", "events"} for o in body["orgs"] for a in o["apps"])
    # Each app's kept deliveries, as its event list counts them.
    for app in acme["apps"]:
        listed = ok(server, "GET", f"/_dingconf/events?appKey={app['appKey']}&limit=10000")
        assert app["events"] == len(listed["events"]) > 0
    row = next(r for r in body["meetings"] if r["conferenceId"] == cid)
    assert row == {
        "conferenceId": cid,
        "corpId": "dingacme",
        "title": "Console overview",
        "status": 2,
        "roomCode": row["roomCode"],
        "hostId": "u-host",
        "creatorNick": "Hana Host",
        "startTime": row["startTime"],
        "activeNum": 1,
        "attendNum": 1,
        "invitedNum": 1,
        "cloudRecordStatus": 0,
        "minutesStatus": 0,
    }
    assert isinstance(row["roomCode"], str) and isinstance(row["startTime"], int)
    # Newest first, by start time (other tests on this server book meetings
    # that start later than this one, so it need not lead).
    starts = [r["startTime"] for r in body["meetings"]]
    assert starts == sorted(starts, reverse=True)


def test_meeting_page_answers_exactly_what_query_conference_info_does(
    server, http, token, create_meeting
):
    cid = create_meeting("Exact", invitees=["u-bob"]).conference_id
    server.participants.join(cid, "u-host")
    server.participants.join(cid, "u-alice", nick="Alice A", device_type="Mac", version="7.0.1")
    queried = http.get(f"/v1.0/conference/videoConferences/{cid}", headers={TOKEN_HEADER: token})
    assert detail(server, cid)["queryConferenceInfo"] == queried.json()
    body = detail(server, cid)
    assert (body["corpId"], body["hostId"], body["cohostIds"], body["locked"]) == (
        "dingacme",
        "u-host",
        [],
        False,
    )
    members = {x["unionId"]: x for x in body["members"]}
    alice = members["u-alice"]
    assert (alice["nick"], alice["attendStatus"], alice["stays"]) == ("Alice A", 3, 1)
    assert (alice["deviceType"], alice["deviceVersion"]) == ("Mac", "7.0.1")
    assert isinstance(alice["firstJoinTime"], int) and "leaveTime" not in alice
    assert members["u-host"]["host"] is True and "host" not in alice
    # Rung, never inside: no times, no stays, no device.
    assert members["u-bob"] == {
        "unionId": "u-bob",
        "nick": "Bob",
        "attendStatus": 2,
        "duration": 0,
        "stays": 0,
    }
    assert body["recording"] == {"status": 0, "spans": []}
    assert body["minutes"] == {"status": 0, "spans": []}
    assert {u["unionId"] for u in body["users"]} >= {"u-host", "u-carol", "u-dave"}
    assert [t["kind"] for t in body["timeline"] if t["kind"] != "event"] == [
        "start",
        "join",
        "join",
    ]


def test_timeline_tells_joins_leaves_kicks_lines_recording_and_events(server, create_meeting):
    cid = create_meeting("Timeline").conference_id
    server.participants.join(cid, "u-host")
    server.participants.join(cid, "u-alice")
    server.participants.say(cid, "u-alice", "Hello there")
    server.participants.leave(cid, "u-alice")
    server.participants.join(cid, "u-bob")
    ok(server, "POST", f"/_dingconf/conferences/{cid}/kick", {"unionIds": ["u-bob"]})
    ok(server, "POST", f"/_dingconf/conferences/{cid}/cloudRecord/start")
    ok(server, "POST", f"/_dingconf/conferences/{cid}/cloudRecord/pause")
    paused = [t["text"] for t in detail(server, cid)["timeline"] if t["kind"] == "record"]
    assert paused == ["Recording started by u-host (take 1)", "Recording paused (take 1)"]
    ok(server, "POST", f"/_dingconf/conferences/{cid}/cloudRecord/resume")
    ok(server, "POST", f"/_dingconf/conferences/{cid}/close")
    body = detail(server, cid)
    texts = [t["text"] for t in body["timeline"] if t["kind"] != "event"]
    assert texts == [
        "Meeting started",
        "Hana Host (u-host) joined from Win 6.1.1",
        "Alice (u-alice) joined from Win 6.1.1",
        "Alice (u-alice) said: Hello there",
        "Alice (u-alice) left",
        "Bob (u-bob) joined from Win 6.1.1",
        "Bob (u-bob) was removed",
        "Recording started by u-host (take 1)",
        "Recording paused (take 1)",
        "Recording resumed by u-host (take 1)",
        "Recording stopped (take 1)",
        "Hana Host (u-host) left as the meeting closed",
        "Meeting closed",
    ]
    sent = [t["text"] for t in body["timeline"] if t["kind"] == "event"]
    assert sent[0] == (
        "Event #1: meeting_status_change → acme-app (pending), acme-reader (pending), "
        "acme-writer (pending); meeting_status_change_target_push → acme-app (pending)"
    )
    assert len(sent) == len({e["statusSeqNum"] for e in body["events"]})
    times = [t["time"] for t in body["timeline"]]
    assert times == sorted(times)
    assert body["utterances"][0]["text"] == "Hello there"
    # Closing finished the recording (status 3): one take of two spans.
    assert body["recording"]["status"] == 3
    assert [s["take"] for s in body["recording"]["spans"]] == [1, 1]
    events = body["events"]
    assert [e["statusSeqNum"] for e in events] == sorted(e["statusSeqNum"] for e in events)
    kinds = {e["eventType"] for e in events}
    assert {"meeting_status_change", "meeting_member_status_change"} <= kinds
    assert {d["appKey"] for e in events for d in e["deliveries"]} == {
        "acme-app",
        "acme-reader",
        "acme-writer",
    }
    assert all(isinstance(d["attempts"], int) for e in events for d in e["deliveries"])


def test_kick_as_the_host_follows_kick_members(server, conf, acme_token, create_meeting):
    cid = create_meeting("Kick").conference_id
    server.participants.join(cid, "u-host")
    server.participants.join(cid, "u-alice")
    server.participants.join(cid, "u-bob")
    ok(
        server,
        "POST",
        f"/_dingconf/conferences/{cid}/kick",
        {"unionIds": ["u-alice"], "forbidRejoin": True},
    )
    assert member_map(conf, acme_token, cid)["u-alice"].attend_status == 5
    assert info(conf, acme_token, cid).active_num == 2
    # forbidRejoin, as KickMembers sets it: the person may not come back.
    fails(server, "POST", f"/_dingconf/conferences/{cid}/join", 400, "forbiddenRejoin",
          {"unionId": "u-alice"})  # fmt: skip
    # Kicked without forbidRejoin: back in.
    ok(server, "POST", f"/_dingconf/conferences/{cid}/kick", {"unionIds": ["u-bob"]})
    server.participants.join(cid, "u-bob")
    assert info(conf, acme_token, cid).active_num == 2
    # KickMembers' own refusals.
    kick = f"/_dingconf/conferences/{cid}/kick"
    fails(server, "POST", kick, 400, "paramsError", {"unionIds": ["u-host"]})
    fails(server, "POST", kick, 400, "unknownUserError", {"unionIds": ["u-nobody"]})
    fails(server, "POST", kick, 400, "paramError", {"unionIds": "u-bob"})
    fails(server, "POST", kick, 400, "MissingunionIds", {})


def test_recording_as_the_host_follows_start_and_stop_cloud_record(
    server, conf, acme_token, create_meeting
):
    cid = create_meeting("Record").conference_id
    server.participants.join(cid, "u-host")
    start = f"/_dingconf/conferences/{cid}/cloudRecord/start"
    stop = f"/_dingconf/conferences/{cid}/cloudRecord/stop"
    ok(server, "POST", start)
    conference = info(conf, acme_token, cid)
    assert (conference.cloud_record_status, conference.cloud_record_owner_union_id) == (
        1,
        "u-host",
    )
    fails(server, "POST", start, 404, "recordStartError")
    ok(server, "POST", stop)
    assert info(conf, acme_token, cid).cloud_record_status == 3
    fails(server, "POST", stop, 400, "cloudRecordNotFound")
    # The take is the same one the recording APIs list.
    body = detail(server, cid)
    (take,) = body["recording"]["spans"]
    assert (take["take"], take["owner"]) == (1, "u-host")
    assert take["end"] >= take["start"]


def test_close_as_the_host_follows_close_video_conference(server, conf, acme_token, create_meeting):
    cid = create_meeting("Close").conference_id
    server.participants.join(cid, "u-host")
    server.participants.join(cid, "u-alice")
    ok(server, "POST", f"/_dingconf/conferences/{cid}/close")
    conference = info(conf, acme_token, cid)
    assert (conference.status, conference.active_num) == (1, 0)
    assert conference.end_time is not None
    fails(server, "POST", f"/_dingconf/conferences/{cid}/close", 400, "resourceClose")
    # The SDK's own close answers as it always does for an ended meeting.
    assert_sdk_error(
        lambda: sdk(
            conf,
            acme_token,
            "CloseVideoConference",
            cid,
            m.CloseVideoConferenceRequest(union_id="u-host"),
        ),
        400,
        "resourceClose",
    )
    row = next(
        r for r in ok(server, "GET", "/_dingconf/overview")["meetings"] if r["conferenceId"] == cid
    )
    assert (row["status"], row["activeNum"], row["endTime"]) == (1, 0, conference.end_time)


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", ""),
        ("POST", "/kick"),
        ("POST", "/cloudRecord/start"),
        ("POST", "/cloudRecord/stop"),
        ("POST", "/close"),
    ],
)
def test_unknown_and_malformed_meetings(server, method, suffix):
    body = {"unionIds": ["u-bob"]} if suffix == "/kick" else None
    for cid in ("6323d7568777190142ab9d10", "not-an-id"):
        fails(server, method, f"/_dingconf/conferences/{cid}{suffix}", 404, "roomNotFound", body)


def test_pages_are_served_from_the_package(http):
    landing = http.get("/")
    assert landing.status_code == 200
    assert landing.headers["content-type"] == "text/html; charset=utf-8"
    assert 'href="/_dingconf/console"' in landing.text and '<html lang="en">' in landing.text
    page = http.get("/_dingconf/console")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    for asset, media_type in (
        *((f"{js}.js", "text/javascript") for js in MODULES),
        ("console.css", "text/css"),
    ):
        response = http.get(f"/_dingconf/console/{asset}")
        assert response.status_code == 200 and response.text
        assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    # The entry module imports the others by relative path, all served above.
    entry = http.get("/_dingconf/console/console.js").text
    assert 'type="module" src="/_dingconf/console/console.js"' in page.text
    assert all(f'"./{js}.js"' in entry for js in MODULES if js not in ("console", "lib"))
    # Nothing loaded from elsewhere: the console works offline.
    assert "http" not in page.text.replace('"/docs"', "")
    # Other methods and unknown files answer the JSON 404 of any unknown route.
    for method, path in (
        ("POST", "/"),
        ("DELETE", "/_dingconf/console"),
        ("GET", "/_dingconf/console/x.js"),
    ):
        response = http.request(method, path)
        assert (response.status_code, response.json()["code"]) == (404, "InvalidAction.NotFound")


def test_no_secret_or_token_is_ever_shown(server, http, token, acme_token, create_meeting):
    cid = create_meeting("Secrets").conference_id
    server.participants.join(cid, "u-host")
    # A journaled token request carries a secret; the console shows the journal too.
    server.token("globex-app", "globex-secret")
    shown = "".join(
        http.get(path).text
        for path in (
            "/",
            "/_dingconf/console",
            *(f"/_dingconf/console/{js}.js" for js in MODULES),
            "/_dingconf/overview",
            f"/_dingconf/conferences/{cid}",
            "/_dingconf/journal?limit=100",
            "/_dingconf/events?appKey=acme-app",
        )
    )
    for secret in (*SECRETS, token, acme_token):
        assert secret not in shown


def test_the_admin_token_guards_the_console_api(tmp_path, database_url):
    server = InProcessServer(tmp_path, seed=SEED, database=database_url, admin_token="c0nsole")
    server.start()
    try:
        with httpx.Client(base_url=server.url) as http:
            # The pages hold no data and load without the token; their data does not.
            assert http.get("/_dingconf/console").status_code == 200
            for method, path in (
                ("GET", "/_dingconf/overview"),
                ("GET", "/_dingconf/conferences/6323d7568777190142ab9d10"),
                ("POST", "/_dingconf/conferences/6323d7568777190142ab9d10/close"),
            ):
                for headers in ({}, {"x-dingconf-admin-token": "wrong"}):
                    refused = http.request(method, path, headers=headers)
                    assert (refused.status_code, refused.json()["code"]) == (
                        400,
                        "InvalidAuthentication",
                    )
            allowed = http.get("/_dingconf/overview", headers={"x-dingconf-admin-token": "c0nsole"})
            assert allowed.status_code == 200 and allowed.json()["orgs"]
            assert "c0nsole" not in allowed.text
    finally:
        server.stop()


def test_without_a_token_foreign_pages_are_refused(server, http, create_meeting):
    cid = create_meeting("Foreign").conference_id
    close = f"/_dingconf/conferences/{cid}/close"
    response = http.post(close, headers={"origin": "http://evil.example"})
    assert (response.status_code, response.json()["code"]) == (403, "crossOriginRefused")
    response = http.get("/_dingconf/overview", headers={"host": "evil.example"})
    assert (response.status_code, response.json()["code"]) == (403, "crossOriginRefused")
    response = http.post(close, content=b"{}", headers={"content-type": "text/plain"})
    assert (response.status_code, response.json()["code"]) == (403, "crossOriginRefused")
    assert detail(server, cid)["queryConferenceInfo"]["confInfo"]["status"] == 2


def test_a_meeting_created_from_the_console_is_create_video_conferences(server, conf, acme_token):
    body = {
        "corpId": "dingacme",
        "hostId": "u-alice",
        "title": "Made in the console",
        "inviteUserIds": ["u-bob"],
    }
    created = ok(server, "POST", "/_dingconf/conferences", body)
    assert set(created) == {"conferenceId", "roomCode", "externalLinkUrl"}
    cid = created["conferenceId"]
    # The SDK reads it as any other: live, hosted by u-alice, who is rung as is u-bob.
    conference = info(conf, acme_token, cid)
    assert (conference.title, conference.status, conference.room_code) == (
        "Made in the console",
        2,
        created["roomCode"],
    )
    assert (conference.active_num, conference.invited_num) == (0, 1)
    members = member_map(conf, acme_token, cid)
    assert {u: x.attend_status for u, x in members.items()} == {"u-alice": 2, "u-bob": 2}
    assert detail(server, cid)["hostId"] == "u-alice"
    # Its creation event goes to the organisation's apps; the console is no app.
    sent = {e["eventType"] for e in detail(server, cid)["events"]}
    assert sent == {"meeting_status_change"}
    # CreateVideoConference's refusals, and the organisation must exist.
    create = "/_dingconf/conferences"
    fails(server, "POST", create, 400, "unknownUserError", {**body, "hostId": "u-nobody"})
    fails(server, "POST", create, 400, "paramsTitleError", {**body, "title": " "})
    fails(server, "POST", create, 400, "paramError", {**body, "corpId": "dingnowhere"})
    fails(server, "POST", create, 400, "MissinghostId", {"corpId": "dingacme", "title": "x"})


def test_who_speaks_now_lasts_the_words_said(fresh_server):
    srv = fresh_server
    token = srv.token("acme-app", "acme-secret")
    status, _, created = srv.request(
        "POST",
        "/v1.0/conference/videoConferences",
        {"userId": "u-host", "confTitle": "Speaking"},
        {TOKEN_HEADER: token},
    )
    assert status == 200, created
    cid = created["conferenceId"]
    srv.clock.move(freeze=True)
    srv.participants.join(cid, "u-host")
    srv.participants.join(cid, "u-alice")

    def speakers() -> tuple[list[str], list[str]]:
        row = next(
            r for r in ok(srv, "GET", "/_dingconf/overview")["meetings"] if r["conferenceId"] == cid
        )
        shown = [p["unionId"] for p in row.get("speaking", [])]
        return shown, [p["unionId"] for p in detail(srv, cid)["speaking"]]

    assert speakers() == ([], [])
    # Three words, 300 ms each: QueryCloudRecordText times them so.
    srv.participants.say(cid, "u-alice", "One two three.")
    assert speakers() == (["u-alice"], ["u-alice"])
    assert ok(srv, "GET", "/_dingconf/overview")["meetings"][0]["speaking"] == [
        {"unionId": "u-alice", "nick": "Alice"}
    ]
    srv.clock.advance(899)
    srv.participants.say(cid, "u-host", "Yes.")
    assert speakers() == (["u-alice", "u-host"], ["u-alice", "u-host"])
    srv.clock.advance(1)
    assert speakers() == (["u-host"], ["u-host"])
    # Someone who leaves stops speaking at once.
    srv.participants.leave(cid, "u-host")
    assert speakers() == ([], [])
    srv.clock.advance(10_000)
    srv.participants.say(cid, "u-alice", "Still here?")
    ok(srv, "POST", f"/_dingconf/conferences/{cid}/close")
    assert speakers() == ([], [])
