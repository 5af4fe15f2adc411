"""Meeting events over Stream mode, received by the official ``dingtalk-stream`` SDK."""

from typing import Any

import httpx
import pytest
import websockets.sync.client
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from dingtalk_stream import AckMessage
from prometheus_client.parser import text_string_to_metric_families

from dingconf.testing.plugin import DingconfServer
from lifecycle import sdk, users
from stream_listener import Received, StreamListener

from conftest import sdk_config

ORG_CONF_FIELDS = {
    "conferenceId": str,
    "title": str,
    "status": int,
    "startTime": int,
    "confDuration": int,
    "activeNum": int,
    "attendNum": int,
    "invitedNum": int,
    "creatorId": str,
    "creatorNick": str,
    "bizType": str,
}
TARGET_CONF_FIELDS = {**ORG_CONF_FIELDS, "bizType": int, "roomCode": str, "externalLinkUrl": str}
MEMBER_FIELDS = {
    "conferenceId": str,
    "userId": str,
    "userNick": str,
    "joinTime": int,
    "leaveTime": int,
    "duration": int,
    "attendStatus": int,
    "host": bool,
    "coHost": bool,
    "pstnJoin": bool,
    "deviceType": str,
}


def typed(value: dict[str, Any], fields: dict[str, type]) -> None:
    """Exactly these keys (plus optional ones checked by the caller), each of its JSON type."""
    for name, kind in fields.items():
        assert type(value[name]) is kind, (name, value)


def run_meeting(server: DingconfServer) -> str:
    """Every event source once: create, join, invite, kick, join, leave, close."""
    conf = ConferenceClient(sdk_config(server))
    token = server.token("acme-app", "acme-secret")
    created = sdk(
        conf,
        token,
        "CreateVideoConference",
        m.CreateVideoConferenceRequest(user_id="u-host", conf_title="Events", invite_user_ids=[]),
    )
    cid: str = created.conference_id
    server.participants.join(cid, "u-alice")
    sdk(
        conf,
        token,
        "InviteUsers",
        cid,
        m.InviteUsersRequest(invitee_list=[m.InviteUsersRequestInviteeList(union_id="u-carol")]),
    )
    sdk(conf, token, "KickMembers", cid, m.KickMembersRequest(user_list=users("u-alice")))
    server.participants.join(cid, "u-dave")
    server.participants.leave(cid, "u-dave")
    sdk(conf, token, "CloseVideoConference", cid, m.CloseVideoConferenceRequest(union_id="u-host"))
    return cid


SCENES = [
    ("meeting_status_change", "conference_created"),
    ("meeting_member_status_change", "user_join"),
    ("meeting_member_status_change", "user_invited"),
    ("meeting_member_status_change", "user_kicked"),
    ("meeting_member_status_change", "user_join"),
    ("meeting_member_status_change", "user_leave"),
    ("meeting_status_change", "conference_closed"),
]


def check_envelope(frame: Received, app_key: str) -> None:
    h = frame.headers
    assert (h.event_corp_id, h.event_unified_app_id, h.app_id) == ("dingacme", app_key, app_key)
    assert h.topic == "*" and h.content_type == "application/json"
    assert isinstance(h.event_born_time, int) and h.event_born_time > 0
    assert len(h.event_id) == 32 and h.message_id


