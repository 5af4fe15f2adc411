"""Rows a process keeps between requests, each until a commit changes it.

The change marker (:meth:`Database.change_marker`) moves on every commit by
any connection of any process. While it stays put, a kept row is exactly what
reading the database again would return. When it has moved, the change log
(``cache_changes``, filled by triggers: migration 0018) names the rows the
commits since the last look changed, and only those are dropped: a load that
writes to a few meetings keeps every other meeting it reads. A log that no
longer reaches back to the last look (pruned, or started over) drops
everything. With no marker (``None``: the driver cannot tell, PostgreSQL)
nothing is kept.

Callers read the marker *before* reading the database, and the log is read
after the marker: a row read after a commit is newer than the marker it is
kept at, and the next look at the log, at the newer marker, drops it.
"""

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from dingconf.core.clock import ClockState
from dingconf.core.records import Conference
from dingconf.db.driver import Connection

__all__ = ["KeptRows"]

_SINCE = "SELECT seq, key FROM cache_changes WHERE seq >= ? ORDER BY seq LIMIT ?"
_NEWEST = "SELECT MAX(seq) FROM cache_changes"
# Beyond this many changes since the last look, dropping everything is cheaper
# than reading them all.
_MOST_CHANGES = 4096
# The log's keys for the single-row tables (migration 0018); others are meeting ids.
_CLOCK = "#clock_state"
_EPOCH = "#auth_epoch"
T = TypeVar("T")


class KeptRows:
    """Meetings, the shared clock and the auth epoch, as read at a change marker."""

    __slots__ = ("_derived", "_limit", "_meetings", "_seq", "clock", "epoch", "marker")

    #: Read by the store on every lookup, so plain attributes (a property is a
    #: call each time); set only here. The kept clock and auth epoch (None: not
    #: kept), and the marker the kept rows are current at (None: none yet).
    clock: ClockState | None
    epoch: int | None
    marker: int | None

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._meetings: OrderedDict[str, Conference] = OrderedDict()
        # What callers derived from a kept meeting (its encoded reply), by the
        # function that derived it, then meeting id; dropped with the meeting.
        # One map per function, not one per meeting: fewer objects for the
        # garbage collector to walk.
        self._derived: dict[Callable[[Any], Any], dict[str, Any]] = {}
        self.clock = None
        self.epoch = None
        self.marker = None
        self._seq: int | None = None  # the last change-log row applied

    async def current(self, conn: Connection, marker: int | None) -> bool:
        """Bring the kept rows up to ``marker``; False: nothing can be kept."""
        if marker is None:
            return False
        if marker == self.marker:
            return True
        if self._seq is None:
            newest = await conn.fetchone(_NEWEST)
            self._drop_all()
            self._seq = int(newest[0]) if newest and newest[0] is not None else 0
        else:
            # The row applied last must still be there (none applied: the log's
            # first); one row more than the changes worth reading tells there are more.
            start = 1 if self._seq else 0
            rows = await conn.fetchall(_SINCE, (self._seq, start + _MOST_CHANGES + 1))
            if rows and rows[0][0] == (self._seq or 1) and len(rows) - start <= _MOST_CHANGES:
                for _, key in rows[start:]:
                    self._drop(key)
            elif rows or self._seq:
                # Pruned past the last look, too many changes, or a log that
                # started over: what is kept may have changed unseen.
                self._drop_all()
            self._seq = int(rows[-1][0]) if rows else 0
        self.marker = marker
        return True

    def forget(self) -> None:
        """This process committed and its marker is not peekable: look at the log
        again before the next use (such a marker need not move for its own commits)."""
        self.marker = None

    def meeting(self, conference_id: str) -> Conference | None:
        """The kept meeting (after :meth:`current`)."""
        return self._meetings.get(conference_id)

    def derived(self, conference: Conference, derive: Callable[[Conference], T]) -> T:
        """``derive(conference)``, computed once while ``conference`` is the kept
        record of its meeting (each time for one that is not: nothing is kept
        for a record no later read returns)."""
        key = conference.conference_id
        if self._meetings.get(key) is not conference:
            return derive(conference)
        values = self._derived.get(derive)
        if values is None:
            values = self._derived[derive] = {}
        elif key in values:
            value: T = values[key]
            return value
        value = values[key] = derive(conference)
        return value

    def keep_meeting(self, marker: int | None, conference: Conference) -> None:
        """Keep a meeting read after the marker said ``marker``."""
        if not self._read_at_current(marker):
            return
        meetings = self._meetings
        if len(meetings) >= self._limit and conference.conference_id not in meetings:
            oldest, _ = meetings.popitem(last=False)  # the oldest read
            self._forget_derived(oldest)
        meetings[conference.conference_id] = conference
        self._forget_derived(conference.conference_id)

    def keep_clock(self, marker: int | None, clock: ClockState) -> None:
        """Keep the clock read after the marker said ``marker``."""
        if self._read_at_current(marker):
            self.clock = clock

    def keep_epoch(self, marker: int | None, epoch: int) -> None:
        """Keep the auth epoch read after the marker said ``marker``."""
        if self._read_at_current(marker):
            self.epoch = epoch

    def _read_at_current(self, marker: int | None) -> bool:
        # A row read at an older marker (or after our own commit where the
        # marker is not peekable, which voids it) may already be stale: keep
        # only what was read at the one the kept rows are current at.
        return marker is not None and marker == self.marker

    def _drop(self, key: str) -> None:
        if key == _CLOCK:
            self.clock = None
        elif key == _EPOCH:
            self.epoch = None
        else:
            self._meetings.pop(key, None)
            self._forget_derived(key)

    def _forget_derived(self, conference_id: str) -> None:
        for values in self._derived.values():
            values.pop(conference_id, None)

    def _drop_all(self) -> None:
        self._meetings.clear()
        self._derived.clear()
        self.clock = None
        self.epoch = None
