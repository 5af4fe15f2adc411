"""SQL for meeting events (:mod:`dingconf.events.records`): outbox, deliveries, tickets."""

from collections.abc import Sequence

from dingconf.db.driver import Connection, Row
from dingconf.events.records import (
    DEAD,
    DELIVERED,
    PENDING,
    Delivery,
    DeliveryPosition,
    OutboxEvent,
    PushSubscription,
    StreamTicket,
)

__all__ = [
    "EventWrites",
    "claim_deliveries",
    "delete_push_subscription",
    "insert_event",
    "insert_events",
    "insert_stream_ticket",
    "next_event_seq",
    "requeue_delivery",
    "select_deliveries",
    "select_due_deliveries",
    "select_event_context",
    "select_push_subscriptions",
    "select_stream_ticket",
    "set_origin",
    "settle_delivery",
    "upsert_push_subscription",
]

_COLUMNS = (
    "e.event_id, e.conference_id, e.seq, e.corp_id, e.event_type, e.target_app, e.born_at, "
    "e.payload, d.app_key, d.state, d.attempts, d.next_at, d.last_error"
)
_FROM = "FROM event_deliveries d JOIN events e ON e.event_id = d.event_id"
_ORDER = "ORDER BY d.conference_id, d.seq, d.event_type"


def _delivery_of(row: Row) -> Delivery:
    event = OutboxEvent(
        str(row[0]),
        str(row[1]),
        int(row[2]),
        str(row[3]),
        str(row[4]),
        None if row[5] is None else str(row[5]),
        int(row[6]),
        str(row[7]),
    )
    return Delivery(event, str(row[8]), str(row[9]), int(row[10]), int(row[11]), str(row[12]))


async def set_origin(conn: Connection, subject_id: str, app_key: str) -> None:
    """Remember the app that created a meeting or a booking."""
    await conn.execute(
        "INSERT INTO event_origins (subject_id, app_key) VALUES (?, ?) "
        "ON CONFLICT (subject_id) DO NOTHING",
        (subject_id, app_key),
    )


async def select_event_context(
    conn: Connection, conference_id: str, schedule_id: str | None
) -> tuple[int, str | None]:
    """A meeting's next statusSeqNum and its creating app (or its booking's): one round trip."""
    row = await conn.fetchone(
        "SELECT (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE conference_id = ?), "
        "COALESCE((SELECT app_key FROM event_origins WHERE subject_id = ?), "
        "(SELECT app_key FROM event_origins WHERE subject_id = ?))",
        (conference_id, conference_id, schedule_id or conference_id),
    )
    if row is None:
        return 1, None
    return int(row[0]), None if row[1] is None else str(row[1])


async def next_event_seq(conn: Connection, conference_id: str) -> int:
    """The meeting's next statusSeqNum (the caller holds the meeting's lock)."""
    row = await conn.fetchone(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE conference_id = ?", (conference_id,)
    )
    return int(row[0]) if row else 1


_EVENT_VALUES = "(?, ?, ?, ?, ?, ?, ?, ?)"
# A targeted event's one delivery, and an org-wide one's for each app of the
# organisation as it is now.
_TO_APP = "SELECT ?, ?, ?, ?, ?, ?, 0, CAST(? AS BIGINT), 0, ''"
_TO_ORG = "SELECT ?, app_key, ?, ?, ?, ?, 0, CAST(? AS BIGINT), 0, '' FROM apps WHERE corp_id = ?"


async def insert_event(conn: Connection, event: OutboxEvent) -> None:
    """Write an event and one pending delivery per receiving app."""
    await insert_events(conn, [event])


async def insert_events(conn: Connection, events: Sequence[OutboxEvent]) -> None:
    """Write events and one pending delivery per receiving app: two statements in all.

    A targeted event goes to its app; an org-wide one to every app of the
    organisation, as it is now. One multi-row INSERT for the events and one
    for their deliveries keep a change's outbox rows to two round trips.
    """
    if not events:
        return
    params: list[object] = []
    for e in events:
        params += (
            e.event_id,
            e.conference_id,
            e.seq,
            e.corp_id,
            e.event_type,
            e.target_app,
            e.born_ms,
            e.payload,
        )
    await conn.execute(
        "INSERT INTO events (event_id, conference_id, seq, corp_id, event_type, target_app, "
        f"born_at, payload) VALUES {', '.join([_EVENT_VALUES] * len(events))}",
        params,
    )
    selects: list[str] = []
    params = []
    for e in events:
        if e.target_app is not None:
            selects.append(_TO_APP)
            params += (e.event_id, e.target_app, e.conference_id, e.seq, e.event_type)
            params += (PENDING, e.born_ms)
        else:
            selects.append(_TO_ORG)
            params += (e.event_id, e.conference_id, e.seq, e.event_type, PENDING, e.born_ms)
            params.append(e.corp_id)
    await conn.execute(
        "INSERT INTO event_deliveries (event_id, app_key, conference_id, seq, event_type, "
        "state, attempts, next_at, claimed_until, last_error) " + " UNION ALL ".join(selects),
        params,
    )


