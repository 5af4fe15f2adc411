"""What a request reads once at its start and its later lookups reuse.

A request reads the shared clock first (``Store.clock_state``). Where that is
a change-marker read (SQLite), the request's later cache lookups reuse the
marker instead of reading it again; where it is a query (PostgreSQL), the
same statement also reads the auth epoch and the meeting a read request
names, so QueryConferenceInfo costs one round trip. Each reading is tied to
the asyncio task (the request) that made it and is forgotten when this
process commits, so it never serves another request or outlives a commit
the request could have seen.
"""

import asyncio
from typing import Any

from dingconf.clock import ClockState
from dingconf.model import Conference
from dingconf.storage.driver import Connection
from dingconf.storage.sql_rows import CONFERENCE_COLUMNS, conference_of

__all__ = ["RequestReads", "read_clock_epoch_meeting"]

_CLOCK_AND_EPOCH = (
    "SELECT c.offset_ms, c.frozen_ms, a.epoch FROM clock_state c, auth_epoch a "
    "WHERE c.id = 1 AND a.id = 1"
)
# The same and the meeting a read request names, in one round trip: the
# meeting's columns follow the clock's and the epoch's (all NULL when there is
# no such meeting).
_CLOCK_EPOCH_AND_MEETING = (
    "SELECT c.offset_ms, c.frozen_ms, a.epoch, "
    + ", ".join("m." + column for column in CONFERENCE_COLUMNS.split(", "))
    + " FROM clock_state c JOIN auth_epoch a ON a.id = 1 "
    "LEFT JOIN conferences m ON m.conference_id = ? WHERE c.id = 1"
)
_CORP_AT = 1  # corp_id's place in CONFERENCE_COLUMNS


async def read_clock_epoch_meeting(
    conn: Connection, prefetch: str | None
) -> tuple[ClockState, int | None, Conference | None]:
    """The clock, the auth epoch and (``prefetch``) a meeting of any organisation, in one
    statement; the epoch is None when the rows are missing."""
    if prefetch is None:
        row = await conn.fetchone(_CLOCK_AND_EPOCH)
    else:
        row = await conn.fetchone(_CLOCK_EPOCH_AND_MEETING, (prefetch,))
    if row is None:
        return ClockState(), None, None
    clock = ClockState(int(row[0]), None if row[1] is None else int(row[1]))
    meeting = row[3:]
    found = conference_of(meeting) if meeting and meeting[_CORP_AT] is not None else None
    return clock, int(row[2]), found


class RequestReads:
    """The readings of the request running now, each tied to its task."""

    __slots__ = ("_epoch", "_marker", "_meeting")

    def __init__(self) -> None:
        self._marker: tuple[asyncio.Task[Any], int | None] | None = None
        self._epoch: tuple[asyncio.Task[Any], int] | None = None
        self._meeting: tuple[asyncio.Task[Any], str, Conference | None] | None = None

    def forget(self) -> None:
        """Drop every reading (this process committed)."""
        self._marker = self._epoch = self._meeting = None

    def started(
        self,
        marker: int | None,
        epoch: int | None = None,
        prefetch: str | None = None,
        meeting: Conference | None = None,
    ) -> None:
        """A request's first readings: the marker, or the epoch and the meeting it named."""
        task = asyncio.current_task()
        if task is None:  # no request to tie them to: keep nothing
            self.forget()
            return
        self._marker = (task, marker)
        self._epoch = None if epoch is None else (task, epoch)
        self._meeting = None if prefetch is None else (task, prefetch, meeting)

    def marker(self) -> tuple[bool, int | None]:
        """Whether this request read the change marker, and what it read."""
        kept = self._marker
        if kept is not None and kept[0] is asyncio.current_task():
            return True, kept[1]
        return False, None

    def take_epoch(self) -> int | None:
        """The auth epoch this request read with the clock, once."""
        kept, self._epoch = self._epoch, None
        if kept is not None and kept[0] is asyncio.current_task():
            return kept[1]
        return None

    def take_meeting(self, conference_id: str) -> tuple[bool, Conference | None]:
        """Whether this request read ``conference_id`` with the clock, and the meeting
        (None: no such meeting), once."""
        kept, self._meeting = self._meeting, None
        if kept is not None and kept[1] == conference_id and kept[0] is asyncio.current_task():
            return True, kept[2]
        return False, None
