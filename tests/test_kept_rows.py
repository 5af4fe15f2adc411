"""A process keeps each meeting, the clock and the auth epoch until a commit
changes *that* row (SQLite's change log), never past a commit it could have seen.

Two stores on one database stand for two server processes. A kept row comes
back as the very same object; a re-read one as a new object, so ``is`` tells
which the store answered from.
"""

import asyncio
import gc
import sqlite3
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from dingconf.app import open_store
from dingconf.auth.tables import OrgTables
from dingconf.control.state_tables import StateTables
from dingconf.core.clock import ClockState
from dingconf.core.records import App, Conference, Org, User
from dingconf.db.sqlite import SQLiteDatabase
from dingconf.db.store import Store
from dingconf.meetings.transitions import end_conference, insert_conference, record_leave
from test_store_contract import conference

from conftest import join_meeting

T = TypeVar("T")
A, B = "a" * 24, "b" * 24


async def _request(store: Store, work: Callable[[], Awaitable[T]]) -> T:
    """``work`` as one request of its own (a task, as under an HTTP server),
    which reads the shared clock first, as the app does."""

    async def served() -> T:
        await store.clock_state()
        return await work()

    return await asyncio.create_task(served())


async def _read(store: Store, cid: str) -> Conference | None:
    """One QueryConferenceInfo's read of meeting ``cid``."""
    return await _request(store, lambda: store.get_conference("dinga", cid))


async def _seed(store: Store, *meetings: Conference) -> None:
    """Organisation ``dinga``, its user ``ua``, and ``meetings`` that ``ua`` created."""
    async with store.write() as tx:
        await OrgTables(tx.conn).upsert_org(Org("dinga", "A"))
        await OrgTables(tx.conn).upsert_user(User("dinga", "ua", "User A"))
        for meeting in meetings:
            await insert_conference(tx, meeting, [], "ua")


