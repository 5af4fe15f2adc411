"""The store, written once in portable SQL over a :class:`~.driver.Database`.

SQLite and PostgreSQL differ only in their drivers; every query lives in this
module (reads), :mod:`.sql_tx` (writes) and :mod:`.sql_rows` (row mapping), so
both backends behave the same.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from dingconf.auth.tables import TokenTables
from dingconf.control.state_tables import StateTables
from dingconf.core.clock import ClockState
from dingconf.core.records import (
    Conference,
)
from dingconf.db.driver import Connection, Database
from dingconf.db.kept_rows import KeptRows
from dingconf.db.request_reads import ClockReads, RequestReads
from dingconf.db.store import Store, WriteTx
from dingconf.db.write_tx import SqlWriteTx
from dingconf.meetings.tables import CONFERENCE_COLUMNS, MeetingTables, conference_of

__all__ = ["SqlStore"]

# Meetings kept per process (each until a commit changes it): the polled set of a
# busy deployment, about 0.7 KB each (35 MB at 50,000).
_CONFERENCE_CACHE_LIMIT = 50_000


class SqlStore(Store):
    """A :class:`~dingconf.db.store.Store` over any :class:`Database` driver."""

    _read: Connection  # set by open()
    _meetings: MeetingTables  # over _read, set by open()

    def __init__(self, database: Database) -> None:
        self._db = database
        # What the request running now read at its start (the change marker;
        # without one, PostgreSQL, the auth epoch and the meeting it names).
        self._request = RequestReads()
        # Meetings (QueryConferenceInfo is polled far more often than meetings
        # change), the clock and the auth epoch, kept until a commit changes them.
        self._kept = KeptRows(_CONFERENCE_CACHE_LIMIT)
        # What the features keep of rows a commit may change (on_commit).
        self._forgets: list[Callable[[], None]] = []
        self._clock_reads = ClockReads(CONFERENCE_COLUMNS, conference_of)

    @property
    def database(self) -> Database:
        """The driver this store runs on."""
        return self._db

    async def open(self) -> None:
        await self._db.connect()
        self._read = self._db.reader
        self._meetings = MeetingTables(self._read)

    async def close(self) -> None:
        await self._db.disconnect()

    @property
    def reader(self) -> Connection:
        return self._read

    def on_commit(self, forget: Callable[[], None]) -> None:
        self._forgets.append(forget)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[WriteTx]:
        async with self._db.transaction() as conn:
            yield SqlWriteTx(conn, self._db.row_lock)
        # Our own commits do not move every driver's change marker (SQLite's
        # data_version fallback ignores them), so forget what they may change.
        self._request.forget()
        self._kept.forget()
        for forget in self._forgets:
            forget()

    async def _marker(self) -> int | None:
        """The change marker, as the current request first read it.

        A request reads it once (:meth:`clock_state`, at its start) and its
        later lookups reuse that: what they return was current when the
        request began, which is all a caller can tell apart, since any commit
        it has seen came before it sent the request. This process's own
        commits forget the reading (:meth:`write`).
        """
        read, marker = self._request.marker()
        return marker if read else await self._db.change_marker()

    async def auth_epoch(self) -> int:
        read_with_clock = self._request.take_epoch()
        if read_with_clock is not None:
            return read_with_clock
        marker = await self._marker()
        epoch = self._kept.epoch if await self._kept.current(self._read, marker) else None
        if epoch is None:
            epoch = await TokenTables(self._read).epoch()
            self._kept.keep_epoch(marker, epoch)
        return epoch

    async def change_marker(self) -> int | None:
        return await self._db.change_marker()

    async def get_conference(self, corp_id: str, conference_id: str) -> Conference | None:
        read, found = self._request.take_meeting(conference_id)
        if read:  # with the clock, whatever its organisation
            return found if found is not None and found.corp_id == corp_id else None
        marker = await self._marker()
        if await self._kept.current(self._read, marker):
            kept = self._kept.meeting(conference_id)
            if kept is not None:
                return kept if kept.corp_id == corp_id else None
        conference = await self._meetings.get(corp_id, conference_id)
        if conference is not None:
            self._kept.keep_meeting(marker, conference)
        return conference

    async def clock_state(self, prefetch: str | None = None) -> ClockState:
        marker = await self._db.change_marker()
        if marker is None:
            # Nothing can be kept between requests, so what this one will
            # need is read at once: one round trip.
            clock, epoch, meeting = await self._clock_reads.read_clock_epoch_meeting(
                self._read, prefetch
            )
            self._request.started(None, epoch, prefetch, meeting)
            return clock
        self._request.started(marker)
        state = self._kept.clock if await self._kept.current(self._read, marker) else None
        if state is None:
            state = await StateTables(self._read).clock()
            self._kept.keep_clock(marker, state)
        return state
