"""SQLite's WAL stays bounded under sustained writes and empties when they pause.

Passive checkpoints alone never caught up with steady writes, so the WAL never
started over: a long load grew it to gigabytes, and a restart after a crash
replayed all of it.
"""

import asyncio
import os
import threading
from pathlib import Path

from dingconf.db.sqlite import SQLiteDatabase

_BOUND_FRAMES = 300
_PAGE = 4096


def _wal_bytes(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


async def _sustained_writes(path: Path) -> tuple[int, int, int]:
    """Largest WAL seen while writing ~10 bounds of frames, then the WAL once writes paused."""
    db = SQLiteDatabase(path, wal_bound_frames=_BOUND_FRAMES, idle_s=0.05)
    await db.connect()
    try:
        async with db.transaction() as conn:
            await conn.execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB)")
        largest = 0
        for i in range(1500):
            # Each transaction dirties two or three pages: ~10 times the bound in all.
            async with db.transaction() as conn:
                await conn.execute("INSERT INTO blobs (body) VALUES (?)", (os.urandom(6000),))
            largest = max(largest, _wal_bytes(path))
            if i % 100 == 0:
                await asyncio.sleep(0)  # the loop turns as it does under requests
        written = await db.reader.fetchone("SELECT count(*) FROM blobs")
        # Writes paused: the WAL is truncated soon after (bounded wait, polled).
        for _ in range(400):
            if _wal_bytes(path) == 0:
                break
            await asyncio.sleep(0.025)
        assert written is not None and written[0] == 1500
        return largest, _wal_bytes(path), int(written[0])
    finally:
        await db.disconnect()


def test_the_wal_stays_under_its_bound_and_is_truncated_once_writes_pause(tmp_path: Path):
    path = tmp_path / "wal.sqlite3"
    largest, after_pause, _ = asyncio.run(_sustained_writes(path))
    # The bound, plus what commits add while the truncating checkpoint gets the lock.
    assert largest <= 3 * _BOUND_FRAMES * _PAGE, largest
    assert after_pause == 0


def test_a_write_as_a_truncating_checkpoint_ends_goes_ahead(tmp_path: Path):
    """A checkpoint's end reaches the event loop as a queued callback. A write
    that began in between awaited the finished checkpoint, which never yields,
    so it spun forever with the loop (and every request) behind it."""
    finished, failed = threading.Event(), []

    async def scenario() -> None:
        db = SQLiteDatabase(tmp_path / "db.sqlite3")
        await db.connect()
        try:
            ended = asyncio.get_running_loop().create_future()
            ended.set_result(None)
            db._truncating = ended  # the state between the end and its callback
            async with db.transaction() as conn:
                await conn.execute("CREATE TABLE t (x INTEGER)")
            assert await db.reader.fetchall("SELECT x FROM t") == []
        finally:
            await db.disconnect()

    def run() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as exc:
            failed.append(exc)
        finished.set()

    # In a thread of its own: a loop that spins cannot be interrupted from inside.
    threading.Thread(target=run, daemon=True).start()
    assert finished.wait(20), "the write spun on the finished checkpoint"
    assert not failed, failed
