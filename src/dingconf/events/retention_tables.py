"""SQL for event retention (:mod:`dingconf.events.retention`): settled rows pruned, backlogs
bounded.

Each statement touches at most ``limit`` rows, so a sweep is a series of
short write transactions rather than one that holds the writer for long.
"""

from dingconf.db.driver import Connection
from dingconf.events.records import DEAD, DELIVERED, PENDING

__all__ = ["RetentionTables"]


class RetentionTables:
    """SQL pruning the outbox (tables ``events``, ``event_deliveries``)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def prune_settled_deliveries(self, app_key: str, before_ms: int, limit: int) -> int:
        """Delete up to ``limit`` of an app's delivered and dead rows last due before
        ``before_ms``; how many.

        ``next_at`` of a settled row is when its last attempt was due: the
        event's birth for one delivered at once, later after retries. The outer
        statement tests the row again: on PostgreSQL a redelivery may requeue it
        between the subquery's pick and the delete, which then sees it pending.
        """
        pruned = 0
        for state in (DELIVERED, DEAD):
            pruned += await self._conn.execute(
                "DELETE FROM event_deliveries WHERE (event_id, app_key) IN ("
                "SELECT event_id, app_key FROM event_deliveries "
                "WHERE app_key = ? AND state = ? AND next_at < ? LIMIT ?) "
                "AND state = ? AND next_at < ?",
                (app_key, state, before_ms, limit, state, before_ms),
            )
        return pruned

    async def prune_events(self, before_ms: int, limit: int) -> int:
        """Delete up to ``limit`` events born before ``before_ms`` that no app still has a
        row of, each meeting's newest kept; how many.

        The newest stays because the next ``statusSeqNum`` follows the highest
        one kept, so it never starts over. Event ids begin with their birth time
        in hex (:func:`dingconf.events.payloads.new_event_id`), so the primary
        key finds the old ones; ``born_at`` is the exact test.
        """
        return await self._conn.execute(
            "DELETE FROM events WHERE event_id IN ("
            "SELECT e.event_id FROM events e WHERE e.event_id < ? AND e.born_at < ? "
            "AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_id = e.event_id) "
            "AND e.seq < (SELECT MAX(x.seq) FROM events x WHERE x.conference_id = e.conference_id) "
            "LIMIT ?)",
            (f"{max(0, before_ms) & 0xFFFFFFFFFFFF:012x}", before_ms, limit),
        )

    async def backlog_cut(self, app_key: str, bound: int) -> int | None:
        """``next_at`` of an app's pending row just past its newest ``bound`` (None: no more
        pending rows than that)."""
        row = await self._conn.fetchone(
            "SELECT next_at FROM event_deliveries WHERE app_key = ? AND state = ? "
            "ORDER BY next_at DESC LIMIT 1 OFFSET ?",
            (app_key, PENDING, bound),
        )
        return None if row is None else int(row[0])

    async def dead_letter(
        self, app_key: str, due_by_ms: int, now_ms: int, error: str, limit: int
    ) -> int:
        """Make up to ``limit`` of an app's pending rows due by ``due_by_ms`` dead, with
        ``error`` and due now; how many. Rows a sender holds are left to it.

        The outer statement tests the row again, as the prunes do: a sender may
        claim it between the subquery's pick and the update.
        """
        return await self._conn.execute(
            "UPDATE event_deliveries SET state = ?, next_at = ?, claimed_until = 0, last_error = ? "
            "WHERE (event_id, app_key) IN (SELECT event_id, app_key FROM event_deliveries "
            "WHERE app_key = ? AND state = ? AND next_at <= ? AND claimed_until <= ? LIMIT ?) "
            "AND state = ? AND next_at <= ? AND claimed_until <= ?",
            (
                DEAD,
                now_ms,
                error,
                app_key,
                PENDING,
                due_by_ms,
                now_ms,
                limit,
                PENDING,
                due_by_ms,
                now_ms,
            ),
        )