def test_every_event_arrives_in_order_with_exact_fields(fresh_server: DingconfServer):
    with StreamListener(fresh_server, "acme-app", "acme-secret") as listener:
        cid = run_meeting(fresh_server)
        frames = listener.take(2 * len(SCENES))
        assert listener.quiet(0.5) == []

    ids = [f.headers.event_id for f in frames]
    assert len(set(ids)) == len(ids)
    for i, (base, scene) in enumerate(SCENES):
        # Each fact: the org-wide event, then the creating app's targeted twin, one seq.
        org, own = frames[2 * i], frames[2 * i + 1]
        assert (org.headers.event_type, own.headers.event_type) == (base, base + "_target_push")
        for frame in (org, own):
            check_envelope(frame, "acme-app")
            assert frame.data["statusSeqNum"] == i + 1
            assert frame.data["changeScene"] == scene
        if base == "meeting_status_change":
            org_conf, own_conf = org.data["openConfModel"], own.data["openConfModel"]
            typed(org_conf, ORG_CONF_FIELDS)
            typed(own_conf, TARGET_CONF_FIELDS)
            assert org_conf["conferenceId"] == own_conf["conferenceId"] == cid
            assert (org_conf["bizType"], own_conf["bizType"]) == ("0", 0)
            assert org_conf["creatorId"] == "u-host" and org_conf["title"] == "Events"
            assert "endTime" not in org_conf and "roomCode" not in org_conf
        else:
            assert org.data["openMemberModels"] == own.data["openMemberModels"]
            for member in org.data["openMemberModels"]:
                assert set(member) == set(MEMBER_FIELDS)
                typed(member, MEMBER_FIELDS)
                assert member["conferenceId"] == cid

    def first_member(i: int) -> dict[str, Any]:
        return frames[2 * i].data["openMemberModels"][0]

    assert (first_member(1)["userId"], first_member(1)["attendStatus"]) == ("u-alice", 3)
    assert (first_member(2)["userId"], first_member(2)["attendStatus"]) == ("u-carol", 2)
    assert (first_member(3)["userId"], first_member(3)["attendStatus"]) == ("u-alice", 5)
    left = first_member(5)
    assert (left["userId"], left["attendStatus"]) == ("u-dave", 6)
    assert left["leaveTime"] >= left["joinTime"] > 0
    created = frames[0].data["openConfModel"]
    assert created["status"] == 2 and created["activeNum"] == 0
    closed = frames[13].data["openConfModel"]
    assert closed["status"] == 1 and closed["attendNum"] == 2
    assert closed["endTime"] >= closed["startTime"]
    assert closed["confDuration"] == closed["endTime"] - closed["startTime"]


def test_org_wide_events_reach_every_app_of_the_org_targeted_only_the_creator(
    fresh_server: DingconfServer,
):
    with StreamListener(fresh_server, "acme-reader", "reader-secret") as reader:
        run_meeting(fresh_server)
        frames = reader.take(len(SCENES))
        assert reader.quiet(0.5) == []
    assert [(f.headers.event_type, f.data["changeScene"]) for f in frames] == SCENES
    for frame in frames:
        check_envelope(frame, "acme-reader")
    with StreamListener(fresh_server, "globex-app", "globex-secret") as other_org:
        assert other_org.quiet(0.5) == []


def test_an_event_not_acknowledged_arrives_again(fresh_server: DingconfServer):
    def refuse_first(_event: Any, seen: int) -> int:
        return AckMessage.STATUS_SYSTEM_EXCEPTION if seen == 1 else AckMessage.STATUS_OK

    with StreamListener(fresh_server, "acme-app", "acme-secret", refuse_first) as listener:
        token = fresh_server.token("acme-app", "acme-secret")
        conf = ConferenceClient(sdk_config(fresh_server))
        sdk(
            conf,
            token,
            "CreateVideoConference",
            m.CreateVideoConferenceRequest(user_id="u-host", conf_title="Retry"),
        )
        frames = listener.take(4)
        assert listener.quiet(1.5) == []
    # Refused, sent again with the same eventId (and a new messageId), then the twin.
    assert [f.code for f in frames] == [500, 200, 500, 200]
    assert frames[0].headers.event_id == frames[1].headers.event_id
    assert frames[0].headers.message_id != frames[1].headers.message_id
    assert frames[2].headers.event_id == frames[3].headers.event_id
    assert frames[2].headers.event_type == "meeting_status_change_target_push"
    # Each attempt is counted in the metrics by its outcome.
    scrape = httpx.get(f"{fresh_server.url}/_dingconf/metrics").text
    counted = {
        sample.labels["outcome"]: sample.value
        for family in text_string_to_metric_families(scrape)
        for sample in family.samples
        if sample.name == "dingconf_event_deliveries_total"
    }
    assert counted == {"retry": 2.0, "delivered": 2.0}


