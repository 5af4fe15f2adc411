"""SQL for event retention (service/event_retention.py): settled rows pruned, backlogs bounded.

Each statement touches at most ``limit`` rows, so a sweep is a series of
short write transactions rather than one that holds the writer for long.
"""

from dingconf.db.driver import Connection
from dingconf.events.records import DEAD, DELIVERED, PENDING

__all__ = ["RetentionWrites", "bound_backlog", "prune_events", "prune_settled"]


async def prune_settled(conn: Connection, app_key: str, before_ms: int, limit: int) -> int:
    """Delete up to ``limit`` of an app's delivered and dead rows last due before ``before_ms``.

    ``next_at`` of a settled row is when its last attempt was due: the
    event's birth for one delivered at once, later after retries. The outer
    statement tests the row again: on PostgreSQL a redelivery may requeue it
    between the subquery's pick and the delete, which then sees it pending.
    """
    pruned = 0
    for state in (DELIVERED, DEAD):
        pruned += await conn.execute(
            "DELETE FROM event_deliveries WHERE (event_id, app_key) IN ("
            "SELECT event_id, app_key FROM event_deliveries "
            "WHERE app_key = ? AND state = ? AND next_at < ? LIMIT ?) "
            "AND state = ? AND next_at < ?",
            (app_key, state, before_ms, limit, state, before_ms),
        )
    return pruned


async def prune_events(conn: Connection, before_ms: int, limit: int) -> int:
    """Delete up to ``limit`` events born before ``before_ms`` that no app still has a row of.

    A meeting's newest events stay: the next ``statusSeqNum`` follows the
    highest one kept (storage/sql_events.py), so it never starts over. Event
    ids begin with their birth time in hex (service/events.py), so the
    primary key finds the old ones; ``born_at`` is the exact test.
    """
    return await conn.execute(
        "DELETE FROM events WHERE event_id IN ("
        "SELECT e.event_id FROM events e WHERE e.event_id < ? AND e.born_at < ? "
        "AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_id = e.event_id) "
        "AND e.seq < (SELECT MAX(x.seq) FROM events x WHERE x.conference_id = e.conference_id) "
        "LIMIT ?)",
        (f"{max(0, before_ms) & 0xFFFFFFFFFFFF:012x}", before_ms, limit),
    )


async def bound_backlog(conn: Connection, app_key: str, bound: int, now_ms: int) -> int:
    """Dead-letter an app's oldest pending rows beyond its newest ``bound``; how many.

    Rows claimed by a sender are left to it. Ties at the cut go too, so at
    most ``bound`` stay pending. ``next_at`` becomes now, so a dead letter
    stays listed (and redeliverable) for the whole retention window.
    """
    row = await conn.fetchone(
        "SELECT next_at FROM event_deliveries WHERE app_key = ? AND state = ? "
        "ORDER BY next_at DESC LIMIT 1 OFFSET ?",
        (app_key, PENDING, bound),
    )
    if row is None:
        return 0
    return await conn.execute(
        "UPDATE event_deliveries SET state = ?, next_at = ?, claimed_until = 0, last_error = ? "
        "WHERE app_key = ? AND state = ? AND next_at <= ? AND claimed_until <= ?",
        (
            DEAD,
            now_ms,
            f"backlog over {bound} pending events",
            app_key,
            PENDING,
            int(row[0]),
            now_ms,
        ),
    )


class RetentionWrites:
    """Retention's writes: one part of :class:`~dingconf.db.write_tx.SqlWriteTx`."""

    _conn: Connection

    async def prune_settled_deliveries(self, app_key: str, before_ms: int, limit: int) -> int:
        return await prune_settled(self._conn, app_key, before_ms, limit)

    async def prune_events(self, before_ms: int, limit: int) -> int:
        return await prune_events(self._conn, before_ms, limit)

    async def bound_backlog(self, app_key: str, bound: int, now_ms: int) -> int:
        return await bound_backlog(self._conn, app_key, bound, now_ms)
