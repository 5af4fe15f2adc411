"""The store: one database, its reader, its write transactions and what it keeps.

The features run their own statements (each feature's ``tables.py``) on the
store's :attr:`Store.reader` or on a transaction's :attr:`WriteTx.conn`; the
store itself reads only what every request needs first: the shared clock, the
auth epoch and the meeting a read names, keeping each until a commit changes
it. SQLite and PostgreSQL differ only in their drivers (:mod:`.driver`).
"""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import NamedTuple, TypeVar

from dingconf.core.clock import ClockState
from dingconf.core.records import Conference
from dingconf.db.driver import Connection, Database, Row
from dingconf.db.kept_rows import KeptRows
from dingconf.db.request_reads import SELECT_CLOCK, ClockReads, RequestReads, clock_of

__all__ = ["MeetingRows", "Prefetch", "RoomCodeTaken", "StorageUnavailable", "Store", "WriteTx"]

T = TypeVar("T")

#: The meeting a request names, or a function telling it (None: none).
Prefetch = str | Callable[[], str | None] | None

# Meetings kept per process (each until a commit changes it): the polled set of a
# busy deployment, about 0.7 KB each (35 MB at 50,000).
_CONFERENCE_CACHE_LIMIT = 50_000
_EPOCH = "SELECT epoch FROM auth_epoch WHERE id = 1"


class RoomCodeTaken(Exception):
    """Another meeting that has not ended already uses this roomCode."""


class StorageUnavailable(Exception):
    """The database cannot be reached or answered with an unexpected failure."""


class MeetingRows(NamedTuple):
    """How a ``conferences`` row is read: the meetings feature's columns and mapping
    (the store reads meetings on the hot path but does not own their table)."""

    columns: Sequence[str]
    of: Callable[[Row], Conference]


class WriteTx:
    """One write transaction: the connection holding it, for the features' tables.

    Reads needed while deciding go through the transaction too: a pooled
    backend must never wait for a second connection while holding one.
    """

    __slots__ = ("conn", "row_lock")

    def __init__(self, conn: Connection, row_lock: str) -> None:
        #: The connection holding this transaction.
        self.conn = conn
        #: The clause appended to a SELECT to lock its rows for this transaction.
        self.row_lock = row_lock


