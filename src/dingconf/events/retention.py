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
from functools import partial

from dingconf.auth.tables import OrgTables
from dingconf.core.clock import Clock
from dingconf.db.store import Store
from dingconf.events.retention_tables import RetentionTables

__all__ = ["EventRetention", "Swept"]

log = logging.getLogger("dingconf.delivery")

#: Rows one statement touches: a sweep is many short write transactions, and
#: the loop serves requests between them (SQLite's statements run on it: a
#: whole backlog dead-lettered in one statement held it for about 180 ms).
_CHUNK = 250
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
                dead += await self._bound_backlog(app.app_key, now)
                deliveries += await _in_chunks(
                    self._store,
                    partial(_prune_settled, app_key=app.app_key, before_ms=before),
                )
        events = await _in_chunks(self._store, lambda t: t.prune_events(before, _CHUNK))
        return Swept(deliveries, events, dead)

    async def _bound_backlog(self, app_key: str, now_ms: int) -> int:
        """Dead-letter an app's oldest pending rows beyond its newest :attr:`backlog`; how many.

        Ties at the cut go too, so at most :attr:`backlog` stay pending. A dead
        letter is due now, so it stays listed (and redeliverable) for the whole
        retention window.
        """
        error = f"backlog over {self.backlog} pending events"

        async def step(tables: RetentionTables) -> int:
            # The cut is taken again in each chunk's transaction, as the rows
            # move: what arrived or was requeued meanwhile is judged afresh.
            cut = await tables.backlog_cut(app_key, self.backlog)
            if cut is None:
                return 0
            return await tables.dead_letter(app_key, cut, now_ms, error, _CHUNK)

        return await _in_chunks(self._store, step, until_none=True)

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


def _prune_settled(tables: RetentionTables, app_key: str, before_ms: int) -> Awaitable[int]:
    return tables.prune_settled_deliveries(app_key, before_ms, _CHUNK)


async def _in_chunks(
    store: Store, step: Callable[[RetentionTables], Awaitable[int]], until_none: bool = False
) -> int:
    """Run ``step`` (touching at most :data:`_CHUNK` rows) in a transaction of its
    own until it touches fewer (``until_none``: none, for a step whose rows a
    sender may claim meanwhile); how many rows in all. Between steps the loop
    serves whatever waits (a step's statement runs on it, on SQLite)."""
    total = 0
    while True:
        async with store.write() as tx:
            done = await step(RetentionTables(tx.conn))
        total += done
        if done == 0 or (done < _CHUNK and not until_none):
            return total
        await asyncio.sleep(0)
