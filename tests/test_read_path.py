"""The query's read path: what a request reads once, it never keeps past a commit.

A request reads the change marker once (SQLite) or the clock, the auth epoch
and the meeting it names in one statement (PostgreSQL); these tests hold both
to the rule every cache follows: nothing answered after a commit the caller
has seen is older than that commit. On PostgreSQL, QueryConferenceInfo costs
one database round trip, counted by the real driver.
"""

import asyncio
import io
from typing import Any

import pytest
from starlette.requests import Request
from starlette.types import Message

from asgi_scope import http_scope
from counted import COUNTING, count_statements
from dingconf.app import open_store
from dingconf.auth.tables import OrgTables
from dingconf.core.errors import RouteNotFound
from dingconf.core.records import Conference, ConferenceStatus, Org, User
from dingconf.db.postgres import PostgresDatabase
from dingconf.db.store import Store
from dingconf.http import observe as observe_module
from dingconf.http.asgi import REQUEST_ID, Reply, recording
from dingconf.http.metrics import Metrics
from dingconf.http.routing import ApiRoute, build_router
from dingconf.meetings.tables import MeetingTables
from dingconf.meetings.transitions import end_conference, insert_conference, record_leave
from in_process import InProcessApp, run
from test_store_contract import conference

from conftest import join_meeting

CID = "b" * 24
OTHER_CID = "c" * 24


async def _request(store: Store, corp: str, cid: str) -> Conference | None:
    """One read request as the app makes it, in a task of its own: clock first
    (naming the meeting, as a GET of it does), then the lookup."""

    async def served() -> Conference | None:
        await store.clock_state(cid)
        return await store.get_conference(corp, cid)

    return await asyncio.create_task(served())