async def select_due_deliveries(
    conn: Connection, app_keys: list[str], now_ms: int, limit: int
) -> list[Delivery]:
    """Deliveries to send now: for each (app, meeting), only the first undelivered one.

    Sending one event of a meeting at a time keeps statusSeqNum order even
    when an earlier event is waiting for a retry. One statement per app, each
    walking the app's pending rows in the index by state (migration 0020) in
    its order and stopping after ``limit`` rows. The unary ``+`` keeps SQLite
    from the index on ``next_at`` instead, which would leave every due row to
    sort.
    """
    found: list[Delivery] = []
    for app_key in app_keys:
        rows = await conn.fetchall(
            f"SELECT {_COLUMNS} {_FROM} WHERE d.app_key = ? AND d.state = ? "
            "AND +d.next_at <= ? AND d.claimed_until <= ? AND NOT EXISTS ("
            "SELECT 1 FROM event_deliveries p WHERE p.app_key = d.app_key AND p.state = ? "
            "AND p.conference_id = d.conference_id "
            "AND (p.seq, p.event_type) < (d.seq, d.event_type)) "
            f"{_ORDER} LIMIT ?",
            (app_key, PENDING, now_ms, now_ms, PENDING, limit),
        )
        found += [_delivery_of(row) for row in rows]
    return found


async def select_deliveries(
    conn: Connection,
    app_key: str,
    state: str | None,
    after: DeliveryPosition | None = None,
    limit: int | None = None,
) -> list[Delivery]:
    """An app's deliveries (optionally in one state), by meeting and order.

    ``after`` resumes past a row's position: an index seek (migration 0020),
    however deep the page.
    """
    where, params = "d.app_key = ?", list[object]([app_key])
    if state is not None:
        where, params = where + " AND d.state = ?", [*params, state]
    if after is not None:
        where += " AND (d.conference_id, d.seq, d.event_type) > (?, ?, ?)"
        params += after
    cut = ""
    if limit is not None:
        cut, params = " LIMIT ?", [*params, limit]
    rows = await conn.fetchall(f"SELECT {_COLUMNS} {_FROM} WHERE {where} {_ORDER}{cut}", params)
    return [_delivery_of(row) for row in rows]


async def claim_deliveries(
    conn: Connection,
    keys: Sequence[tuple[str, str]],
    now_ms: int,
    until_ms: int,
    row_lock: str,
) -> set[tuple[str, str]]:
    """Take pending deliveries (event, app) for this process until ``until_ms``: those won.

    One conditional UPDATE for a whole batch (a claim each cost a transaction
    of its own, three round trips on PostgreSQL): on PostgreSQL a second
    claimer waits for the first's row locks and then finds the condition
    false; SQLite serialises writers. Either way exactly one process wins each.
    The rows are locked first in key order (``row_lock``, the driver's
    clause): PostgreSQL otherwise locked them in the order of a hash of the
    batch, and two processes claiming overlapping batches deadlocked.
    """
    if not keys:
        return set()
    pairs = ", ".join(["(?, ?)"] * len(keys))
    rows = await conn.fetchall(
        "UPDATE event_deliveries SET claimed_until = ? WHERE (event_id, app_key) IN ("
        "SELECT event_id, app_key FROM event_deliveries "
        f"WHERE (event_id, app_key) IN (VALUES {pairs}) AND state = ? AND claimed_until <= ? "
        f"ORDER BY event_id, app_key{row_lock}) AND state = ? AND claimed_until <= ? "
        "RETURNING event_id, app_key",
        (until_ms, *(v for key in keys for v in key), PENDING, now_ms, PENDING, now_ms),
    )
    return {(str(row[0]), str(row[1])) for row in rows}


async def settle_delivery(
    conn: Connection,
    event_id: str,
    app_key: str,
    *,
    delivered: bool,
    next_at_ms: int,
    error: str,
    max_attempts: int,
) -> None:
    """Record one attempt: delivered, or retried at ``next_at_ms``, or dead after the last."""
    if delivered:
        await conn.execute(
            "UPDATE event_deliveries SET state = ?, attempts = attempts + 1, claimed_until = 0, "
            "last_error = '' WHERE event_id = ? AND app_key = ? AND state = ?",
            (DELIVERED, event_id, app_key, PENDING),
        )
        return
    await conn.execute(
        "UPDATE event_deliveries SET attempts = attempts + 1, next_at = ?, claimed_until = 0, "
        "last_error = ?, state = CASE WHEN attempts + 1 >= ? THEN ? ELSE state END "
        "WHERE event_id = ? AND app_key = ? AND state = ?",
        (next_at_ms, error, max_attempts, DEAD, event_id, app_key, PENDING),
    )