class Store:
    """A dingconf database, with the rows every request reads first kept in memory."""

    _read: Connection  # set by open()

    def __init__(self, database: Database, meetings: MeetingRows) -> None:
        self._db = database
        self._meeting_of = meetings.of
        self._select_meeting = (
            f"SELECT {', '.join(meetings.columns)} FROM conferences "
            "WHERE conference_id = ? AND corp_id = ?"
        )
        # What the request running now read at its start where there is no
        # change marker (PostgreSQL): the auth epoch and the meeting it names.
        self._request = RequestReads()
        # Meetings (QueryConferenceInfo is polled far more often than meetings
        # change), the clock and the auth epoch, kept until a commit changes them.
        self._kept = KeptRows(_CONFERENCE_CACHE_LIMIT)
        # What the features keep of rows a commit may change (on_commit).
        self._forgets: list[Callable[[], None]] = []
        self._clock_reads = ClockReads(meetings.columns, meetings.of)

    @property
    def database(self) -> Database:
        """The driver this store runs on."""
        return self._db

    async def open(self) -> None:
        """Connect and bring the schema up to date."""
        await self._db.connect()
        self._read = self._db.reader

    async def close(self) -> None:
        """Release connections."""
        await self._db.disconnect()

    @property
    def reader(self) -> Connection:
        """The connection for reads outside a transaction, for a feature's tables."""
        return self._read

    def on_commit(self, forget: Callable[[], None]) -> None:
        """Call ``forget`` after every commit of this process: it drops rows a feature
        keeps that the commit may have changed (a driver's change marker need not
        move for its own commits)."""
        self._forgets.append(forget)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[WriteTx]:
        """Begin a write transaction, committed when the block exits normally."""
        async with self._db.transaction() as conn:
            yield WriteTx(conn, self._db.row_lock)
        self._request.forget()
        if self._db.peek_marker() is None:
            # A driver's change marker need only move for other connections'
            # commits, so forget what ours may change. A peekable one moved with
            # this commit: the next read brings the kept rows up once for all
            # the writes the commit carried.
            self._kept.forget()
        for forget in self._forgets:
            forget()

    async def change_marker(self) -> int | None:
        """A number that moves whenever anything commits, in any process; None when the
        backend has no cheap one (then callers poll)."""
        return await self._db.change_marker()

    async def _bring_kept_up(self, peeked: int | None) -> int | None:
        """The change marker, the kept rows brought up to it (None: nothing can be
        kept). Callers first peek at the marker: where it is mapped and has not
        moved, the usual lookup, they need not wait for this coroutine."""
        marker = peeked if peeked is not None else await self._db.change_marker()
        kept = self._kept
        if marker is not None and marker == kept.marker:
            return marker
        return marker if await kept.current(self._read, marker) else None

    async def auth_epoch(self) -> int:
        """A number that changes whenever a live token's meaning may have changed.

        Scope and secret changes, revocations and suite authorisations move it,
        in this process or any other sharing the database. Token caches compare
        it on every use.
        """
        kept = self._kept
        marker = self._db.peek_marker()
        if marker is not None and marker == kept.marker and kept.epoch is not None:
            return kept.epoch  # the usual case: nothing committed since it was read
        read_with_clock = self._request.take_epoch()
        if read_with_clock is not None:
            return read_with_clock
        marker = await self._bring_kept_up(marker)
        epoch = None if marker is None else kept.epoch
        if epoch is None:
            row = await self._read.fetchone(_EPOCH)
            epoch = int(row[0]) if row else 0
            kept.keep_epoch(marker, epoch)
        return epoch

    async def get_conference(self, corp_id: str, conference_id: str) -> Conference | None:
        """Read a meeting of ``corp_id``; another organisation's meeting is invisible."""
        kept_rows = self._kept
        marker = self._db.peek_marker()
        if marker is None or marker != kept_rows.marker:
            read, found = self._request.take_meeting(conference_id)
            if read:  # with the clock, whatever its organisation
                return found if found is not None and found.corp_id == corp_id else None
            marker = await self._bring_kept_up(marker)
        if marker is not None:
            kept = kept_rows.meeting(conference_id)
            if kept is not None:
                return kept if kept.corp_id == corp_id else None
        row = await self._read.fetchone(self._select_meeting, (conference_id, corp_id))
        if row is None:
            return None
        conference = self._meeting_of(row)
        kept_rows.keep_meeting(marker, conference)
        return conference

    def derived(self, conference: Conference, derive: Callable[[Conference], T]) -> T:
        """``derive(conference)``, kept with the meeting while this process keeps
        that record (a polled meeting's encoded reply), computed each time otherwise."""
        return self._kept.derived(conference, derive)

    async def clock_state(self, prefetch: Prefetch = None) -> ClockState:
        """The clock every process on the database shares (cheap: read per request).

        ``prefetch``: the meeting the request names, if it only reads (or a
        function telling it, called only where needed); a backend that must ask
        the database for the clock may read that meeting in the same round
        trip, for the request's :meth:`get_conference`.
        """
        kept = self._kept
        marker = self._db.peek_marker()
        if marker is not None and marker == kept.marker and kept.clock is not None:
            return kept.clock  # the usual case: nothing committed since it was read
        marker = await self._bring_kept_up(marker)
        if marker is None:
            # Nothing can be kept between requests, so what this one will
            # need is read at once: one round trip.
            named = prefetch() if callable(prefetch) else prefetch
            clock, epoch, meeting = await self._clock_reads.read_clock_epoch_meeting(
                self._read, named
            )
            self._request.started(epoch, named, meeting)
            return clock
        # Each later lookup reads the marker again: a mapped read, cheaper
        # than keeping this one in the request's context (where the -shm file
        # cannot be mapped, each asks PRAGMA data_version, a few µs).
        state = kept.clock
        if state is None:
            state = clock_of(await self._read.fetchone(SELECT_CLOCK))
            kept.keep_clock(marker, state)
        return state
