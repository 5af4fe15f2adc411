"""The WAL is truncated once the *database* has no commits, not once one process has none.

Each worker process has its own :class:`SQLiteDatabase` on the shared file.
One that went quiet truncated the WAL a second after its own last commit,
however busy the others were: a truncating checkpoint holds every process's
writers back, and another process waits for it in ``BEGIN IMMEDIATE``'s
busy handler, on its event loop. The loop's clock is moved by hand here, so
no real wait decides the outcome.
"""

import asyncio
from pathlib import Path

from dingconf.db.sqlite import SQLiteDatabase

_IDLE_S = 1000.0


def _wal_bytes(path: Path) -> int:
    wal = Path(f"{path}-wal")
    return wal.stat().st_size if wal.exists() else 0


class _MovableLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock can be moved forward (timers fire when it passes them)."""

    moved_s = 0.0

    def time(self) -> float:
        return super().time() + self.moved_s


async def _let_timers_run(db: SQLiteDatabase) -> None:
    for _ in range(5):
        await asyncio.sleep(0)
    running = db._checkpointing
    if running is not None:
        await running


async def _quiet_beside_busy(path: Path) -> tuple[list[str], list[str], int]:
    """Checkpoints the quiet process started while the other wrote, then once both paused."""
    loop = asyncio.get_running_loop()
    assert isinstance(loop, _MovableLoop)
    quiet = SQLiteDatabase(path, idle_s=_IDLE_S)
    busy = SQLiteDatabase(path, idle_s=100 * _IDLE_S)
    await quiet.connect()
    await busy.connect()
    started: list[str] = []
    real = quiet._checkpoint

    def noted(mode: str) -> None:
        started.append(mode)
        real(mode)

    quiet._checkpoint = noted  # type: ignore[method-assign]
    try:
        async with quiet.transaction() as conn:
            await conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        # The other process commits after the quiet one's last commit ...
        async with busy.transaction() as conn:
            await conn.execute("INSERT INTO t DEFAULT VALUES")
        # ... so when the quiet one looks, the database has not paused.
        loop.moved_s += _IDLE_S
        await _let_timers_run(quiet)
        while_busy = list(started)
        # Nothing committed since: the next look finds the pause and truncates.
        loop.moved_s += _IDLE_S
        await _let_timers_run(quiet)
        return while_busy, started, _wal_bytes(path)
    finally:
        await busy.disconnect()
        await quiet.disconnect()


def test_a_quiet_process_truncates_the_wal_only_once_every_process_paused(tmp_path: Path) -> None:
    with asyncio.Runner(loop_factory=_MovableLoop) as runner:
        while_busy, after_pause, wal_bytes = runner.run(_quiet_beside_busy(tmp_path / "db"))
    assert while_busy == []
    assert after_pause == ["TRUNCATE"]
    assert wal_bytes == 0