def test_what_a_request_read_first_never_outlives_a_commit(database_url: str):
    async def scenario() -> None:
        ours, theirs = open_store(database_url), open_store(database_url)
        await ours.open()
        await theirs.open()
        try:
            async with ours.write() as tx:
                await OrgTables(tx.conn).upsert_org(Org("dinga", "A"))
                await OrgTables(tx.conn).upsert_org(Org("dingb", "B"))
                await OrgTables(tx.conn).upsert_user(User("dinga", "ua", "User A"))
                await insert_conference(tx, conference(CID), [], "ua")
                await insert_conference(tx, conference(OTHER_CID, room="10000000002"), [], "ua")
            first = await _request(ours, "dinga", CID)
            assert first is not None and first.active_num == 0
            # Another process (another connection) commits; every request
            # after that sees it, however much this one read or kept before.
            for n in range(1, 4):
                async with theirs.write() as tx:
                    await join_meeting(tx, CID, f"u{n}", "N", 1_000 + n)
                seen = await _request(ours, "dinga", CID)
                assert seen is not None and (seen.active_num, seen.attend_num) == (n, n)
            # Another organisation's meeting stays invisible, prefetched or not.
            assert await _request(ours, "dingb", CID) is None
            assert await MeetingTables(ours.reader).conference_corp(CID) == "dinga"

            # Within one request: the meeting read with the clock serves the
            # lookup of that meeting only, and the request's own commit
            # forgets what it read before.
            async def one_request() -> None:
                await ours.clock_state(CID)
                other = await ours.get_conference("dinga", OTHER_CID)
                assert other is not None and other.conference_id == OTHER_CID
                async with ours.write() as tx:
                    await record_leave(tx, CID, "u1", 9_000)
                after = await ours.get_conference("dinga", CID)
                assert after is not None and after.active_num == 2

            await asyncio.create_task(one_request())
            async with theirs.write() as tx:
                await end_conference(tx, CID, 10_000)
            ended = await _request(ours, "dinga", CID)
            assert ended is not None and ended.status == ConferenceStatus.ENDED
        finally:
            await ours.close()
            await theirs.close()

    run(scenario())


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_query_on_postgresql_is_one_round_trip(
    database_url: str, monkeypatch: pytest.MonkeyPatch
):
    async def scenario() -> None:
        async with InProcessApp(database_url) as app:
            assert app.services is not None and isinstance(app.services.store, Store)
            db = app.services.store.database
            assert isinstance(db, PostgresDatabase)
            status, issued = await app.call(
                "POST",
                "/v1.0/oauth2/accessToken",
                {"appKey": "acme-app", "appSecret": "acme-secret"},
            )
            assert status == 200
            token = issued["accessToken"]
            status, created = await app.call(
                "POST",
                "/v1.0/conference/videoConferences",
                {"userId": "u-host", "confTitle": "counted"},
                token,
            )
            assert status == 200
            path = f"/v1.0/conference/videoConferences/{created['conferenceId']}"
            status, first = await app.call("GET", path, token=token)  # token now cached
            assert status == 200 and first["confInfo"]["title"] == "counted"
            # Counted in these requests' context only: the dispatcher polls the
            # outbox on a timer, which a slow machine may bring in between them.
            counted = count_statements(monkeypatch)
            COUNTING.set(True)
            for _ in range(20):
                status, again = await app.call("GET", path, token=token)
                assert (status, again) == (200, first)
            assert counted[0] == 20

            # A change committed through another connection (another
            # process) shows in the very next query, still one round trip.
            other = open_store(database_url)
            await other.open()
            try:
                async with other.write() as tx:
                    await join_meeting(tx, created["conferenceId"], "u-alice", "Alice", 5_000)
            finally:
                await other.close()
            before = counted[0]
            status, joined = await app.call("GET", path, token=token)
            assert counted[0] - before == 1
            assert (status, joined["confInfo"]["activeNum"]) == (200, 1)

            # Another organisation's meeting: still noPermission, as before.
            status, globex = await app.call(
                "POST",
                "/v1.0/oauth2/accessToken",
                {"appKey": "globex-app", "appSecret": "globex-secret"},
            )
            status, denied = await app.call("GET", path, token=globex["accessToken"])
            assert (status, denied["code"]) == (403, "noPermission")
            status, missing = await app.call(
                "GET", "/v1.0/conference/videoConferences/" + "f" * 24, token=token
            )
            assert (status, missing["code"]) == (404, "roomNotFound")

    run(scenario())


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_access_lines_wait_for_the_timer_but_are_all_out_at_shutdown(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    # Lines are written in batches; however long a batch waits, a clean
    # shutdown writes it.
    monkeypatch.setattr(observe_module._Buffered, "FLUSH_S", 3600.0)

    async def scenario() -> list[str]:
        ids = []
        async with InProcessApp(database_url, access_log="text") as app:
            for _ in range(3):
                status, body = await app.call("GET", "/v1.0/conference/videoConferences/x")
                assert status == 400
                ids.append(body["requestid"])
            assert not any(i in capsys.readouterr().err for i in ids)  # still waiting
        return ids

    ids = run(scenario())
    log = capsys.readouterr().err
    assert all(f"requestId={i} " in log for i in ids), log


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_access_lines_are_formatted_off_the_request_path_in_the_order_answered(
    database_url: str,
    fmt: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    # A request leaves a record; its line is formatted with the others' when
    # the queue is drained, in the order the requests were answered.
    monkeypatch.setattr(observe_module._Buffered, "FLUSH_S", 3600.0)
    formatted: list[str] = []
    renderer = "_text_line" if fmt == "text" else "_json_line"
    render = getattr(observe_module, renderer)

    def counting(*record: Any) -> str:
        line: str = render(*record)
        formatted.append(line)
        return line

    monkeypatch.setattr(observe_module, renderer, counting)

    async def scenario() -> list[str]:
        ids = []
        async with InProcessApp(database_url, access_log=fmt) as app:
            for _ in range(3):
                status, body = await app.call("GET", "/v1.0/conference/videoConferences/x")
                assert status == 400
                ids.append(body["requestid"])
            assert formatted == []  # none formatted while the requests were served
        return ids

    ids = run(scenario())
    lines = [line for line in capsys.readouterr().err.splitlines() if "requestId" in line]
    assert lines == formatted
    assert [i for line in lines for i in ids if i in line] == ids


def test_ids_found_by_lookup_route_exactly_as_the_router_would():
    # Paths with a well-formed conference id skip the router's walk; for any
    # path, the lookup and the router must pick the same route and parameters.
    seen: list[tuple[str, dict[str, str]]] = []

    def handler(action: str) -> Any:
        async def handle(request: Request) -> Reply:
            seen.append((action, dict(request.path_params)))
            return Reply(200, b"{}")

        return handle

    prefix = "/v1.0/conference/videoConferences/"
    routes = [
        ApiRoute("GET", prefix + "{conferenceId}", "One", handler("One")),
        ApiRoute("GET", prefix + "{conferenceId}/cloudRecords", "Records", handler("Records")),
        ApiRoute("GET", prefix + "query", "Query", handler("Query")),
        ApiRoute("GET", "/v1.0/conference/{conferenceId}", "Short", handler("Short")),
    ]
    fast = build_router(routes)
    slow = fast._router  # type: ignore[attr-defined]
    good = "0123456789abcdef01234567"
    paths = [
        prefix + good,
        prefix + good + "/cloudRecords",
        prefix + good + "/",
        prefix + good + "0",
        prefix + good.upper(),
        prefix + "query",
        prefix,
        "/v1.0/conference/" + good,
        "/v1.0/conference/" + good + "/cloudRecords",
        "/elsewhere/" + good,
    ]

    async def route(app: Any, path: str) -> tuple[str, dict[str, str]] | str:
        seen.clear()
        scope = {"type": "http", "method": "GET", "path": path, "root_path": "", "headers": []}
        scope[REQUEST_ID] = "r"
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        try:
            await app(scope, receive, send)
        except RouteNotFound:
            return "not found"
        return seen[0]

    async def compare() -> None:
        for path in paths:
            assert await route(fast, path) == await route(slow, path), path
        assert await route(fast, prefix + good) == ("One", {"conferenceId": good})

    run(compare())


def test_the_access_log_keeps_its_lines_when_shutdown_fails_or_a_line_cannot_format(
    monkeypatch: pytest.MonkeyPatch,
):
    # The app's own shutdown fails (a database gone at exit): Starlette answers
    # lifespan.shutdown.failed, and a forked worker runs no atexit. The lines
    # queued so far are still written; a record that cannot be formatted costs
    # its own line alone, not its batch's.
    monkeypatch.setattr(observe_module._Buffered, "FLUSH_S", 3600.0)
    render = observe_module._text_line

    def failing_for_b(*record: Any) -> str:
        if record[3] == "/v1.0/b":
            raise RuntimeError("cannot format")
        return render(*record)

    monkeypatch.setattr(observe_module, "_text_line", failing_for_b)

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            raise RuntimeError("the database went away")
        send = recording(scope, send)  # what observe learns a reply's status from
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    stream = io.StringIO()
    app = observe_module.observe(inner, Metrics(), "text", None, stream)

    async def scenario() -> None:
        inbox: asyncio.Queue[Message] = asyncio.Queue()
        outbox: list[Message] = []

        async def send(message: Message) -> None:
            outbox.append(message)

        await inbox.put({"type": "lifespan.startup"})
        life = asyncio.create_task(app({"type": "lifespan"}, inbox.get, send))
        for path in ("/v1.0/a", "/v1.0/b", "/v1.0/c"):
            scope = {**http_scope("GET", path, []), REQUEST_ID: path[-1] * 4}

            async def receive() -> Message:
                return {"type": "http.request", "body": b"", "more_body": False}

            await app(scope, receive, send)
        assert stream.getvalue() == ""  # still queued
        await inbox.put({"type": "lifespan.shutdown"})
        with pytest.raises(RuntimeError, match="went away"):
            await life

    run(scenario())
    lines = stream.getvalue().splitlines()
    assert [line.split("requestId=")[1].split()[0] for line in lines] == ["aaaa", "bbbb", "cccc"]
    assert "path=/v1.0/a" in lines[0] and "path=/v1.0/c" in lines[2]
    assert lines[1] == "requestId=bbbb action=unknown status=200"
