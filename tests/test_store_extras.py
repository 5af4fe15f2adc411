"""Storage contract of streams out, meeting settings, the whitelist and links (every backend)."""

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from dingconf.app import open_store
from dingconf.auth.tables import OrgTables
from dingconf.core.records import Conference, ConferenceStatus, Org, User
from dingconf.db.store import Store
from dingconf.links.tables import LinkTables
from dingconf.meetings.transitions import insert_conference
from dingconf.streams.records import LoginLink, MeetingSettings, ShortLink, StreamOut
from dingconf.streams.tables import StreamTables

T = TypeVar("T")
CID = "65000000aaaaaaaaaaaaaaaa"


class Runner:
    """Runs coroutines against one store on one event loop."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.loop = asyncio.new_event_loop()

    def __call__(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)


async def _seed(store: Store) -> None:
    async with store.write() as tx:
        await OrgTables(tx.conn).upsert_org(Org("dinga", "A"))
        await OrgTables(tx.conn).upsert_org(Org("dingb", "B"))
        await OrgTables(tx.conn).upsert_user(User("dinga", "ua", "User A"))
        await insert_conference(
            tx,
            Conference(
                CID,
                "dinga",
                "t",
                "0",
                ConferenceStatus.STARTED,
                "10000000001",
                "http://x/app",
                "ua",
                "User A",
                "ua",
                1_000,
                None,
                None,
                0,
                0,
                0,
                0,
                None,
                (),
            ),
            [],
            "ua",
        )


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


def stream(stream_id: str, url: str) -> StreamOut:
    return StreamOut(stream_id, CID, url, "n", "grid", "float_right", True, "ua", 5, None)


def test_streams_keep_their_order_and_stop_once(db: Runner) -> None:
    async def run() -> tuple[list[StreamOut], int, int, int]:
        async with db.store.write() as tx:
            for sid, url in [("z", "rtmp://a/1"), ("a", "rtmp://a/2"), ("m", "rtmp://a/3")]:
                await StreamTables(tx.conn).insert_stream_out(stream(sid, url))
        async with db.store.write() as tx:
            streams = StreamTables(tx.conn)
            one = await streams.stop_stream_outs(CID, ["a"], 9)
            again = await streams.stop_stream_outs(CID, ["a"], 10)
            rest = await streams.stop_stream_outs(CID, None, 11)
        return await StreamTables(db.store.reader).list_stream_outs(CID, "dinga"), one, again, rest

    streams, one, again, rest = db(run())
    assert [(s.stream_id, s.stopped_at_ms, s.need_host_join) for s in streams] == [
        ("z", 11, True),
        ("a", 9, True),
        ("m", 11, True),
    ]
    assert (one, again, rest) == (1, 0, 2)
    assert db(StreamTables(db.store.reader).list_stream_outs(CID, "dingb")) == []


def test_meeting_settings_are_written_whole_and_read_per_organisation(db: Runner) -> None:
    async def run() -> None:
        async with db.store.write() as tx:
            settings = StreamTables(tx.conn)
            assert await settings.get_meeting_settings(CID) is None
            await settings.put_meeting_settings(MeetingSettings(CID, "ua", '{"a":1}', True))
            await settings.put_meeting_settings(MeetingSettings(CID, None, '{"a":1}', False))

    db(run())
    reader = StreamTables(db.store.reader)
    assert db(reader.get_meeting_settings(CID, "dinga")) == MeetingSettings(
        CID, None, '{"a":1}', False
    )
    assert db(reader.get_meeting_settings(CID, "dingb")) is None


def test_whitelist_adds_once_and_keeps_business_types_apart(db: Runner) -> None:
    async def run() -> tuple[bool, bool]:
        async with db.store.write() as tx:
            whitelist = LinkTables(tx.conn)
            await whitelist.add_to_record_whitelist("dinga", "cloud_record", ["ub", "ua"], "ua", 1)
            await whitelist.add_to_record_whitelist("dinga", "cloud_record", ["ua"], "ua", 2)
            await whitelist.add_to_record_whitelist("dinga", "local_record", ["uc"], "ua", 3)
            await whitelist.remove_from_record_whitelist("dinga", "cloud_record", ["ub", "nobody"])
            return (
                await whitelist.on_record_whitelist("dinga", "cloud_record", "ua"),
                await whitelist.on_record_whitelist("dingb", "cloud_record", "ua"),
            )

    assert db(run()) == (True, False)
    reader = LinkTables(db.store.reader)
    assert db(reader.record_whitelist("dinga", "cloud_record")) == ["ua"]
    assert db(reader.record_whitelist("dinga", "local_record")) == ["uc"]


def test_login_links_open_once_and_short_links_round_trip(db: Runner) -> None:
    link = LoginLink("h" * 64, "dinga", "ua", "http://x/app?roomCode=1", 100, None)
    short = ShortLink("Abc123xyz90", "dinga", "sid", "ua", "COOL", None, True, "http://x/j/1", 7)

    async def run() -> tuple[bool, bool, LoginLink | None]:
        async with db.store.write() as tx:
            links = LinkTables(tx.conn)
            await links.insert_login_link(link)
            await links.insert_short_link(short)
            first = await links.use_login_link(link.token_hash, 50)
            second = await links.use_login_link(link.token_hash, 60)
            return first, second, await links.get_login_link(link.token_hash)

    assert db(run()) == (True, False, link._replace(used_at_ms=50))
    reader = LinkTables(db.store.reader)
    assert db(reader.get_short_link("Abc123xyz90")) == short
    assert db(reader.get_short_link("nope")) is None
