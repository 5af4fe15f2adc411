"""The official Node.js Stream SDK (``dingtalk-stream``) receiving dingconf's events.

tests/node/stream.mjs is an app's bot: it prints every event it receives and
answers as the SDK lets a bot answer, ``{"status": "SUCCESS"}`` or
``{"status": "LATER"}`` in the ack's data, always with code 200. The server's
clock stands still, so a retry comes only when the test moves it past the
backoff. SQLite only: acks are read the same way whatever the backend.
"""

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer
from node_sdk import NodeProcess

from conftest import SEED, auth

APP = ("acme-reader", "reader-secret")


@pytest.fixture(scope="module")
def node_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DingconfServer]:
    """This module's server, on SQLite, its clock frozen."""
    srv = InProcessServer(tmp_path_factory.mktemp("node-stream"), seed=SEED).start()
    srv.clock.move(freeze=True)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def bot(node_server: DingconfServer) -> Iterator[NodeProcess]:
    """The Node bot of acme-reader (org-wide events), answering LATER once to each join."""
    with NodeProcess("stream.mjs", node_server.url, *APP, "user_join") as process:
        assert process.next() == {"connected": True}
        yield process


def create_meeting(server: DingconfServer) -> str:
    token = server.token("acme-app", "acme-secret")
    created = httpx.post(
        f"{server.url}/v1.0/conference/videoConferences",
        json={"userId": "u-host", "confTitle": "Node events"},
        headers=auth(token),
    )
    assert created.status_code == 200, created.text
    conference_id: str = created.json()["conferenceId"]
    return conference_id


def settled(server: DingconfServer, event_id: str, attempts: int) -> dict[str, Any]:
    """The event's delivery record once ``attempts`` sends of it have settled."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = [e for e in server.events(APP[0]) if e["eventId"] == event_id]
        if found and found[0]["attempts"] >= attempts:
            return found[0]
        time.sleep(0.02)
    raise AssertionError(f"{event_id} was not sent {attempts} times")


def scene(received: dict[str, Any]) -> tuple[str, str]:
    return received["headers"]["eventType"], received["data"]["changeScene"]


def test_later_is_sent_again_on_the_retry_schedule_success_is_not(
    node_server: DingconfServer, bot: NodeProcess
) -> None:
    cid = create_meeting(node_server)
    created = bot.next()
    assert scene(created) == ("meeting_status_change", "conference_created")
    assert created["status"] == "SUCCESS"

    node_server.participants.join(cid, "u-alice")
    join = bot.next()
    assert scene(join) == ("meeting_member_status_change", "user_join")
    (member,) = join["data"]["openMemberModels"]
    assert (member["conferenceId"], member["userId"]) == (cid, "u-alice")
    assert (member["attendStatus"], member["userNick"]) == (3, "Alice")
    assert join["headers"]["eventCorpId"] == "dingacme"
    assert join["status"] == "LATER"

    # LATER under code 200 is a failed attempt: pending, due after the first backoff.
    event_id = join["headers"]["eventId"]
    record = settled(node_server, event_id, 1)
    assert (record["state"], record["attempts"]) == ("pending", 1)
    assert "LATER" in record["lastError"]
    assert record["nextAttemptTime"] == node_server.clock.move() + 500

    node_server.clock.advance(500)
    again = bot.next()
    assert again["headers"]["eventId"] == event_id
    assert again["headers"]["messageId"] != join["headers"]["messageId"]
    assert (again["data"], again["status"]) == (join["data"], "SUCCESS")
    assert (settled(node_server, event_id, 2)["state"]) == "delivered"

    # Past every backoff, the meeting's later events arrive and the join never again.
    node_server.clock.advance(120_000)
    node_server.participants.leave(cid, "u-alice")
    left = bot.next()
    assert scene(left) == ("meeting_member_status_change", "user_leave")
    assert left["status"] == "SUCCESS"
    record = settled(node_server, left["headers"]["eventId"], 1)
    assert (record["state"], record["attempts"]) == ("delivered", 1)
    assert settled(node_server, event_id, 2)["attempts"] == 2
    assert bot.pending() == []
