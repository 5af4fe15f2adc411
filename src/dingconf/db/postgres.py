"""The PostgreSQL backend, for several server processes or hosts.

One connection pool per process (psycopg 3). Reads run outside transactions
on connections of the pool kept for reads (:class:`_Readers`); each write
transaction holds one connection and locks the meeting row it changes
(``SELECT ... FOR UPDATE``), so processes racing on the same meeting
serialise instead of losing updates.

When the database goes away, calls fail fast (pool and connect timeouts of a
couple of seconds) with :class:`StorageUnavailable`, which the wire layer
answers as ``systemError``; broken connections are dropped from the pool, so
service resumes by itself when the database returns.
"""

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import psycopg
from psycopg import errors
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from dingconf.db.driver import Connection, Database, Params, Row
from dingconf.db.migrate import apply_migrations
from dingconf.db.store import RoomCodeTaken, StorageUnavailable

__all__ = ["PostgresDatabase"]

_LIVE_ROOM_CODE_INDEX = "conferences_live_room_code"
#: Rows of a result a connection's cursor may hold until its next statement.
_KEPT_RESULT_ROWS = 64
T = TypeVar("T")


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
    """Statements on one connection: a transaction's, or one kept for reads."""

    def __init__(
        self, conn: psycopg.AsyncConnection[Row], db: "PostgresDatabase", kept_until: float = 0.0
    ) -> None:
        self._conn = conn
        # One cursor for its statements (they run one at a time): a new one per
        # statement, as ``conn.execute`` makes, costs CPU on the hot path. A
        # cursor holds its last result until the next statement, so after a
        # result of many rows the cursor is replaced, freeing it at once.
        self._cursor = conn.cursor()
        self._db = db
        #: When a connection kept for reads goes back to the pool (monotonic seconds).
        self.kept_until = kept_until

    @property
    def raw(self) -> psycopg.AsyncConnection[Row]:
        """The driver's connection."""
        return self._conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        self._db.round_trips += 1
        cursor = self._cursor
        try:
            await cursor.execute(_pg_sql(sql), params)
        except psycopg.Error as exc:
            raise _translate(exc) from exc
        return cursor.rowcount

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        self._db.round_trips += 1
        cursor = self._cursor
        try:
            await cursor.execute(_pg_sql(sql), params)
            return await cursor.fetchone()
        except psycopg.Error as exc:
            raise _translate(exc) from exc

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        self._db.round_trips += 1
        cursor = self._cursor
        try:
            await cursor.execute(_pg_sql(sql), params)
            rows = await cursor.fetchall()
        except psycopg.Error as exc:
            raise _translate(exc) from exc
        if len(rows) > _KEPT_RESULT_ROWS:
            self._cursor = self._conn.cursor()
        return rows


