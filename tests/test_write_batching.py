"""Concurrent write transactions: each commits or fails on its own, none is seen early.

On SQLite the write transactions of one turn of the event loop share one
COMMIT (group commit); the tests of that and of the WAL run on SQLite, the
others on both backends.
"""

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from dingconf.app import open_store
from dingconf.auth.tables import OrgTables
from dingconf.core.records import Org
from dingconf.db import sqlite as sqlite_module
from dingconf.db.sqlite import sqlite_path
from dingconf.db.store import Store


def _running(url: str) -> Iterator[tuple[Store, asyncio.AbstractEventLoop]]:
    loop = asyncio.new_event_loop()
    s = open_store(url)
    loop.run_until_complete(s.open())
    try:
        yield s, loop
    finally:
        loop.run_until_complete(s.close())
        loop.close()


@pytest.fixture
def store(database_url: str) -> Iterator[tuple[Store, asyncio.AbstractEventLoop]]:
    yield from _running(database_url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A database of SQLite's own: group commit and the WAL are SQLite's."""
    return f"sqlite:///{tmp_path / 'batching.sqlite3'}"


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[tuple[Store, asyncio.AbstractEventLoop]]:
    yield from _running(sqlite_url)


async def _add_org(s: Store, corp_id: str, fail: bool = False) -> None:
    async with s.write() as tx:
        await OrgTables(tx.conn).upsert_org(Org(corp_id, corp_id.upper()))
        if fail:
            raise RuntimeError("this write fails")


def test_one_failing_writer_rolls_back_only_its_own_change(
    store: tuple[Store, asyncio.AbstractEventLoop],
):
    s, loop = store

    async def scenario() -> list[BaseException | None]:
        return await asyncio.gather(
            _add_org(s, "dingp"),
            _add_org(s, "dingq", fail=True),
            _add_org(s, "dingr"),
            return_exceptions=True,
        )

    outcomes = loop.run_until_complete(scenario())
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], RuntimeError)
    found = [
        loop.run_until_complete(OrgTables(s.reader).get_org(c)) for c in ("dingp", "dingq", "dingr")
    ]
    assert [o.corp_id if o else None for o in found] == ["dingp", None, "dingr"]


def test_no_read_sees_a_write_before_it_is_committed(
    store: tuple[Store, asyncio.AbstractEventLoop], database_url: str
):
    # Whatever a read in this process shows, another process (another store on
    # the same database) must find too: nothing uncommitted is ever shown.
    s, loop = store
    other = open_store(database_url)
    loop.run_until_complete(other.open())
    shown_uncommitted: list[str] = []
    ids = [f"dingw{i}" for i in range(8)]

    async def reader(corp_id: str) -> None:
        for _ in range(4):
            if (
                await OrgTables(s.reader).get_org(corp_id) is not None
                and await OrgTables(other.reader).get_org(corp_id) is None
            ):
                shown_uncommitted.append(corp_id)
            await asyncio.sleep(0)

    async def scenario() -> None:
        await asyncio.gather(*(f for c in ids for f in (_add_org(s, c), reader(c))))

    try:
        loop.run_until_complete(scenario())
    finally:
        loop.run_until_complete(other.close())
    assert shown_uncommitted == []
    assert all(loop.run_until_complete(OrgTables(s.reader).get_org(c)) for c in ids)


def test_sqlite_writers_of_one_turn_share_one_commit(
    sqlite_store: tuple[Store, asyncio.AbstractEventLoop], sqlite_url: str
):
    s, loop = sqlite_store
    shm = Path(f"{sqlite_path(sqlite_url)}-shm")

    def commits() -> int:
        # iChange in the WAL-index header: one more at every commit (sqlite.org/walformat.html).
        return int.from_bytes(shm.read_bytes()[8:12], "little")

    async def writes(count: int) -> None:
        await asyncio.gather(*(_add_org(s, f"dingg{count}-{i}") for i in range(count)))

    before = commits()
    loop.run_until_complete(writes(1))
    assert commits() == before + 1
    loop.run_until_complete(writes(10))
    assert commits() == before + 2
    assert all(
        loop.run_until_complete(OrgTables(s.reader).get_org(f"dingg10-{i}")) for i in range(10)
    )


def test_sqlite_checkpoints_keep_the_wal_short(
    sqlite_store: tuple[Store, asyncio.AbstractEventLoop],
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
):
    # Commits never checkpoint themselves; a thread does once the WAL is long.
    monkeypatch.setattr(sqlite_module, "_CHECKPOINT_FRAMES", 40)
    s, loop = sqlite_store
    shm = Path(f"{sqlite_path(sqlite_url)}-shm")

    def wal_frames() -> int:
        return int.from_bytes(shm.read_bytes()[16:20], "little")  # mxFrame

    async def scenario() -> int:
        for i in range(100):
            await _add_org(s, f"dingk{i}")
        # 100 commits of at least two frames each passed the threshold; once the
        # checkpoint (in a thread) is done, a commit starts the WAL over.
        for attempt in range(100):
            await _add_org(s, f"dingk-more{attempt}")
            if wal_frames() < 40:
                return attempt
            await asyncio.sleep(0.05)
        return -1

    assert loop.run_until_complete(scenario()) >= 0
    assert all(
        loop.run_until_complete(OrgTables(s.reader).get_org(f"dingk{i}")) for i in (0, 50, 99)
    )


def test_a_body_that_suspends_is_never_committed_half_done(
    store: tuple[Store, asyncio.AbstractEventLoop],
):
    # No write body should suspend; if one does, the shared COMMIT (scheduled
    # for the loop's next turn) must wait for it rather than commit its first half.
    s, loop = store

    async def suspending_write() -> None:
        async with s.write() as tx:
            await OrgTables(tx.conn).upsert_org(Org("dinghalf", "HALF"))
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            raise RuntimeError("the second half fails")

    with pytest.raises(RuntimeError):
        loop.run_until_complete(suspending_write())
    assert loop.run_until_complete(OrgTables(s.reader).get_org("dinghalf")) is None
    loop.run_until_complete(_add_org(s, "dingafter"))
    assert loop.run_until_complete(OrgTables(s.reader).get_org("dingafter")) is not None


def test_sqlite_checkpoints_wait_for_as_many_new_frames(
    sqlite_store: tuple[Store, asyncio.AbstractEventLoop],
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
):
    # While a checkpoint cannot catch up (here: a reader holds an old snapshot;
    # under load: the next commits), the WAL stays past the threshold. Starting
    # a checkpoint after every commit would sync the database file each time.
    monkeypatch.setattr(sqlite_module, "_CHECKPOINT_FRAMES", 40)
    started: list[int] = []
    real = sqlite_module.SQLiteDatabase._checkpoint

    def counted(self: sqlite_module.SQLiteDatabase, mode: str) -> None:
        started.append(1)
        real(self, mode)

    monkeypatch.setattr(sqlite_module.SQLiteDatabase, "_checkpoint", counted)
    s, loop = sqlite_store
    reader = sqlite3.connect(sqlite_path(sqlite_url), isolation_level=None)

    async def writes() -> None:
        for i in range(60):
            await _add_org(s, f"dings{i}")
            await asyncio.sleep(0.005)  # the last checkpoint's thread is done

    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM orgs").fetchone()
        loop.run_until_complete(writes())
    finally:
        reader.close()
    # 60 commits of at least two frames each: a checkpoint per 40 new frames.
    assert 1 <= len(started) <= 4
