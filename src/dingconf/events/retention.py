"""Event retention: settled deliveries kept for a window, each app's backlog bounded.

Without it the outbox only grew: every delivered row stayed, and an app that
never connects kept every event it was ever owed. Each process sweeps, by
the server's clock (so moving the clock ages rows too); the statements are
conditional and idempotent, so processes sweeping at once do no harm.

- A delivered or dead row goes once its last attempt was due longer ago than
  the window; an event goes once none of its rows is left and it was born
  before the window, except each meeting's newest (its ``statusSeqNum``
  carries on from there).
- An app's pending rows beyond its newest ``backlog`` are dead-lettered
  (``lastError`` says why): they stay listed and redeliverable for the window.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from dingconf.auth.tables import OrgTables
from dingconf.core.clock import Clock
from dingconf.db.store import Store
from dingconf.events.retention_tables import RetentionTables

__all__ = ["EventRetention", "Swept"]

log = logging.getLogger("dingconf.delivery")

#: Rows one statement touches: a sweep is many short write transactions.
_CHUNK = 2000
#: How often (by the server's clock) a sweep runs; a moved clock sweeps at once.
_EVERY_MS = 10_000
#: How often the loop looks at the clock.
_LOOK_S = 0.5


@dataclass(frozen=True, slots=True)
class Swept:
    """What one sweep did."""

    deliveries: int
    events: int
    dead_lettered: int


class EventRetention:
    """Prunes settled deliveries and old events, and bounds each app's backlog."""

    def __init__(self, store: Store, clock: Clock, window_ms: int, backlog: int) -> None:
        self._store = store
        self._clock = clock
        self.window_ms = window_ms
        self.backlog = backlog

    async def sweep(self) -> Swept:
        """One pass over every app, by the server's clock now."""
        now = self._clock.now_ms()
        before = now - self.window_ms
        deliveries = events = dead = 0
        accounts = OrgTables(self._store.reader)
        for org in await accounts.list_orgs():
            for app in await accounts.list_apps(org.corp_id):
                async with self._store.write() as tx:
                    dead += await self._bound_backlog(RetentionTables(tx.conn), app.app_key, now)
                while True:
                    async with self._store.write() as tx:
                        pruned = await RetentionTables(tx.conn).prune_settled_deliveries(
                            app.app_key, before, _CHUNK
                        )
                    deliveries += pruned
                    if pruned < _CHUNK:
                        break
        while True:
            async with self._store.write() as tx:
                pruned = await RetentionTables(tx.conn).prune_events(before, _CHUNK)
            events += pruned
            if pruned < _CHUNK:
                break
        return Swept(deliveries, events, dead)

    async def _bound_backlog(self, tables: RetentionTables, app_key: str, now_ms: int) -> int:
        """Dead-letter an app's oldest pending rows beyond its newest :attr:`backlog`; how many.

        Ties at the cut go too, so at most :attr:`backlog` stay pending. A dead
        letter is due now, so it stays listed (and redeliverable) for the whole
        retention window.
        """
        cut = await tables.backlog_cut(app_key, self.backlog)
        if cut is None:
            return 0
        return await tables.dead_letter(
            app_key, cut, now_ms, f"backlog over {self.backlog} pending events"
        )

    async def sweep_forever(self, refresh: Callable[[], Awaitable[None]]) -> None:
        """Sweep every :data:`_EVERY_MS` of the server's clock until cancelled."""
        last = self._clock.now_ms()
        while True:
            await asyncio.sleep(_LOOK_S)
            try:
                await refresh()
                if self._clock.now_ms() - last < _EVERY_MS:
                    continue
                last = self._clock.now_ms()
                swept = await self.sweep()
                if swept != Swept(0, 0, 0):
                    log.info("event retention: %s", swept)
            except Exception:
                # A database outage must not end the loop: the next round retries.
                log.warning("event retention sweep failed; retrying", exc_info=True)
