"""Event retention: settled events pruned after the window (by the server's clock),
each app's backlog bounded with dead letters, the events listing paged."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dingconf.events import retention
from dingconf.events.retention_tables import RetentionTables
from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer
from push_receiver import PushReceiver
from test_events_push import create, subscribe

from conftest import SEED

DAY_MS = 86_400_000
ACME_APPS = ("acme-app", "acme-reader", "acme-writer")


def eventually(condition: Callable[[], bool], timeout_s: float = 30) -> None:
    """Poll a condition the server reaches on its own (a sweep, a delivery)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def page(server: DingconfServer, query: str) -> tuple[int, Any]:
    status, _, body = server.request("GET", f"/_dingconf/events?{query}")
    return status, body


def test_settled_events_go_after_the_window_and_statusseqnum_carries_on(
    fresh_server: DingconfServer,
):
    receivers = [PushReceiver(app) for app in ACME_APPS]
    for receiver, app in zip(receivers, ACME_APPS, strict=True):
        receiver.__enter__()
        assert subscribe(fresh_server, app, receiver.url)[0] == 200
    try:
        cid = create(fresh_server)
        fresh_server.participants.join(cid, "u-alice")
        fresh_server.participants.leave(cid, "u-alice")
        eventually(
            lambda: [e["state"] for e in fresh_server.events("acme-app")] == ["delivered"] * 6
        )
        eventually(lambda: not fresh_server.events("acme-reader", "pending"))
        before = fresh_server.events("acme-app")
        assert [e["statusSeqNum"] for e in before] == [1, 1, 2, 2, 3, 3]

        # A day later by the server's clock (no real wait), the sweep drops them.
        # It goes app by app, each in transactions of its own: wait for all.
        fresh_server.clock.advance(DAY_MS + 60_000)
        eventually(lambda: all(fresh_server.events(app) == [] for app in ACME_APPS))

        # The meeting's next event follows the last statusSeqNum, pruned or not.
        fresh_server.participants.join(cid, "u-bob")
        joined = fresh_server.events.wait_for("acme-app", "meeting_member_status_change")
        assert joined["statusSeqNum"] == 4
    finally:
        for receiver in receivers:
            receiver.__exit__(None, None, None)


def _owe_five_and_sweep(server: DingconfServer) -> None:
    """acme-reader (never connected) is owed statusSeqNum 1..5; the sweep runs by the
    server's clock and, with a backlog of 3, dead-letters the first two."""
    cid = create(server)
    for who in ("u-alice", "u-bob", "u-carol"):
        server.participants.join(cid, who)
    server.participants.leave(cid, "u-alice")
    server.clock.advance(60_000)
    eventually(lambda: len(server.events("acme-reader", "dead")) == 2)


def test_an_app_that_never_connects_keeps_a_bounded_backlog_of_dead_letters(
    database_url: str, tmp_path: Path
):
    server = InProcessServer(tmp_path, seed=SEED, database=database_url, event_backlog=3).start()
    try:
        _owe_five_and_sweep(server)
        pending = server.events("acme-reader", "pending")
        assert [e["statusSeqNum"] for e in pending] == [3, 4, 5]
        dead = server.events("acme-reader", "dead")
        assert [(e["statusSeqNum"], e["attempts"]) for e in dead] == [(1, 0), (2, 0)]
        assert dead[0]["lastError"] == "backlog over 3 pending events"

        # Dead letters stay redeliverable for the window, then go; the backlog stays.
        server.clock.advance(DAY_MS + 60_000)
        eventually(lambda: server.events("acme-reader", "dead") == [])
        assert [e["statusSeqNum"] for e in server.events("acme-reader")] == [3, 4, 5]
    finally:
        server.stop()


def test_a_backlog_is_dead_lettered_in_short_transactions(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # On SQLite each statement runs on the event loop: one dead-lettering
    # thousands of rows stalled every request for its length. Each statement
    # now touches at most a chunk of rows, in a transaction of its own.
    monkeypatch.setattr(retention, "_CHUNK", 1)
    limits: list[tuple[str, int]] = []  # (app, limit) of each statement
    dead_letter = RetentionTables.dead_letter

    async def counting(self: RetentionTables, *args: Any) -> int:
        limits.append((args[0], args[-1]))
        changed: int = await dead_letter(self, *args)
        assert changed <= 1
        return changed

    monkeypatch.setattr(RetentionTables, "dead_letter", counting)
    server = InProcessServer(tmp_path, seed=SEED, database=database_url, event_backlog=3).start()
    try:
        _owe_five_and_sweep(server)
        assert [e["statusSeqNum"] for e in server.events("acme-reader", "pending")] == [3, 4, 5]
        # A row a statement, the cut taken again before each: two, then within bound.
        assert [limit for app, limit in limits if app == "acme-reader"] == [1, 1]
    finally:
        server.stop()


def test_the_events_listing_comes_in_bounded_pages_with_a_cursor(fresh_server: DingconfServer):
    cid = create(fresh_server)
    for i in range(250):
        fresh_server.participants.join(cid, f"guest-{i}")
    # acme-app is owed each fact twice (org-wide and _target_push): 502 rows.
    status, first = page(fresh_server, "appKey=acme-app")
    assert status == 200 and len(first["events"]) == 500 and first["nextToken"]
    status, rest = page(fresh_server, f"appKey=acme-app&nextToken={first['nextToken']}")
    assert status == 200 and len(rest["events"]) == 2 and rest["nextToken"] == ""
    assert [e["statusSeqNum"] for e in rest["events"]] == [251, 251]

    seen: list[str] = []
    token = ""
    while True:
        status, body = page(fresh_server, f"appKey=acme-app&maxResults=7&nextToken={token}")
        assert status == 200 and len(body["events"]) <= 7
        seen += [e["eventId"] for e in body["events"]]
        token = body["nextToken"]
        if not token:
            break
    assert seen == [e["eventId"] for e in first["events"] + rest["events"]]

    for bad in ("maxResults=0", "maxResults=x", "nextToken=nope", "nextToken=1.x"):
        status, body = page(fresh_server, f"appKey=acme-app&{bad}")
        assert (status, body["code"]) == (400, "paramError"), bad