async def requeue_delivery(conn: Connection, event_id: str, app_key: str, now_ms: int) -> bool:
    """Send a delivered or dead event again (attempts start over); False if unknown."""
    changed = await conn.execute(
        "UPDATE event_deliveries SET state = ?, attempts = 0, next_at = ?, claimed_until = 0, "
        "last_error = '' WHERE event_id = ? AND app_key = ?",
        (PENDING, now_ms, event_id, app_key),
    )
    return changed == 1


async def insert_stream_ticket(conn: Connection, ticket_hash: str, ticket: StreamTicket) -> None:
    """Store a Stream-mode ticket (by hash) and drop the expired ones."""
    await conn.execute(
        "DELETE FROM stream_tickets WHERE expires_at <= ?", (ticket.expires_at_ms - 86_400_000,)
    )
    await conn.execute(
        "INSERT INTO stream_tickets (ticket_hash, app_key, corp_id, subscriptions, expires_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (ticket_hash, ticket.app_key, ticket.corp_id, ticket.subscriptions, ticket.expires_at_ms),
    )


async def select_stream_ticket(conn: Connection, ticket_hash: str) -> StreamTicket | None:
    """A Stream-mode ticket by hash (expired ones too: the caller checks)."""
    row = await conn.fetchone(
        "SELECT app_key, corp_id, subscriptions, expires_at FROM stream_tickets "
        "WHERE ticket_hash = ?",
        (ticket_hash,),
    )
    return StreamTicket(str(row[0]), str(row[1]), str(row[2]), int(row[3])) if row else None


async def upsert_push_subscription(conn: Connection, sub: PushSubscription) -> None:
    """Set (or replace) an app's HTTP push subscription."""
    await conn.execute(
        "INSERT INTO push_subscriptions (app_key, url, token, aes_key) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (app_key) DO UPDATE SET url = excluded.url, token = excluded.token, "
        "aes_key = excluded.aes_key",
        (sub.app_key, sub.url, sub.token, sub.aes_key),
    )


async def delete_push_subscription(conn: Connection, app_key: str) -> bool:
    """Drop an app's HTTP push subscription; False if it had none."""
    return await conn.execute("DELETE FROM push_subscriptions WHERE app_key = ?", (app_key,)) == 1


async def select_push_subscriptions(conn: Connection) -> list[PushSubscription]:
    """Every HTTP push subscription, by app."""
    rows = await conn.fetchall(
        "SELECT app_key, url, token, aes_key FROM push_subscriptions ORDER BY app_key"
    )
    return [PushSubscription(*(str(v) for v in row)) for row in rows]


class EventWrites:
    """Writes of the event outbox, deliveries, Stream tickets and push subscriptions

    One part of :class:`~dingconf.db.write_tx.SqlWriteTx`, on its connection.
    """

    _conn: Connection
    _row_lock: str

    async def set_event_origin(self, subject_id: str, app_key: str) -> None:
        await set_origin(self._conn, subject_id, app_key)

    async def next_event_seq(self, conference_id: str) -> int:
        return await next_event_seq(self._conn, conference_id)

    async def event_context(
        self, conference_id: str, schedule_id: str | None
    ) -> tuple[int, str | None]:
        return await select_event_context(self._conn, conference_id, schedule_id)

    async def add_event(self, event: OutboxEvent) -> None:
        await insert_event(self._conn, event)

    async def add_events(self, events: Sequence[OutboxEvent]) -> None:
        await insert_events(self._conn, events)

    async def put_stream_ticket(self, ticket_hash: str, ticket: StreamTicket) -> None:
        await insert_stream_ticket(self._conn, ticket_hash, ticket)

    async def claim_deliveries(
        self, keys: Sequence[tuple[str, str]], now_ms: int, until_ms: int
    ) -> set[tuple[str, str]]:
        return await claim_deliveries(self._conn, keys, now_ms, until_ms, self._row_lock)

    async def settle_delivery(
        self,
        event_id: str,
        app_key: str,
        *,
        delivered: bool,
        next_at_ms: int,
        error: str,
        max_attempts: int,
    ) -> None:
        await settle_delivery(
            self._conn,
            event_id,
            app_key,
            delivered=delivered,
            next_at_ms=next_at_ms,
            error=error,
            max_attempts=max_attempts,
        )

    async def requeue_delivery(self, event_id: str, app_key: str, now_ms: int) -> bool:
        return await requeue_delivery(self._conn, event_id, app_key, now_ms)

    async def put_push_subscription(self, subscription: PushSubscription) -> None:
        await upsert_push_subscription(self._conn, subscription)

    async def delete_push_subscription(self, app_key: str) -> bool:
        return await delete_push_subscription(self._conn, app_key)