def test_open_connection_answers_endpoint_and_ticket(fresh_server: DingconfServer):
    with httpx.Client(base_url=fresh_server.url) as http:
        body = {
            "clientId": "acme-app",
            "clientSecret": "acme-secret",
            "subscriptions": [{"type": "EVENT", "topic": "*"}],
            "ua": "test",
            "localIp": "127.0.0.1",
        }
        reply = http.post("/v1.0/gateway/connections/open", json=body)
        assert reply.status_code == 200
        answer = reply.json()
        assert set(answer) == {"endpoint", "ticket"}
        assert answer["endpoint"] == f"ws://{fresh_server.endpoint}/connect"
        assert isinstance(answer["ticket"], str) and answer["ticket"]

        wrong = http.post("/v1.0/gateway/connections/open", json={**body, "clientSecret": "nope"})
        assert wrong.status_code == 400
        assert wrong.json()["code"] == "invalidClientIdOrSecret"
        bad_type = http.post(
            "/v1.0/gateway/connections/open",
            json={**body, "subscriptions": [{"type": "NOPE", "topic": "*"}]},
        )
        assert bad_type.status_code == 400
        assert bad_type.json()["code"] == "invalidParameter"

    # A made-up ticket is refused before the WebSocket opens.
    url = f"ws://{fresh_server.endpoint}/connect?ticket=forged"
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        websockets.sync.client.connect(url, open_timeout=5).close()
    assert refused.value.response.status_code == 403


def test_a_recording_video_ready_event_follows_the_stop_once_the_video_is_ready(
    fresh_server: DingconfServer,
):
    conf = ConferenceClient(sdk_config(fresh_server))
    token = fresh_server.token("acme-app", "acme-secret")
    cid = sdk(
        conf,
        token,
        "CreateVideoConference",
        m.CreateVideoConferenceRequest(user_id="u-host", conf_title="Recorded"),
    ).conference_id
    fresh_server.participants.join(cid, "u-host")
    with StreamListener(fresh_server, "acme-app", "acme-secret") as listener:
        listener.take(4)  # the meeting created, the host joined
        sdk(conf, token, "StartCloudRecord", cid, m.StartCloudRecordRequest(union_id="u-host"))
        before = fresh_server.clock.advance(0)
        sdk(conf, token, "StopCloudRecord", cid, m.StopCloudRecordRequest(union_id="u-host"))
        stopped = fresh_server.clock.advance(0)
        # The video is still being generated: nothing yet, and the meeting's
        # own events are not held back behind it.
        fresh_server.participants.leave(cid, "u-host")
        left = listener.take(2)
        assert {f.headers.event_type for f in left} == {
            "meeting_member_status_change",
            "meeting_member_status_change_target_push",
        }
        assert listener.quiet(0.5) == []
        fresh_server.clock.advance(60_000)
        (ready,) = listener.take(1)
        assert listener.quiet(0.5) == []

    check_envelope(ready, "acme-app")
    assert ready.headers.event_type == "flash_minutes_open_event"
    # Born when the video was generated: 60 s after the stop.
    assert before + 60_000 <= ready.headers.event_born_time <= stopped + 60_000
    assert ready.data["openConfModel"] == {"conferenceId": cid}
    assert (ready.data["bizType"], ready.data["minutesEventType"]) == (
        "cloud_record",
        "video_generated",
    )
    assert type(ready.data["minutesTaskId"]) is int and ready.data["minutesTaskId"] < 2**53
    assert "statusSeqNum" not in ready.data
