"""The small database-driver interface the store and the features' tables are written to.

SQL text uses ``?`` placeholders; a driver whose library wants another style
rewrites them. Drivers translate their library's errors into
:class:`~dingconf.db.store.RoomCodeTaken` (unique-index conflicts) and
:class:`~dingconf.db.store.StorageUnavailable` (everything else).
"""

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

__all__ = ["Connection", "Database", "Params", "Row"]

Row = tuple[Any, ...]
Params = Sequence[object]


class Connection(Protocol):
    """Run statements on one connection (or, for reads, any pooled one)."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; return the number of rows it changed."""

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        """Run a query; return its first row."""

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        """Run a query; return all rows."""


class Database(Protocol):
    """A connected database: a reader and write transactions."""

    async def connect(self) -> None:
        """Open connections and apply pending migrations under a lock."""

    async def disconnect(self) -> None:
        """Close connections."""

    async def change_marker(self) -> int | None:
        """A cheap number that moves when *another* connection commits, or None
        when the driver cannot tell (then callers re-read what they cache)."""

    def peek_marker(self) -> int | None:
        """:meth:`change_marker` where it can be read without waiting (a mapped
        file), else None: then callers await :meth:`change_marker`. Where it is
        not None it also moves with this process's own commits (the store then
        need not forget what it keeps after each write)."""

    @property
    def row_lock(self) -> str:
        """Clause appended to a SELECT to lock its rows for the transaction."""

    @property
    def reader(self) -> Connection:
        """Connection for reads outside a transaction."""

    def transaction(self) -> AbstractAsyncContextManager[Connection]:
        """A write transaction, serialised against other writers of the same rows."""
