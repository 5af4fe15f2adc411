"""Event delivery: the control API's view, dead letters, crashes, several processes."""

import time
from pathlib import Path

from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from dingtalk_stream import AckMessage

from dingconf.testing.plugin import DingconfServer
from lifecycle import book, join_room, sdk
from stream_listener import StreamListener

from conftest import processes_on, sdk_config


def create(server: DingconfServer, title: str = "Delivery") -> str:
    conf = ConferenceClient(sdk_config(server))
    body = sdk(
        conf,
        server.token("acme-app", "acme-secret"),
        "CreateVideoConference",
        m.CreateVideoConferenceRequest(user_id="u-host", conf_title=title),
    )
    return str(body.conference_id)


def test_control_api_lists_each_apps_events_and_redelivers(fresh_server: DingconfServer):
    cid = create(fresh_server)
    fresh_server.participants.join(cid, "u-alice")
    pending = fresh_server.events("acme-app", "pending")
    assert [(e["eventType"], e["statusSeqNum"]) for e in pending] == [
        ("meeting_status_change", 1),
        ("meeting_status_change_target_push", 1),
        ("meeting_member_status_change", 2),
        ("meeting_member_status_change_target_push", 2),
    ]
    first = pending[0]
    assert (first["state"], first["attempts"], first["lastError"]) == ("pending", 0, "")
    assert first["conferenceId"] == cid and first["corpId"] == "dingacme"
    assert first["data"]["changeScene"] == "conference_created"
    # The other apps of the organisation get the org-wide events only; other orgs nothing.
    assert [e["eventType"] for e in fresh_server.events("acme-reader")] == [
        "meeting_status_change",
        "meeting_member_status_change",
    ]
    assert fresh_server.events("globex-app") == []

    with StreamListener(fresh_server, "acme-app", "acme-secret") as listener:
        listener.take(4)
        joined = fresh_server.events.wait_for(
            "acme-app", "meeting_member_status_change", change_scene="user_join", state="delivered"
        )
        assert joined["attempts"] == 1
        status, _, body = fresh_server.request(
            "POST", f"/_dingconf/events/{first['eventId']}/redeliver", {"appKey": "acme-app"}
        )
        assert (status, body) == (200, {"success": True})
        (again,) = listener.take(1)
        assert again.headers.event_id == first["eventId"]
        assert listener.quiet(0.3) == []

    status, _, body = fresh_server.request(
        "POST", "/_dingconf/events/nope/redeliver", {"appKey": "acme-app"}
    )
    assert (status, body["code"]) == (404, "eventNotFound")
    status, _, body = fresh_server.request("GET", "/_dingconf/events?appKey=acme-app&state=gone")
    assert (status, body["code"]) == (400, "paramError")


def test_an_event_always_refused_ends_in_the_dead_letters(fresh_server: DingconfServer):
    def refuse(_event: object, _seen: int) -> int:
        return AckMessage.STATUS_SYSTEM_EXCEPTION

    with StreamListener(fresh_server, "acme-reader", "reader-secret", refuse) as listener:
        create(fresh_server)
        deadline = time.monotonic() + 30
        while not fresh_server.events("acme-reader", "dead"):
            assert time.monotonic() < deadline, fresh_server.events("acme-reader")
            # Backoff follows the server's clock: move it past the next attempt.
            fresh_server.clock.advance(120_000)
            time.sleep(0.1)
        (dead,) = fresh_server.events("acme-reader", "dead")
        assert dead["attempts"] == 10
        assert dead["lastError"].startswith("ack 500")
        assert len(listener.quiet(0.3)) >= 1
    assert fresh_server.events("acme-reader", "pending") == []


def test_an_event_committed_before_a_crash_arrives_after_restart(process_server: DingconfServer):
    cid = create(process_server)
    process_server.participants.join(cid, "u-alice")
    assert len(process_server.events("acme-app", "pending")) == 4
    process_server.kill()
    process_server.start()
    with StreamListener(process_server, "acme-app", "acme-secret") as listener:
        frames = listener.take(4)
    scenes = [(f.headers.event_type, f.data["changeScene"]) for f in frames]
    assert scenes == [
        ("meeting_status_change", "conference_created"),
        ("meeting_status_change_target_push", "conference_created"),
        ("meeting_member_status_change", "user_join"),
        ("meeting_member_status_change_target_push", "user_join"),
    ]


def test_two_processes_deliver_every_event_exactly_once(database_url: str, tmp_path: Path):
    with processes_on(database_url, tmp_path, 2) as servers:
        # One client on each process; the meeting is driven through the second.
        with (
            StreamListener(servers[0], "acme-app", "acme-secret") as on_first,
            StreamListener(servers[1], "acme-app", "acme-secret") as on_second,
        ):
            cid = create(servers[1])
            for i in range(5):
                servers[1].participants.join(cid, f"guest-{i}")
                servers[i % 2].participants.leave(cid, f"guest-{i}")
            expected = 2 * (1 + 10)
            deadline = time.monotonic() + 20
            while on_first.frames.qsize() + on_second.frames.qsize() < expected:
                assert time.monotonic() < deadline, "events missing"
                time.sleep(0.05)
            frames = on_first.quiet(0.5) + on_second.quiet(0)
        ids = [f.headers.event_id for f in frames]
        assert len(ids) == len(set(ids)) == expected
        for kind in ("meeting_member_status_change", "meeting_member_status_change_target_push"):
            seqs = sorted(f.data["statusSeqNum"] for f in frames if f.headers.event_type == kind)
            assert seqs == list(range(2, 12))
        states = {e["state"] for e in servers[0].events("acme-app")}
        assert states == {"delivered"}


def test_a_booked_instance_is_created_at_its_first_join_and_targets_the_booking_app(
    fresh_server: DingconfServer,
):
    conf = ConferenceClient(sdk_config(fresh_server))
    token = fresh_server.token("acme-app", "acme-secret")
    booking = book(conf, token)
    # Booking alone emits nothing: the instance has not started.
    assert fresh_server.events("acme-app") == []
    cid = join_room(fresh_server, booking.room_code.replace(" ", ""), "u-alice")
    created = fresh_server.events.wait_for(
        "acme-app", "meeting_status_change_target_push", change_scene="conference_created"
    )
    conf_model = created["data"]["openConfModel"]
    assert conf_model["conferenceId"] == cid and conf_model["status"] == 2
    assert conf_model["bizType"] == 3
    assert conf_model["scheduleConferenceId"] == booking.schedule_conference_id
    sdk(conf, token, "CloseVideoConference", cid, m.CloseVideoConferenceRequest(union_id="u-host"))
    org_wide = fresh_server.events("acme-reader")
    assert [(e["data"]["changeScene"], e["statusSeqNum"]) for e in org_wide] == [
        ("conference_created", 1),
        ("user_join", 2),
        ("conference_closed", 3),
    ]
    assert org_wide[0]["data"]["openConfModel"]["bizType"] == "3"
