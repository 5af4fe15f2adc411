"""One clock for every process and host on a database.

The clock's state (an offset from the system clock, or a time it stands
still at) is a row of the database. Each process refreshes its
:class:`~dingconf.core.clock.Clock` from it before serving a request; on SQLite
that costs a read of the commit marker unless something committed, on
PostgreSQL one single-row query. Moves are transactions on that row, so two
processes moving the clock at once both count.
"""

from dingconf.control.state_tables import StateTables
from dingconf.core import errors
from dingconf.core.clock import Clock, ClockState, system_ms
from dingconf.db.store import Prefetch, Store

__all__ = ["MAX_CLOCK_MOVE_MS", "SharedClock"]

#: The most one call may move the clock: a year and a day.
MAX_CLOCK_MOVE_MS = 366 * 24 * 3600 * 1000


class SharedClock:
    """Read and move the clock the database holds."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def refresh(self, prefetch: Prefetch = None) -> None:
        """Run this process's clock by the database's (before serving a request).

        ``prefetch``: the meeting a read request names, or how to find it (see
        ``Store.clock_state``).
        """
        self._clock.set_state(await self._store.clock_state(prefetch))

    async def move(
        self, advance_ms: int | None = None, set_ms: int | None = None, freeze: bool | None = None
    ) -> int:
        """Advance by ``advance_ms``, then go to ``set_ms``, then freeze or unfreeze.

        Each is optional; return the new time. Frozen, the clock stands still
        until moved or unfrozen, and runs on from there.

        Raises:
            InvalidRequest: ``paramError`` for a ``set_ms`` in the past or more
                than a year ahead.
        """
        async with self._store.write() as tx:
            clock = StateTables(tx.conn, tx.row_lock)
            state = await clock.lock_clock()
            system = system_ms()
            now = state.now_ms(system)
            move = advance_ms or 0
            if set_ms is not None:
                # Backwards would put stored times (joins, tokens) in the future.
                if set_ms < now + move or set_ms > now + move + MAX_CLOCK_MOVE_MS:
                    raise errors.param_error(
                        f"setMs must be between now ({now + move}) and a year ahead: "
                        "the clock only moves forward"
                    )
                move = set_ms - now
            frozen = state.frozen_ms is not None if freeze is None else freeze
            target = now + move
            # Unfrozen, the clock runs on from ``target``; frozen, it stays there.
            new = ClockState(target - system, target if frozen else None)
            await clock.set_clock(new)
        self._clock.set_state(new)
        return self._clock.now_ms()
