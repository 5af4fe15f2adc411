"""The storage interface every backend implements.

Reads are plain methods on :class:`Store`. Every change happens inside
``async with store.write() as tx:`` so that the service layer can read, decide
and write atomically: a transition such as "join unless already inside" and
the counters it moves commit together or not at all.
"""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from dingconf.core.clock import ClockState
from dingconf.core.records import (
    Conference,
)
from dingconf.db.driver import Connection

__all__ = [
    "Invitation",
    "RoomCodeTaken",
    "StorageUnavailable",
    "Store",
    "WriteTx",
]

#: ``(union_id, nick)`` of one invitee.
Invitation = tuple[str, str]


class RoomCodeTaken(Exception):
    """Another meeting that has not ended already uses this roomCode."""


class StorageUnavailable(Exception):
    """The database cannot be reached or answered with an unexpected failure."""


class WriteTx(Protocol):
    """The operations allowed inside one write transaction.

    Reads needed while deciding go through the transaction too: a pooled
    backend must never wait for a second connection while holding one.
    """

    @property
    def conn(self) -> Connection:
        """The connection holding this transaction, for a feature's tables."""

    @property
    def row_lock(self) -> str:
        """The clause appended to a SELECT to lock its rows for this transaction."""


class Store(Protocol):
    """A dingconf database."""

    async def open(self) -> None:
        """Connect and bring the schema up to date."""

    async def close(self) -> None:
        """Release connections."""

    def write(self) -> AbstractAsyncContextManager[WriteTx]:
        """Begin a write transaction, committed when the block exits normally."""

    @property
    def reader(self) -> Connection:
        """The connection for reads outside a transaction, for a feature's tables."""

    def on_commit(self, forget: Callable[[], None]) -> None:
        """Call ``forget`` after every commit of this process: it drops rows a feature
        keeps that the commit may have changed (a driver's change marker need not
        move for its own commits)."""

    async def change_marker(self) -> int | None:
        """A number that moves whenever anything commits, in any process; None when the
        backend has no cheap one (then callers poll)."""

    async def auth_epoch(self) -> int:
        """A number that changes whenever a live token's meaning may have changed.

        Scope and secret changes, revocations and suite authorisations move it,
        in this process or any other sharing the database. Token caches compare
        it on every use.
        """

    async def get_conference(self, corp_id: str, conference_id: str) -> Conference | None:
        """Read a meeting of ``corp_id``; another organisation's meeting is invisible."""

    async def clock_state(self, prefetch: str | None = None) -> ClockState:
        """The clock every process on the database shares (cheap: read per request).

        ``prefetch``: the meeting the request names, if it only reads; a
        backend that must ask the database for the clock may read that meeting
        in the same round trip, for the request's :meth:`get_conference`.
        """
