"""The storage contract: every backend must pass these, through the Store interface only."""

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from dingconf.app import open_store
from dingconf.model import (
    App,
    AttendStatus,
    Conference,
    ConferenceStatus,
    ExtensionApp,
    Org,
    Suite,
    TokenRecord,
    User,
)
from dingconf.storage.base import RoomCodeTaken, Store

T = TypeVar("T")


class Runner:
    """Runs coroutines against one store on one event loop."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.loop = asyncio.new_event_loop()

    def __call__(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)


@pytest.fixture
def db(database_url: str) -> Iterator[Runner]:
    runner = Runner(open_store(database_url))
    runner(runner.store.open())
    runner(_seed(runner.store))
    try:
        yield runner
    finally:
        runner(runner.store.close())
        runner.loop.close()


async def _seed(store: Store) -> None:
    async with store.write() as tx:
        await tx.upsert_org(Org("dinga", "A"))
        await tx.upsert_org(Org("dingb", "B"))
        await tx.upsert_user(User("dinga", "ua", "User A"))
        await tx.upsert_app(App("app-a", "dinga", "hash", frozenset({"S.Read"})))


def conference(cid: str, corp: str = "dinga", room: str = "10000000001", **kw: Any) -> Conference:
    fields: dict[str, Any] = dict(
        conference_id=cid,
        corp_id=corp,
        title="t",
        biz_type="0",
        status=ConferenceStatus.STARTED,
        room_code=room,
        external_link_url="http://x/app",
        creator_id="ua",
        creator_nick="User A",
        host_id="ua",
        start_time_ms=1_000,
        end_time_ms=None,
        schedule_conference_id=None,
        active_num=0,
        attend_num=0,
        invited_num=0,
        cloud_record_status=0,
        cloud_record_owner=None,
        extension_apps=(),
    )
    return Conference(**(fields | kw))


CID = "a" * 24


def test_accounts_round_trip(db: Runner):
    s = db.store
    assert db(s.get_org("dinga")) == Org("dinga", "A")
    assert db(s.list_orgs()) == [Org("dinga", "A"), Org("dingb", "B")]
    assert db(s.get_user("dinga", "ua")) == User("dinga", "ua", "User A")
    assert db(s.get_user("dingb", "ua")) is None
    assert db(s.get_app("app-a")) == App("app-a", "dinga", "hash", frozenset({"S.Read"}))
    assert db(s.list_apps("dinga")) == [App("app-a", "dinga", "hash", frozenset({"S.Read"}))]


def test_token_resolution_follows_current_scopes_and_authorisation(db: Runner):
    s = db.store

    async def scenario() -> None:
        async with s.write() as tx:
            await tx.put_token(TokenRecord("h1", "app", "app-a", "dinga", 5_000, "n"))
            await tx.upsert_suite(Suite("su", "hash", frozenset({"S.Read"}), frozenset({"dinga"})))
            await tx.put_token(TokenRecord("h2", "suite", "su", "dinga", 6_000, ""))
        principal, expires = await s.resolve_token("h1") or (None, 0)
        assert principal is not None and principal.scopes == {"S.Read"} and expires == 5_000
        async with s.write() as tx:
            await tx.upsert_app(App("app-a", "dinga", "hash", frozenset({"S.Read", "S.Write"})))
        found = await s.resolve_token("h1")
        assert found is not None and found[0].scopes == {"S.Read", "S.Write"}
        assert await s.resolve_token("h2") is not None
        async with s.write() as tx:  # the corp withdraws its authorisation
            await tx.upsert_suite(Suite("su", "hash", frozenset({"S.Read"}), frozenset()))
        assert await s.resolve_token("h2") is None
        async with s.write() as tx:
            assert await tx.find_live_token("app", "app-a", "dinga", 4_999) is not None
            assert await tx.find_live_token("app", "app-a", "dinga", 5_000) is None
            assert await tx.delete_tokens("app", "app-a") == 1
        assert await s.resolve_token("h1") is None

    db(scenario())


def test_meetings_are_invisible_to_other_orgs(db: Runner):
    s = db.store

    async def scenario() -> None:
        async with s.write() as tx:
            await tx.insert_conference(conference(CID), [("ub", "B")], "ua")
        assert (await s.get_conference("dinga", CID)) == conference(CID)
        assert await s.get_conference("dingb", CID) is None
        assert await s.conference_corp(CID) == "dinga"
        assert await s.conference_corp("b" * 24) is None
        async with s.write() as tx:
            assert await tx.lock_conference("dingb", CID) is None
        assert await s.list_participants("dingb", CID) == []

    db(scenario())


def test_extension_apps_round_trip(db: Runner):
    apps = (ExtensionApp("COOLAPP-1", "123", 2, '{"k": "v"}'),)

    async def scenario() -> None:
        async with db.store.write() as tx:
            await tx.insert_conference(conference(CID, extension_apps=apps), [], "ua")
        got = await db.store.get_conference("dinga", CID)
        assert got is not None and got.extension_apps == apps

    db(scenario())


def test_live_room_codes_are_unique_and_freed_when_ended(db: Runner):
    s = db.store

    async def scenario() -> None:
        async with s.write() as tx:
            await tx.insert_conference(conference(CID), [], "ua")
        with pytest.raises(RoomCodeTaken):
            async with s.write() as tx:
                await tx.insert_conference(conference("b" * 24), [], "ua")
        assert await s.conference_corp("b" * 24) is None  # rolled back
        async with s.write() as tx:
            await tx.end_conference(CID, 2_000)
        async with s.write() as tx:
            await tx.insert_conference(conference("b" * 24), [], "ua")
        assert await s.conference_corp("b" * 24) == "dinga"

    db(scenario())


def test_join_leave_and_end_move_counters_and_history(db: Runner):
    s = db.store

    async def scenario() -> None:
        async with s.write() as tx:
            await tx.insert_conference(
                conference(CID, status=ConferenceStatus.INITIALISED), [], "ua"
            )
            await tx.record_join(CID, "ua", "A", 1_000, first_time=True)
            await tx.record_join(CID, "ub", "B", 1_500, first_time=True)
        c = await s.get_conference("dinga", CID)
        assert c is not None and (c.status, c.active_num, c.attend_num) == (
            ConferenceStatus.STARTED,
            2,
            2,
        )
        async with s.write() as tx:
            await tx.record_leave(CID, "ua", 3_000)
            await tx.record_join(CID, "ua", "A", 4_000, first_time=False)
        c = await s.get_conference("dinga", CID)
        assert c is not None and (c.active_num, c.attend_num) == (2, 2)
        async with s.write() as tx:
            member = await tx.get_participant(CID, "ua")
            assert (
                member is not None and member.duration_ms == 2_000 and member.first_join_ms == 1_000
            )
            await tx.end_conference(CID, 5_000)
        c = await s.get_conference("dinga", CID)
        assert c is not None and (c.status, c.end_time_ms, c.active_num, c.attend_num) == (
            ConferenceStatus.ENDED,
            5_000,
            0,
            2,
        )
        members = {p.union_id: p for p in await s.list_participants("dinga", CID)}
        assert members["ua"].duration_ms == 3_000 and members["ub"].duration_ms == 3_500
        assert {p.attend_status for p in members.values()} == {AttendStatus.LEFT}
        assert {p.leave_ms for p in members.values()} == {5_000}

    db(scenario())


def test_failed_transaction_changes_nothing(db: Runner):
    s = db.store

    async def scenario() -> None:
        with pytest.raises(RuntimeError):
            async with s.write() as tx:
                await tx.upsert_org(Org("dingc", "C"))
                raise RuntimeError("boom")
        assert await s.get_org("dingc") is None

    db(scenario())