def _on_a_loop_of_its_own(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` to its end on a new event loop, closed afterwards."""
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(main)
    finally:
        loop.close()


def _two_processes(path: Path, scenario: Callable[[Store, Store], Awaitable[None]]) -> None:
    """Run ``scenario(ours, theirs)``: two stores on one SQLite file holding
    meetings A and B, as two server processes see it."""

    async def run() -> None:
        ours, theirs = open_store(f"sqlite:///{path}"), open_store(f"sqlite:///{path}")
        await ours.open()
        await theirs.open()
        try:
            await _seed(ours, conference(A), conference(B, room="10000000002"))
            await scenario(ours, theirs)
        finally:
            await ours.close()
            await theirs.close()

    _on_a_loop_of_its_own(run())


def test_another_process_changing_one_meeting_voids_only_that_one(tmp_path: Path):
    async def scenario(ours: Store, theirs: Store) -> None:
        a, b = await _read(ours, A), await _read(ours, B)
        assert a is not None and b is not None
        assert await _read(ours, A) is a  # kept while nothing commits
        for n in range(1, 4):
            async with theirs.write() as tx:
                await join_meeting(tx, A, f"u{n}", "N", 1_000 + n)
            fresh = await _read(ours, A)
            assert fresh is not None and fresh.active_num == n
            assert await _read(ours, B) is b  # untouched: still kept
        async with theirs.write() as tx:
            await end_conference(tx, B, 9_000)
        ended = await _read(ours, B)
        assert ended is not None and ended is not b and ended.end_time_ms == 9_000
        # Our own commits void what they change.
        async with ours.write() as tx:
            await record_leave(tx, A, "u1", 9_500)
        mine = await _read(ours, A)
        assert mine is not None and mine.active_num == 2

    _two_processes(tmp_path / "db.sqlite3", scenario)


def test_our_own_commits_are_seen_with_the_marker_mapped_or_not(tmp_path: Path):
    """A commit of this process is read back at once, and kept again until the next
    one: through the mapped marker, which moves with the commit, and through
    ``PRAGMA data_version`` where the ``-shm`` file cannot be mapped."""

    async def scenario(ours: Store, theirs: Store) -> None:
        db = ours._db
        assert isinstance(db, SQLiteDatabase)
        for n, mapped in enumerate((True, False), start=1):
            if not mapped:
                db._close_shm()
            assert (db.peek_marker() is not None) is mapped
            assert await _read(ours, A) is not None
            async with ours.write() as tx:
                await join_meeting(tx, A, f"u{n}", "N", 1_000 + n)
            # A mapped marker moved with the commit: nothing need be forgotten.
            assert (ours._kept.marker is not None) is mapped
            mine = await _read(ours, A)
            assert mine is not None and mine.active_num == n
            assert await _read(ours, A) is mine

    _two_processes(tmp_path / "db.sqlite3", scenario)


def test_a_deleted_meeting_is_not_answered_from_what_was_kept(tmp_path: Path):
    async def scenario(ours: Store, theirs: Store) -> None:
        assert await _read(ours, A) is not None
        async with theirs.write() as tx:
            await StateTables(tx.conn).delete_orgs(None)
        assert await _read(ours, A) is None

    _two_processes(tmp_path / "db.sqlite3", scenario)


def test_the_clock_and_the_auth_epoch_are_kept_until_they_change(tmp_path: Path):
    async def scenario(ours: Store, theirs: Store) -> None:
        epoch = await _request(ours, ours.auth_epoch)
        clock = await _request(ours, ours.clock_state)
        async with theirs.write() as tx:  # a meeting changes: neither moves
            await join_meeting(tx, A, "u1", "N", 1_000)
        assert await _request(ours, ours.clock_state) is clock
        async with theirs.write() as tx:
            await StateTables(tx.conn).set_clock(ClockState(5_000, None))
        assert (await _request(ours, ours.clock_state)).offset_ms == 5_000
        async with theirs.write() as tx:
            await OrgTables(tx.conn).upsert_app(App("key", "dinga", "hash", frozenset({"x"})))
        assert await _request(ours, ours.auth_epoch) == epoch + 1

    _two_processes(tmp_path / "db.sqlite3", scenario)


def test_a_log_pruned_past_the_last_look_voids_everything(tmp_path: Path):
    path = tmp_path / "db.sqlite3"

    async def scenario(ours: Store, theirs: Store) -> None:
        b = await _read(ours, B)
        async with theirs.write() as tx:
            await join_meeting(tx, A, "u1", "N", 1_000)
        assert await _read(ours, B) is b
        # Changes to B that the log no longer holds (pruned) must not be
        # missed: everything kept is dropped.
        async with theirs.write() as tx:
            await join_meeting(tx, B, "u1", "N", 2_000)
            await join_meeting(tx, A, "u2", "N", 2_000)
        with sqlite3.connect(path) as raw:
            raw.execute(
                "DELETE FROM cache_changes WHERE seq < (SELECT MAX(seq) FROM cache_changes)"
            )
        seen = await _read(ours, B)
        assert seen is not None and seen is not b and seen.active_num == 1

    _two_processes(path, scenario)


def test_more_changes_than_worth_reading_void_everything(tmp_path: Path):
    async def scenario(ours: Store, theirs: Store) -> None:
        b = await _read(ours, B)
        async with theirs.write() as tx:
            for n in range(5_000):  # each join moves A's counts: one log row each
                await join_meeting(tx, A, f"u{n}", "N", 1_000 + n)
        assert await _read(ours, B) is not b
        a = await _read(ours, A)
        assert a is not None and a.active_num == 5_000

    _two_processes(tmp_path / "db.sqlite3", scenario)


def test_the_log_keeps_its_newest_rows_only(tmp_path: Path):
    path = tmp_path / "db.sqlite3"

    async def nothing(_ours: Store, _theirs: Store) -> None:
        pass

    _two_processes(path, nothing)
    with sqlite3.connect(path) as raw:
        raw.execute("INSERT INTO cache_changes (seq, key) VALUES (500, 'w'), (100998, 'x')")
        raw.execute("INSERT INTO cache_changes (key) VALUES ('y')")  # seq 100999: no prune
        assert raw.execute("SELECT MIN(seq) FROM cache_changes").fetchone()[0] == 500
        raw.execute("INSERT INTO cache_changes (key) VALUES ('z')")  # seq 101000: prunes
        assert raw.execute("SELECT MIN(seq) FROM cache_changes").fetchone()[0] == 100998
        updated = raw.execute("UPDATE conferences SET title = 't' WHERE conference_id = ?", (A,))
        assert updated.rowcount == 1
        assert raw.execute("SELECT key FROM cache_changes ORDER BY seq DESC").fetchone() == (A,)


def test_a_change_just_past_the_read_limit_is_not_missed(tmp_path: Path):
    async def scenario(ours: Store, theirs: Store) -> None:
        async with theirs.write() as tx:  # the last look is at a row, not an empty log
            await join_meeting(tx, A, "u-first", "N", 500)
        b = await _read(ours, B)
        assert b is not None and b.active_num == 0
        # 4,096 changes to A and then one to B: one more than a look reads.
        async with theirs.write() as tx:
            for n in range(4_096):
                await join_meeting(tx, A, f"u{n}", "N", 1_000 + n)
            await join_meeting(tx, B, "u-last", "N", 9_000)
        seen = await _read(ours, B)
        assert seen is not None and seen.active_num == 1

    _two_processes(tmp_path / "db.sqlite3", scenario)


def test_what_is_derived_from_a_kept_meeting_goes_with_it(tmp_path: Path):
    # QueryConferenceInfo keeps a polled meeting's encoded reply this way.
    calls: list[str] = []

    def derive(c: Conference) -> tuple[str, int]:
        calls.append(c.conference_id)
        return (c.conference_id, c.active_num)

    async def scenario(ours: Store, theirs: Store) -> None:
        a = await _read(ours, A)
        assert a is not None
        first = ours.derived(a, derive)
        assert ours.derived(a, derive) is first and calls == [A]  # derived once while kept
        async with theirs.write() as tx:
            await join_meeting(tx, A, "u1", "N", 1_000)
        fresh = await _read(ours, A)
        assert fresh is not None and ours.derived(fresh, derive) == (A, 1)
        assert ours.derived(a, derive) == (A, 0)  # a record no longer kept: derived anew
        assert calls == [A, A, A]
        assert ours.derived(fresh, derive) == (A, 1) and calls == [A, A, A]

    _two_processes(tmp_path / "db.sqlite3", scenario)


def test_nothing_is_derived_ahead_where_no_meeting_is_kept(database_url: str):
    # PostgreSQL keeps no meeting between requests: each request's record is
    # new, and keeping what was derived from it would only fill memory.
    async def scenario() -> None:
        store = open_store(database_url)
        await store.open()
        try:
            await _seed(store, conference(A))
            records = [await _read(store, A) for _ in range(3)]
            kept = [r for r in records if r is not None]

            class Value:
                pass

            def derive(_c: Conference) -> Value:
                return Value()

            held = [weakref.ref(store.derived(r, derive)) for r in kept]
            gc.collect()
            if database_url.startswith("postgresql"):
                assert len({id(r) for r in kept}) == 3  # a new record each time
                assert all(ref() is None for ref in held)  # and nothing held for it
            else:  # SQLite keeps the meeting, and the value with it
                assert len({id(r) for r in kept}) == 1
                assert all(ref() is held[0]() is not None for ref in held)
        finally:
            await store.close()

    _on_a_loop_of_its_own(scenario())
