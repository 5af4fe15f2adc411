"""The embedded SQLite backend (the default).

Reads run with the stdlib driver directly on the event loop: a primary-key
lookup takes microseconds, less than handing it to a thread would cost. The
database is in WAL mode so readers never wait for a writer, and each write
transaction starts with ``BEGIN IMMEDIATE`` under a busy timeout, so several
worker processes can share one file without lost updates.

Group commit: a COMMIT costs more than most of the transactions it ends
(every page the transaction dirtied is written to the WAL). So the write
transactions a process runs in one turn of the event loop share one
``BEGIN IMMEDIATE`` ... ``COMMIT`` on a connection of their own: each runs
inside a ``SAVEPOINT`` (a failure rolls back only its own part) and returns
only after the shared COMMIT, so nothing is acknowledged before it is
committed. Reads use another connection and never see uncommitted work.

Checkpoints run beside the event loop: SQLite's automatic checkpoint copies
the WAL back into the database and syncs both files inside the COMMIT that
crosses its threshold, which stalled every request behind that fsync (the
write load was bound by it, not by the CPU). Here commits never checkpoint;
once the WAL holds :data:`_CHECKPOINT_FRAMES` frames a thread runs a passive
checkpoint on a connection of its own, while requests go on. Durability is
unchanged: a commit is in the WAL before it is acknowledged either way.

A passive checkpoint never catches up with steady writes, and the WAL starts
over only once one has: under a long load it grew to gigabytes, and a restart
after a crash replayed all of it. So past :data:`WAL_BOUND_FRAMES` the
checkpoint is a TRUNCATE one, which holds new writers back (for the copy of
the frames the passive ones left) until the WAL is empty; and once every
process's writes pause for :data:`_IDLE_S` the WAL is truncated too.
``journal_size_limit`` caps what a WAL that starts over keeps on disk.

None of these coroutines suspends inside a transaction's body, so two bodies
on the write connection cannot interleave.
"""

import asyncio
import contextlib
import mmap
import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from dingconf.db.driver import Connection, Database, Params, Row
from dingconf.db.migrate import apply_migrations
from dingconf.db.store import RoomCodeTaken, StorageUnavailable

__all__ = ["SQLiteDatabase", "sqlite_path"]

_BUSY_TIMEOUT_MS = 10_000
_MMAP_BYTES = 1 << 30
# iChange and the fields after it up to mxFrame in the WAL-index header.
_SHM_MARKER_AT, _SHM_MARKER_LEN = 8, 12
# mxFrame: the frames in the WAL (sqlite.org/walformat.html).
_SHM_FRAMES_AT, _SHM_HEADER_LEN = 16, 48  # the header's first copy holds both
# WAL frames (4 KiB pages) that start a checkpoint: four times SQLite's own
# threshold, so that pages changed again and again are copied back once.
_CHECKPOINT_FRAMES = 4000
#: WAL frames past which the next checkpoint truncates it (256 MiB of 4 KiB pages).
WAL_BOUND_FRAMES = 65_536
#: Seconds without a commit after which the WAL is truncated.
_IDLE_S = 1.0
#: How long a truncating checkpoint waits for the writer lock and old readers.
_TRUNCATE_WAIT_MS = 5_000


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///relative/path`` or ``sqlite:////absolute/path`` URL."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or len(url) == len(prefix):
        raise ValueError(f"not a sqlite:///PATH database URL: {url!r}")
    return Path(url[len(prefix) :])


