"""What a request reads once at its start and its later lookups reuse.

A request reads the shared clock first (``Store.clock_state``). Where that is
a query (PostgreSQL: no change marker to keep rows by), the same statement
also reads the auth epoch and the meeting a read request names, so
QueryConferenceInfo costs one round trip. Each reading is kept in
the context of the request (the asyncio task) that made it and is forgotten
when this process commits, so it never serves another request or outlives a
commit the request could have seen.
"""

from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import NamedTuple

from dingconf.core.clock import ClockState
from dingconf.core.records import Conference
from dingconf.db.driver import Connection, Row

__all__ = ["SELECT_CLOCK", "ClockReads", "RequestReads", "clock_of"]

#: The shared clock's row (a caller may append the driver's row lock).
SELECT_CLOCK = "SELECT offset_ms, frozen_ms FROM clock_state WHERE id = 1"


def clock_of(row: Row | None) -> ClockState:
    """The clock from a row starting with ``offset_ms, frozen_ms`` (None: the default)."""
    if row is None:
        return ClockState()
    return ClockState(int(row[0]), None if row[1] is None else int(row[1]))


_CLOCK_AND_EPOCH = (
    "SELECT c.offset_ms, c.frozen_ms, a.epoch FROM clock_state c, auth_epoch a "
    "WHERE c.id = 1 AND a.id = 1"
)


class ClockReads:
    """A request's first statement: the clock and the auth epoch, and with them (where
    nothing can be kept between requests) the meeting a read request names."""

    __slots__ = ("_corp_at", "_meeting_of", "_with_meeting")

    def __init__(
        self, meeting_columns: Sequence[str], meeting_of: Callable[[Row], Conference]
    ) -> None:
        """``meeting_columns``: the ``conferences`` columns ``meeting_of`` maps to a meeting."""
        # The meeting's columns follow the clock's and the epoch's (all NULL
        # when there is no such meeting).
        self._with_meeting = (
            "SELECT c.offset_ms, c.frozen_ms, a.epoch, "
            + ", ".join("m." + column for column in meeting_columns)
            + " FROM clock_state c JOIN auth_epoch a ON a.id = 1 "
            "LEFT JOIN conferences m ON m.conference_id = ? WHERE c.id = 1"
        )
        self._meeting_of = meeting_of
        self._corp_at = list(meeting_columns).index("corp_id")

    async def read_clock_epoch_meeting(
        self, conn: Connection, prefetch: str | None
    ) -> tuple[ClockState, int | None, Conference | None]:
        """The clock, the auth epoch and (``prefetch``) a meeting of any organisation, in
        one statement; the epoch is None when the rows are missing."""
        if prefetch is None:
            row = await conn.fetchone(_CLOCK_AND_EPOCH)
        else:
            row = await conn.fetchone(self._with_meeting, (prefetch,))
        if row is None:
            return ClockState(), None, None
        clock = clock_of(row)
        meeting = row[3:]
        found = (
            self._meeting_of(meeting) if meeting and meeting[self._corp_at] is not None else None
        )
        return clock, int(row[2]), found


class RequestReads:
    """The readings of the request running now, each in that request's context.

    A context variable, not a map keyed by the asyncio task: every task
    (request) has a context of its own, and reading a context variable costs
    no system call, where ``asyncio.current_task()`` costs a ``getpid()``.
    A task that a request starts copies its context, so it shares the
    request's readings (it is part of the request); the background tasks
    start from the lifespan's context, where nothing reads the clock.
    """

    __slots__ = ("_generation",)

    def __init__(self) -> None:
        # Moved by forget(): readings of an older generation are void.
        self._generation = 0

    def forget(self) -> None:
        """Drop every request's readings (this process committed)."""
        self._generation += 1

    def started(
        self, epoch: int | None, prefetch: str | None = None, meeting: Conference | None = None
    ) -> None:
        """A request's first readings: the epoch, and the meeting it named."""
        _READINGS.set(_Readings(self, self._generation, epoch, prefetch, meeting))

    def take_epoch(self) -> int | None:
        """The auth epoch this request read with the clock, once."""
        kept = self._current()
        if kept is None or kept.epoch is None:
            return None
        _READINGS.set(kept._replace(epoch=None))
        return kept.epoch

    def take_meeting(self, conference_id: str) -> tuple[bool, Conference | None]:
        """Whether this request read ``conference_id`` with the clock, and the meeting
        (None: no such meeting), once."""
        kept = self._current()
        if kept is None or kept.prefetch != conference_id:
            return False, None
        _READINGS.set(kept._replace(prefetch=None, meeting=None))
        return True, kept.meeting

    def _current(self) -> "_Readings | None":
        kept = _READINGS.get()
        if kept is None or kept.owner is not self or kept.generation != self._generation:
            return None
        return kept


class _Readings(NamedTuple):
    owner: RequestReads  # a process may run several stores (tests do)
    generation: int
    epoch: int | None
    prefetch: str | None
    meeting: Conference | None


_READINGS: ContextVar[_Readings | None] = ContextVar("dingconf_request_readings", default=None)
