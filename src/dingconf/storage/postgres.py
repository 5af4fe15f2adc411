"""The PostgreSQL backend, for several server processes or hosts.

One connection pool per process (psycopg 3). Reads run outside transactions
on any pooled connection; each write transaction holds one connection and
locks the meeting row it changes (``SELECT ... FOR UPDATE``), so processes
racing on the same meeting serialise instead of losing updates.

When the database goes away, calls fail fast (pool and connect timeouts of a
couple of seconds) with :class:`StorageUnavailable`, which the wire layer
answers as ``systemError``; broken connections are dropped from the pool, so
service resumes by itself when the database returns.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from psycopg import errors
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from dingconf.storage.base import RoomCodeTaken, StorageUnavailable
from dingconf.storage.driver import Connection, Database, Params, Row
from dingconf.storage.migrate import apply_migrations

__all__ = ["PostgresDatabase"]

_LIVE_ROOM_CODE_INDEX = "conferences_live_room_code"


def _pg_sql(sql: str, cache: dict[str, str] = {}) -> str:  # noqa: B006 (a deliberate memo)
    """The statement with psycopg's ``%s`` placeholders instead of ``?``."""
    converted = cache.get(sql)
    if converted is None:
        converted = cache[sql] = sql.replace("%", "%%").replace("?", "%s")
    return converted


def _translate(exc: Exception) -> Exception:
    if isinstance(exc, errors.UniqueViolation) and exc.diag.constraint_name == (
        _LIVE_ROOM_CODE_INDEX
    ):
        return RoomCodeTaken(str(exc))
    return StorageUnavailable(f"{type(exc).__name__}: {exc}")


class _PgConnection(Connection):
    """Statements on one held connection (inside a transaction)."""

    def __init__(self, conn: psycopg.AsyncConnection[Row], db: "PostgresDatabase") -> None:
        self._conn = conn
        self._db = db

    async def execute(self, sql: str, params: Params = ()) -> int:
        self._db.round_trips += 1
        try:
            cursor = await self._conn.execute(_pg_sql(sql), params)
        except psycopg.Error as exc:
            raise _translate(exc) from exc
        return cursor.rowcount

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        self._db.round_trips += 1
        try:
            cursor = await self._conn.execute(_pg_sql(sql), params)
            return await cursor.fetchone()
        except psycopg.Error as exc:
            raise _translate(exc) from exc

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        self._db.round_trips += 1
        try:
            cursor = await self._conn.execute(_pg_sql(sql), params)
            return await cursor.fetchall()
        except psycopg.Error as exc:
            raise _translate(exc) from exc


class _PooledReader(Connection):
    """Each statement on whichever pooled connection is free, in autocommit."""

    def __init__(self, database: "PostgresDatabase") -> None:
        self._db = database

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._db.connection() as conn:
            return await conn.execute(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._db.connection() as conn:
            return await conn.fetchone(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._db.connection() as conn:
            return await conn.fetchall(sql, params)


class PostgresDatabase(Database):
    """A PostgreSQL database reached through a per-process connection pool."""

    def __init__(
        self, url: str, min_size: int = 2, max_size: int = 16, timeout_s: float = 2.0
    ) -> None:
        self._url = url
        self._timeout_s = timeout_s
        self._pool = AsyncConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout_s,
            open=False,
            kwargs={"autocommit": True, "connect_timeout": max(1, round(timeout_s))},
        )
        self._reader = _PooledReader(self)
        #: Statements sent to the server so far, each one round trip (a
        #: transaction's BEGIN and COMMIT count too; psycopg's one-time
        #: preparation of a statement on a connection does not): what the
        #: tests hold the hot path to.
        self.round_trips = 0

    async def connect(self) -> None:
        # yoyo speaks psycopg 3 under this scheme; its lock makes concurrent
        # start-ups apply each migration once.
        scheme, rest = self._url.split("://", 1)
        apply_migrations(
            f"postgresql+psycopg://{rest}" if scheme != "postgresql+psycopg" else self._url
        )
        await self._pool.open(wait=True, timeout=30)

    async def disconnect(self) -> None:
        await self._pool.close()

    async def change_marker(self) -> int | None:
        # No cheap cross-process signal: callers re-read the auth epoch each
        # time, one small query that replaces the token lookup they cache.
        return None

    @property
    def row_lock(self) -> str:
        return " FOR UPDATE"

    @property
    def reader(self) -> Connection:
        return self._reader

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """One pooled connection, in autocommit mode."""
        try:
            async with self._pool.connection() as conn:
                yield _PgConnection(conn, self)
        except PoolTimeout as exc:
            raise StorageUnavailable(f"no database connection within {self._timeout_s}s") from exc
        except psycopg.Error as exc:
            raise _translate(exc) from exc

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        try:
            self.round_trips += 2  # BEGIN, COMMIT (or ROLLBACK)
            async with self._pool.connection() as conn, conn.transaction():
                yield _PgConnection(conn, self)
        except PoolTimeout as exc:
            raise StorageUnavailable(f"no database connection within {self._timeout_s}s") from exc
        except psycopg.Error as exc:
            raise _translate(exc) from exc