class _SQLiteConnection(Connection):
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        try:
            return self._conn.execute(sql, params).rowcount
        except sqlite3.IntegrityError as exc:
            if "room_code" in str(exc):
                raise RoomCodeTaken(str(exc)) from exc
            raise StorageUnavailable(str(exc)) from exc
        except sqlite3.Error as exc:
            raise StorageUnavailable(str(exc)) from exc

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        try:
            row: Row | None = self._conn.execute(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise StorageUnavailable(str(exc)) from exc
        return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StorageUnavailable(str(exc)) from exc


class _Batch:
    """The write transactions sharing one COMMIT, and what it came to."""

    __slots__ = ("done",)

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.done: asyncio.Future[None] = loop.create_future()


class SQLiteDatabase(Database):
    """One SQLite file shared by every worker process."""

    def __init__(
        self, path: Path, wal_bound_frames: int = WAL_BOUND_FRAMES, idle_s: float = _IDLE_S
    ) -> None:
        self._path = path
        self._wal_bound_frames = wal_bound_frames
        self._idle_s = idle_s
        # The scheduled look for a pause in the database's commits.
        self._idle_watch: asyncio.TimerHandle | None = None
        self._conn: sqlite3.Connection | None = None
        self._wrapped: _SQLiteConnection | None = None
        self._writer: sqlite3.Connection | None = None
        self._wrapped_writer: _SQLiteConnection | None = None
        self._batch: _Batch | None = None
        self._in_body = False
        self._shm_fd: int | None = None
        self._shm: mmap.mmap | None = None
        self._checkpointing: asyncio.Future[None] | None = None
        # The running checkpoint when it is a truncating one.
        self._truncating: asyncio.Future[None] | None = None
        # The WAL's length when the last checkpoint started.
        self._checkpointed_at = 0

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, timeout=0)
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode never corrupts the file on a crash, and a commit is
        # in the WAL (the operating system's) before COMMIT returns, so it
        # survives the process being killed; a power loss may drop the last
        # transactions, which an emulator can afford.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # Checkpoints run in a thread (see the module's docstring), not in commits.
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        # Reads through a memory map skip a read() call per page, which keeps a
        # lookup in a million meetings close to one in ten thousand.
        conn.execute(f"PRAGMA mmap_size = {_MMAP_BYTES}")
        # A WAL that starts over is cut back to this size rather than kept as long as it grew.
        conn.execute(f"PRAGMA journal_size_limit = {self._wal_bound_frames * 4096}")
        return conn

    async def connect(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        conn = self._open()
        apply_migrations(f"sqlite:///{self._path.resolve()}")
        # The migrations' connection closing may have removed the WAL index:
        # a read makes this connection open it again, so that the -shm file
        # change_marker() reads exists.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        self._conn = conn
        self._wrapped = _SQLiteConnection(conn)
        self._writer = self._open()
        # Each write's savepoint keeps the pages it changes as they were, so it
        # can roll back alone; on a file (the default) past 64 KiB, which a join
        # reaches, that doubled the cost of every statement. One write's pages
        # in memory are a few dozen KiB.
        self._writer.execute("PRAGMA temp_store = MEMORY")
        self._wrapped_writer = _SQLiteConnection(self._writer)
        try:
            self._shm_fd = os.open(f"{self._path}-shm", os.O_RDONLY)
            # Mapped: a pread gives up the GIL (and may wait to take it back); SQLite
            # never shrinks the file while a connection (ours) has it open.
            self._shm = mmap.mmap(self._shm_fd, _SHM_HEADER_LEN, access=mmap.ACCESS_READ)
        except (OSError, ValueError):
            self._close_shm()

    async def disconnect(self) -> None:
        if self._idle_watch is not None:
            self._idle_watch.cancel()
            self._idle_watch = None
        if self._checkpointing is not None:
            with contextlib.suppress(Exception):
                await self._checkpointing
        self._close_shm()
        if self._batch is not None and self._writer is not None:
            self._commit(self._batch)
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def change_marker(self) -> int | None:
        # The WAL-index header in the -shm file holds a counter that SQLite
        # bumps on every commit by any connection (iChange, bytes 8-11, see
        # sqlite.org/walformat.html). Reading it through a mapping costs ~0.1 us;
        # PRAGMA data_version says the same for ~3.5 us, so it is the fallback.
        marker = self.peek_marker()
        if marker is not None:
            return marker
        row = await self.reader.fetchone("PRAGMA data_version")
        return int(row[0]) if row else None

    def peek_marker(self) -> int | None:
        """The WAL-index header's commit counter and frame count (None when unreadable)."""
        if self._shm is None:
            return None
        return int.from_bytes(
            self._shm[_SHM_MARKER_AT : _SHM_MARKER_AT + _SHM_MARKER_LEN], "little"
        )

    def _close_shm(self) -> None:
        if self._shm is not None:
            self._shm.close()
            self._shm = None
        if self._shm_fd is not None:
            os.close(self._shm_fd)
            self._shm_fd = None

    @property
    def row_lock(self) -> str:
        return ""

    @property
    def reader(self) -> Connection:
        if self._wrapped is None:
            raise StorageUnavailable("the database is not connected")
        return self._wrapped

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        conn, wrapped = self._writer, self._wrapped_writer
        if conn is None or wrapped is None:
            raise StorageUnavailable("the database is not connected")
        if self._in_body:
            # A body that suspended: another would nest inside it.
            raise StorageUnavailable("a write transaction is already running")
        while (held := self._truncating) is not None and not held.done() and self._batch is None:
            # Back-to-back transactions would hold the writer lock the truncating
            # checkpoint polls for: they wait for it instead, off the event loop. (A
            # finished one's callback may not have run yet; awaiting it never yields.)
            with contextlib.suppress(Exception):
                await asyncio.shield(held)
        batch = self._join_batch(conn)
        self._in_body = True
        try:
            conn.execute("SAVEPOINT one_write")
        except sqlite3.Error as exc:
            self._in_body = False
            raise StorageUnavailable(str(exc)) from exc
        try:
            yield wrapped
        except BaseException:
            self._in_body = False
            try:
                conn.execute("ROLLBACK TO one_write")
                conn.execute("RELEASE one_write")
            except sqlite3.Error:
                # SQLite rolled the whole transaction back itself (disk full, I/O
                # error): the shared COMMIT fails, and with it every write in it.
                pass
            raise
        self._in_body = False
        try:
            conn.execute("RELEASE one_write")
        except sqlite3.Error as exc:
            raise StorageUnavailable(str(exc)) from exc
        # Acknowledged only once committed; a cancelled caller does not undo
        # the others' commit.
        await asyncio.shield(batch.done)

    def _join_batch(self, conn: sqlite3.Connection) -> _Batch:
        """The open shared transaction, or a new one committed at the loop's next turn."""
        batch = self._batch
        if batch is not None and conn.in_transaction:
            return batch
        if batch is not None:
            # SQLite ended it on an error: those waiting for it were not committed.
            self._batch = None
            batch.done.set_exception(StorageUnavailable("the write transaction was rolled back"))
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StorageUnavailable(str(exc)) from exc
        loop = asyncio.get_running_loop()
        batch = self._batch = _Batch(loop)
        # Bodies run now or queued before this callback join the transaction.
        loop.call_soon(self._commit, batch)
        return batch

    def _commit(self, batch: _Batch) -> None:
        """End the shared transaction and tell each of its writers how it went."""
        if self._batch is not batch:
            return
        if self._in_body:
            # A body suspended (none should): committing now would commit its
            # half-done savepoint, so the commit waits for it to end.
            asyncio.get_running_loop().call_soon(self._commit, batch)
            return
        self._batch = None
        conn = self._writer
        try:
            if conn is None:
                raise sqlite3.OperationalError("the database was closed")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn is not None and conn.in_transaction:
                conn.execute("ROLLBACK")
            batch.done.set_exception(StorageUnavailable(str(exc)))
        else:
            batch.done.set_result(None)
            if self._idle_watch is None:
                self._watch_for_pause()
            self._checkpoint_when_due()

    def _watch_for_pause(self) -> None:
        """Truncate the WAL once no commit came for ``idle_s`` (one timer, not one per commit).

        The commits are every process's (the WAL-index header's marker): a
        process gone quiet must not truncate, holding every writer back,
        while another one writes.
        """
        seen = self.peek_marker()

        def look() -> None:
            self._idle_watch = None
            if self.peek_marker() != seen or self._checkpointing is not None:
                # Still writing, or a checkpoint is running: look again later.
                self._watch_for_pause()
            elif self._wal_frames() > 0:
                self._start_checkpoint("TRUNCATE")

        self._idle_watch = asyncio.get_running_loop().call_later(self._idle_s, look)

    def _wal_frames(self) -> int:
        """mxFrame: the frames in the WAL now (0 when unknown)."""
        if self._shm is None:
            return 0
        return int.from_bytes(self._shm[_SHM_FRAMES_AT : _SHM_FRAMES_AT + 4], "little")

    def _checkpoint_when_due(self) -> None:
        """Start a checkpoint in a thread once the WAL is long enough (one at a time)."""
        if self._checkpointing is not None or self._shm is None:
            return
        frames = self._wal_frames()
        if frames >= self._wal_bound_frames:
            self._checkpointed_at = 0
            self._start_checkpoint("TRUNCATE")
            return
        if frames < self._checkpointed_at:
            self._checkpointed_at = 0  # the WAL started over
        # Under steady writes a checkpoint never catches up with the last
        # commits, so the WAL does not start over and stays past the threshold:
        # the next checkpoint waits for as many new frames (each one syncs the
        # database file, ~10 ms of the other core).
        if frames < max(_CHECKPOINT_FRAMES, self._checkpointed_at + _CHECKPOINT_FRAMES):
            return
        self._checkpointed_at = frames
        self._start_checkpoint("PASSIVE")

    def _start_checkpoint(self, mode: str) -> None:
        """Run a checkpoint in a thread.

        A truncating one holds the writer lock while it copies and waits for
        readers of old frames; this process's new write transactions wait for
        it in :meth:`transaction`, off the event loop, rather than in
        ``BEGIN IMMEDIATE``'s busy handler, which would block the loop.
        """
        loop = asyncio.get_running_loop()
        self._checkpointing = loop.run_in_executor(None, self._checkpoint, mode)
        self._checkpointing.add_done_callback(self._checkpointed)
        if mode == "TRUNCATE":
            self._truncating = self._checkpointing

    def _checkpoint(self, mode: str) -> None:
        """A checkpoint on a connection of this thread.

        PASSIVE never waits for writers; TRUNCATE waits (a bounded time) for the
        writer lock and for readers of old frames, then empties the WAL.
        """
        wait_s = 0 if mode == "PASSIVE" else _TRUNCATE_WAIT_MS / 1000
        conn = sqlite3.connect(self._path, isolation_level=None, timeout=wait_s)
        try:
            conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()
        finally:
            conn.close()

    def _checkpointed(self, done: "asyncio.Future[None]") -> None:
        self._checkpointing = self._truncating = None
        if not done.cancelled():
            # A failure (another process checkpointing, say) is retried by the
            # next commit that finds the WAL long; retrieving it keeps it quiet.
            done.exception()
