"""HTTP push of meeting events with DingTalk's encrypted callback protocol."""

import time
from pathlib import Path
from typing import Any

from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient

from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer
from lifecycle import sdk
from push_receiver import AES_KEY, TOKEN, PushReceiver

from conftest import SEED, sdk_config


def subscribe(server: DingconfServer, app_key: str, url: str, **change: str) -> tuple[int, Any]:
    body = {"url": url, "token": TOKEN, "aesKey": AES_KEY, **change}
    status, _, reply = server.request("PUT", f"/_dingconf/apps/{app_key}/push", body)
    return status, reply


def create(server: DingconfServer) -> str:
    conf = ConferenceClient(sdk_config(server))
    body = sdk(
        conf,
        server.token("acme-app", "acme-secret"),
        "CreateVideoConference",
        m.CreateVideoConferenceRequest(user_id="u-host", conf_title="Pushed"),
    )
    return str(body.conference_id)


def wait_until(condition: Any, server: DingconfServer, timeout_s: float = 20) -> None:
    """Poll, moving the server's clock so that retries fall due without real waiting."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        server.clock.advance(120_000)
        time.sleep(0.1)


def test_registration_checks_the_url_then_events_arrive_encrypted(fresh_server: DingconfServer):
    with PushReceiver("acme-app") as receiver:
        assert subscribe(fresh_server, "acme-app", receiver.url) == (200, {"success": True})
        assert receiver.received == [{"EventType": "check_url"}]
        cid = create(fresh_server)
        fresh_server.participants.join(cid, "u-alice")
        wait_until(lambda: len(receiver.received) >= 5, fresh_server)
        time.sleep(0.3)
        events = receiver.received[1:]
    assert receiver.problems == []
    assert [(e["EventType"], e["changeScene"], e["statusSeqNum"]) for e in events] == [
        ("meeting_status_change", "conference_created", 1),
        ("meeting_status_change_target_push", "conference_created", 1),
        ("meeting_member_status_change", "user_join", 2),
        ("meeting_member_status_change_target_push", "user_join", 2),
    ]
    for event in events:
        assert event["CorpId"] == "dingacme"
        assert type(event["EventTime"]) is int and event["EventTime"] > 0
        assert isinstance(event["eventId"], str) and event["BizId"] == event["eventId"]
    conf_model = events[1]["openConfModel"]
    assert conf_model["conferenceId"] == cid and conf_model["bizType"] == 0
    assert events[2]["openMemberModels"][0]["userId"] == "u-alice"
    delivered = fresh_server.events("acme-app", "delivered")
    assert [d["eventId"] for d in delivered] == [e["eventId"] for e in events]


def test_registration_refuses_bad_settings_and_a_url_failing_the_handshake(
    fresh_server: DingconfServer,
):
    with PushReceiver("acme-app") as receiver:
        status, reply = subscribe(fresh_server, "acme-app", receiver.url, aesKey="short")
        assert (status, reply["code"]) == (400, "paramError")
        status, reply = subscribe(fresh_server, "acme-app", "ftp://127.0.0.1/x")
        assert (status, reply["code"]) == (400, "paramError")
        # An emulator never calls out: only this machine's addresses are accepted.
        for elsewhere in ("http://example.com/cb", "http://10.0.0.1/cb", "http://[::1/cb"):
            status, reply = subscribe(fresh_server, "acme-app", elsewhere)
            assert (status, reply["code"]) == (400, "paramError")
        status, reply = subscribe(fresh_server, "nobody", receiver.url)
        assert (status, reply["code"]) == (404, "appNotFound")
        assert receiver.received == []
    # The app's key differs from the receiver's owner key, so its answer cannot verify.
    with PushReceiver("someone-else") as wrong_owner:
        status, reply = subscribe(fresh_server, "acme-app", wrong_owner.url)
        assert (status, reply["code"]) == (400, "checkUrlFailed")
    with PushReceiver("acme-app", lambda _n, _e: False) as failing:
        status, reply = subscribe(fresh_server, "acme-app", failing.url)
        assert (status, reply["code"]) == (400, "checkUrlFailed")
        assert "HTTP 500" in reply["message"]
    status, _, reply = fresh_server.request("DELETE", "/_dingconf/apps/acme-app/push")
    assert (status, reply["code"]) == (404, "subscriptionNotFound")


def test_a_receiver_failing_three_times_gets_the_event_once_acknowledged(
    fresh_server: DingconfServer,
):
    def fail_three(n: int, _event: dict[str, Any]) -> bool:
        return n == 1 or n > 4  # the handshake passes, then 3 failures

    with PushReceiver("acme-reader", fail_three) as receiver:
        assert subscribe(fresh_server, "acme-reader", receiver.url)[0] == 200
        create(fresh_server)
        wait_until(lambda: len(receiver.acknowledged) >= 2, fresh_server)
        time.sleep(0.3)
        assert len(receiver.received) == 5
    ids = {e["eventId"] for e in receiver.received[1:]}
    assert len(ids) == 1
    assert [e["eventId"] for e in receiver.acknowledged[1:]] == list(ids)
    (delivered,) = fresh_server.events("acme-reader", "delivered")
    assert delivered["attempts"] == 4


def test_a_receiver_always_failing_ends_in_the_dead_letters(fresh_server: DingconfServer):
    with PushReceiver("acme-reader", lambda n, _e: n == 1) as receiver:
        assert subscribe(fresh_server, "acme-reader", receiver.url)[0] == 200
        create(fresh_server)
        wait_until(lambda: fresh_server.events("acme-reader", "dead"), fresh_server)
        (dead,) = fresh_server.events("acme-reader", "dead")
        assert dead["attempts"] == 10 and dead["lastError"] == "HTTP 500"
        assert len(receiver.received) == 1 + 10
    assert fresh_server.request("DELETE", "/_dingconf/apps/acme-reader/push")[0] == 200


def test_a_seeded_subscription_pushes_without_a_handshake(tmp_path: Path, database_url: str):
    with PushReceiver("acme-reader") as receiver:
        seed = {**SEED, "orgs": [dict(org) for org in SEED["orgs"]]}
        acme = seed["orgs"][0]
        acme["apps"] = [
            {**app, "push": {"url": receiver.url, "token": TOKEN, "aesKey": AES_KEY}}
            if app["appKey"] == "acme-reader"
            else app
            for app in acme["apps"]
        ]
        server = InProcessServer(tmp_path, seed=seed, database=database_url).start()
        try:
            create(server)
            server.events.wait_for("acme-reader", "meeting_status_change", state="delivered")
        finally:
            server.stop()
    assert [e["EventType"] for e in receiver.received] == ["meeting_status_change"]