class _Readers(Connection):
    """Each statement outside a transaction, on a connection kept for reads.

    A checkout from the pool costs 30-40 us of CPU under concurrency (its lock,
    condition, checks and statistics), as much as the statement itself: the
    query's hot path is one statement. So reads take up to ``size`` of the
    pool's connections and keep them; the rest of the pool stays free for
    write transactions (a pool of one keeps none). When all are busy a read
    waits its turn: a connection coming back goes to the read that has waited
    longest, never to one arriving meanwhile (which would leave some waiting
    for ever), and a read gives up after the pool's timeout. A statement that
    fails or is interrupted gives its connection back to the pool, which
    closes it if it is broken or mid-statement; so does one kept as long as
    the pool's ``max_lifetime``, which the pool then renews. The first read
    waiting takes the place of one given back.
    """

    def __init__(self, database: "PostgresDatabase", size: int) -> None:
        self._db = database
        self._size = size
        self._idle: list[_PgConnection] = []
        # Reads waiting, oldest first; each is handed a connection, or None: the
        # place of one given back, to take from the pool.
        self._waiting: deque[asyncio.Future[_PgConnection | None]] = deque()
        self._held = 0  # connections kept (idle or busy) and places handed on

    async def execute(self, sql: str, params: Params = ()) -> int:
        return await self._run(_PgConnection.execute, sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        return await self._run(_PgConnection.fetchone, sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._run(_PgConnection.fetchall, sql, params)

    async def _run(
        self,
        statement: Callable[["_PgConnection", str, Params], Awaitable[T]],
        sql: str,
        params: Params,
    ) -> T:
        idle = self._idle
        if idle:
            conn = idle.pop()
        elif self._held < self._size:
            self._held += 1  # before waiting: others must not take one more meanwhile
            conn = await self._take()
        elif self._size:
            conn = await self._turn()
        else:  # a pool too small to keep one: the pool's, each time
            async with self._db.checkout() as only:
                return await statement(only, sql, params)
        try:
            result = await statement(conn, sql, params)
        except BaseException:
            broken = conn.raw.broken  # before the pool closes it
            await self._give_back(conn)
            if broken:
                # The server went away (or restarted): the idle ones are most
                # likely dead too; closed, the pool replaces them, and only
                # this read fails instead of one per kept connection.
                await self.release(close=True)
            raise
        if conn.kept_until <= time.monotonic():
            await self._give_back(conn)  # kept as long as the pool keeps one: renewed
        else:
            self._hand_on(conn)
        return result

    async def _take(self) -> "_PgConnection":
        """One more connection of the pool to keep (its place counted already)."""
        try:
            raw = await self._db.take()
        except BaseException:
            self._held -= 1
            raise
        return _PgConnection(raw, self._db, time.monotonic() + self._db.max_lifetime_s)

    async def _turn(self) -> "_PgConnection":
        """A kept connection once every read that waited longer has had one."""
        waiter: asyncio.Future[_PgConnection | None] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            async with asyncio.timeout(self._db.timeout_s):
                conn = await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():
                self._hand_on(waiter.result())  # handed over as this read gave up
            else:
                waiter.cancel()  # skipped by whoever hands on next
            if isinstance(exc, TimeoutError):
                raise self._db.no_connection() from exc
            raise
        return conn if conn is not None else await self._take()

    def _hand_on(self, conn: "_PgConnection | None") -> None:
        """Pass a connection (None: the place of one given back) to the read that has
        waited longest; with none waiting, keep it idle (or the place free)."""
        waiting = self._waiting
        while waiting:
            waiter = waiting.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        if conn is None:
            self._held -= 1
        else:
            self._idle.append(conn)

    async def _give_back(self, conn: "_PgConnection") -> None:
        self._hand_on(None)
        await self._db.give_back(conn.raw)

    async def release(self, close: bool = False) -> None:
        """Give every idle connection back to the pool (``close``: closed first)."""
        while self._idle:
            raw = self._idle.pop().raw
            self._held -= 1
            if close:
                await raw.close()
            await self._db.give_back(raw)


class PostgresDatabase(Database):
    """A PostgreSQL database reached through a per-process connection pool."""

    def __init__(
        self,
        url: str,
        min_size: int = 2,
        max_size: int = 32,
        timeout_s: float = 2.0,
        max_lifetime_s: float = 3600.0,
    ) -> None:
        self._url = url
        self.timeout_s = timeout_s
        self._pool = AsyncConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout_s,
            max_lifetime=max_lifetime_s,
            open=False,
            kwargs={"autocommit": True, "connect_timeout": max(1, round(timeout_s))},
        )
        # Half the pool at most, so reads never starve the write transactions.
        # Writes want about as many as wrk's 64 connections keep busy: with 8,
        # joins waited in the pool's queue (a task and a condition per wait)
        # and cost 985 µs of CPU each instead of 841 with 16.
        self._reader = _Readers(self, max_size // 2)
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
        await self._reader.release()
        await self._pool.close()

    async def change_marker(self) -> int | None:
        # No cheap cross-process signal: callers re-read the auth epoch each
        # time, one small query that replaces the token lookup they cache.
        return None

    def peek_marker(self) -> int | None:
        return None

    @property
    def row_lock(self) -> str:
        return " FOR UPDATE"

    @property
    def reader(self) -> Connection:
        return self._reader

    def no_connection(self) -> StorageUnavailable:
        """What a call gets when no connection came within the timeout."""
        return StorageUnavailable(f"no database connection within {self.timeout_s}s")

    @property
    def max_lifetime_s(self) -> float:
        """How long the pool uses a connection before it opens a new one instead."""
        return self._pool.max_lifetime

    async def take(self) -> psycopg.AsyncConnection[Row]:
        """A connection of the pool, in autocommit mode, until :meth:`give_back`."""
        try:
            return await self._pool.getconn()
        except PoolTimeout as exc:
            raise self.no_connection() from exc

    async def give_back(self, conn: psycopg.AsyncConnection[Row]) -> None:
        """Return a connection :meth:`take` took (the pool closes it if it is broken)."""
        await self._pool.putconn(conn)

    @asynccontextmanager
    async def checkout(self) -> AsyncIterator[_PgConnection]:
        """One pooled connection, in autocommit mode, for the block."""
        try:
            async with self._pool.connection() as conn:
                yield _PgConnection(conn, self)
        except PoolTimeout as exc:
            raise self.no_connection() from exc
        except psycopg.Error as exc:
            raise _translate(exc) from exc

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        try:
            self.round_trips += 2  # BEGIN, COMMIT (or ROLLBACK)
            async with self._pool.connection() as conn, conn.transaction():
                yield _PgConnection(conn, self)
        except PoolTimeout as exc:
            raise self.no_connection() from exc
        except psycopg.Error as exc:
            raise _translate(exc) from exc
