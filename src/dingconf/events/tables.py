"""SQL for meeting events (:mod:`dingconf.events.records`): outbox, deliveries, subscribers."""

from collections.abc import Sequence

from dingconf.db.driver import Connection, Row
from dingconf.db.table import Table
from dingconf.events.records import (
    DEAD,
    DELIVERED,
    PENDING,
    Delivery,
    DeliveryPosition,
    Fact,
    OutboxEvent,
    PushSubscription,
    StreamTicket,
)

__all__ = [
    "EVENTS",
    "EVENT_DELIVERIES",
    "EVENT_ORIGINS",
    "PUSH_SUBSCRIPTIONS",
    "STREAM_TICKETS",
    "DeliveryTables",
    "EventTables",
    "SubscriberTables",
]

#: The app that created a meeting or a booking: where ``_target_push`` events go.
EVENT_ORIGINS = Table(
    "event_origins", "eventOrigins", ("subject_id", "app_key"), ("subject_id",), False
)
#: The outbox, in :class:`OutboxEvent`'s order.
EVENTS = Table(
    "events",
    "events",
    (
        "event_id",
        "conference_id",
        "seq",
        "corp_id",
        "event_type",
        "target_app",
        "born_at",
        "payload",
    ),
    ("event_id",),
    False,
)
#: One row per (event, receiving app), with the event's order copied in.
EVENT_DELIVERIES = Table(
    "event_deliveries",
    "eventDeliveries",
    (
        "event_id",
        "app_key",
        "conference_id",
        "seq",
        "event_type",
        "state",
        "attempts",
        "next_at",
        "claimed_until",
        "last_error",
    ),
    ("event_id", "app_key"),
    False,
)
#: In :class:`StreamTicket`'s order after the hash.
STREAM_TICKETS = Table(
    "stream_tickets",
    "streamTickets",
    ("ticket_hash", "app_key", "corp_id", "subscriptions", "expires_at"),
    ("ticket_hash",),
    False,
)
#: In :class:`PushSubscription`'s order.
PUSH_SUBSCRIPTIONS = Table(
    "push_subscriptions",
    "pushSubscriptions",
    ("app_key", "url", "token", "aes_key"),
    ("app_key",),
    False,
)

# A delivery as read: its event, then how its sending to the app stands
# (the fields of :class:`Delivery` after the event).
_SENDING = ("app_key", "state", "attempts", "next_at", "last_error")
_COLUMNS = ", ".join([*("e." + c for c in EVENTS.columns), *("d." + c for c in _SENDING)])
_FROM = "FROM event_deliveries d JOIN events e ON e.event_id = d.event_id"
_ORDER = "ORDER BY d.conference_id, d.seq, d.event_type"
_EVENT_WIDTH = len(EVENTS.columns)


def _delivery_of(row: Row) -> Delivery:
    e = row[:_EVENT_WIDTH]
    event = OutboxEvent(
        str(e[0]),
        str(e[1]),
        int(e[2]),
        str(e[3]),
        str(e[4]),
        None if e[5] is None else str(e[5]),
        int(e[6]),
        str(e[7]),
    )
    d = row[_EVENT_WIDTH:]
    return Delivery(event, str(d[0]), str(d[1]), int(d[2]), int(d[3]), str(d[4]))


_EVENT_VALUES = f"({', '.join('?' * _EVENT_WIDTH)})"
# A targeted event's one delivery, and an org-wide one's for each app of the
# organisation as it is now.
_TO_APP = "SELECT ?, ?, ?, ?, ?, ?, 0, CAST(? AS BIGINT), 0, ''"
_TO_ORG = "SELECT ?, app_key, ?, ?, ?, ?, 0, CAST(? AS BIGINT), 0, '' FROM apps WHERE corp_id = ?"
# A fact's events (:meth:`EventTables.add_fact`): the meeting's next statusSeqNum
# and its creating app (or its booking's) read inside the INSERT, each payload
# completed with that number. The twin is written only for a meeting with an origin.
_HEAD_AND_SEQ = "CAST(? AS TEXT) || CAST(n.seq AS TEXT) || '}'"
_FACT_EVENTS = (
    "WITH n AS (SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM events WHERE conference_id = ?), "
    "o AS (SELECT COALESCE((SELECT app_key FROM event_origins WHERE subject_id = ?), "
    "(SELECT app_key FROM event_origins WHERE subject_id = ?)) AS app_key) "
    f"INSERT INTO events ({', '.join(EVENTS.columns)}) "
    f"SELECT ?, ?, n.seq, ?, ?, NULL, CAST(? AS BIGINT), {_HEAD_AND_SEQ} FROM n UNION ALL "
    f"SELECT ?, ?, n.seq, ?, ?, o.app_key, CAST(? AS BIGINT), {_HEAD_AND_SEQ} FROM n, o "
    "WHERE o.app_key IS NOT NULL"
)
# ... and their deliveries, copied from the events as written: the org-wide one's
# to every app of the organisation as it is now, the twin's (if any) to its app.
_FACT_DELIVERIES = (
    f"INSERT INTO event_deliveries ({', '.join(EVENT_DELIVERIES.columns)}) "
    "SELECT e.event_id, a.app_key, e.conference_id, e.seq, e.event_type, ?, 0, e.born_at, 0, '' "
    "FROM events e JOIN apps a ON a.corp_id = e.corp_id WHERE e.event_id = ? UNION ALL "
    "SELECT e.event_id, e.target_app, e.conference_id, e.seq, e.event_type, ?, 0, e.born_at, "
    "0, '' FROM events e WHERE e.event_id = ?"
)


class EventTables:
    """SQL for the outbox (tables ``events``, ``event_origins``), written in the change's
    own transaction, and the first deliveries of each event."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def set_origin(self, subject_id: str, app_key: str) -> None:
        """Remember the app that created a meeting or a booking (the first one stays)."""
        await self._conn.execute(
            f"INSERT INTO event_origins ({', '.join(EVENT_ORIGINS.columns)}) VALUES (?, ?) "
            "ON CONFLICT (subject_id) DO NOTHING",
            (subject_id, app_key),
        )

    async def next_seq(self, conference_id: str) -> int:
        """The meeting's next statusSeqNum (the caller holds the meeting's lock)."""
        row = await self._conn.fetchone(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE conference_id = ?",
            (conference_id,),
        )
        return int(row[0]) if row else 1

    async def add_fact(self, fact: Fact) -> None:
        """Write a fact's events with the meeting's next statusSeqNum, and their
        deliveries: two statements (the caller holds the meeting's lock)."""
        f = fact
        params: list[object] = [f.conference_id, f.conference_id, f.schedule_id or f.conference_id]
        for event_id, event_type, head in zip(
            f.event_ids, f.event_types, f.payload_heads, strict=True
        ):
            params += (event_id, f.conference_id, f.corp_id, event_type, f.born_ms, head)
        await self._conn.execute(_FACT_EVENTS, params)
        org_id, own_id = f.event_ids
        await self._conn.execute(_FACT_DELIVERIES, (PENDING, org_id, PENDING, own_id))

    async def add_events(self, events: Sequence[OutboxEvent]) -> None:
        """Write events and one pending delivery per receiving app: two statements in all.

        A targeted event goes to its app; an org-wide one to every app of the
        organisation, as it is now. One multi-row INSERT for the events and one
        for their deliveries keep a change's outbox rows to two round trips.
        """
        if not events:
            return
        params: list[object] = []
        for e in events:
            params += e
        await self._conn.execute(
            f"INSERT INTO events ({', '.join(EVENTS.columns)}) "
            f"VALUES {', '.join([_EVENT_VALUES] * len(events))}",
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
        await self._conn.execute(
            f"INSERT INTO event_deliveries ({', '.join(EVENT_DELIVERIES.columns)}) "
            + " UNION ALL ".join(selects),
            params,
        )


class DeliveryTables:
    """SQL for each event's sending to each app (table ``event_deliveries``)."""

    __slots__ = ("_conn", "_row_lock")

    def __init__(self, conn: Connection, row_lock: str = "") -> None:
        """``row_lock``: the transaction's clause locking the rows a claim takes."""
        self._conn = conn
        self._row_lock = row_lock

    async def due_deliveries(self, app_keys: list[str], now_ms: int, limit: int) -> list[Delivery]:
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
            rows = await self._conn.fetchall(
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

    async def list_deliveries(
        self,
        app_key: str,
        state: str | None,
        after: DeliveryPosition | None = None,
        limit: int | None = None,
    ) -> list[Delivery]:
        """An app's deliveries (optionally in one state), by meeting and statusSeqNum.

        ``after`` resumes past a row's position: an index seek (migration 0020),
        however deep the page; ``limit`` caps the rows.
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
        rows = await self._conn.fetchall(
            f"SELECT {_COLUMNS} {_FROM} WHERE {where} {_ORDER}{cut}", params
        )
        return [_delivery_of(row) for row in rows]

    async def claim_deliveries(
        self, keys: Sequence[tuple[str, str]], now_ms: int, until_ms: int
    ) -> set[tuple[str, str]]:
        """Take pending deliveries (event, app) for this process until ``until_ms``: those won.

        One conditional UPDATE for a whole batch (a claim each cost a transaction
        of its own, three round trips on PostgreSQL): on PostgreSQL a second
        claimer waits for the first's row locks and then finds the condition
        false; SQLite serialises writers. Either way exactly one process wins each.
        The rows are locked first in key order (the row lock clause):
        PostgreSQL otherwise locked them in the order of a hash of the batch,
        and two processes claiming overlapping batches deadlocked.
        """
        if not keys:
            return set()
        pairs = ", ".join(["(?, ?)"] * len(keys))
        rows = await self._conn.fetchall(
            "UPDATE event_deliveries SET claimed_until = ? WHERE (event_id, app_key) IN ("
            "SELECT event_id, app_key FROM event_deliveries "
            f"WHERE (event_id, app_key) IN (VALUES {pairs}) AND state = ? AND claimed_until <= ? "
            f"ORDER BY event_id, app_key{self._row_lock}) AND state = ? AND claimed_until <= ? "
            "RETURNING event_id, app_key",
            (until_ms, *(v for key in keys for v in key), PENDING, now_ms, PENDING, now_ms),
        )
        return {(str(row[0]), str(row[1])) for row in rows}

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
        """Record one attempt: delivered, or retried at ``next_at_ms``, or dead after the
        ``max_attempts``-th."""
        if delivered:
            await self._conn.execute(
                "UPDATE event_deliveries SET state = ?, attempts = attempts + 1, "
                "claimed_until = 0, last_error = '' "
                "WHERE event_id = ? AND app_key = ? AND state = ?",
                (DELIVERED, event_id, app_key, PENDING),
            )
            return
        await self._conn.execute(
            "UPDATE event_deliveries SET attempts = attempts + 1, next_at = ?, claimed_until = 0, "
            "last_error = ?, state = CASE WHEN attempts + 1 >= ? THEN ? ELSE state END "
            "WHERE event_id = ? AND app_key = ? AND state = ?",
            (next_at_ms, error, max_attempts, DEAD, event_id, app_key, PENDING),
        )

    async def requeue_delivery(self, event_id: str, app_key: str, now_ms: int) -> bool:
        """Make a delivery pending again with fresh attempts; False if there is none."""
        changed = await self._conn.execute(
            "UPDATE event_deliveries SET state = ?, attempts = 0, next_at = ?, claimed_until = 0, "
            "last_error = '' WHERE event_id = ? AND app_key = ?",
            (PENDING, now_ms, event_id, app_key),
        )
        return changed == 1


class SubscriberTables:
    """SQL for how apps receive events: Stream-mode tickets and HTTP push subscriptions
    (tables ``stream_tickets``, ``push_subscriptions``)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def put_stream_ticket(self, ticket_hash: str, ticket: StreamTicket) -> None:
        """Store a Stream-mode ticket by its hash."""
        await self._conn.execute(
            f"INSERT INTO stream_tickets ({', '.join(STREAM_TICKETS.columns)}) "
            "VALUES (?, ?, ?, ?, ?)",
            (ticket_hash, *ticket),
        )

    async def drop_stream_tickets(self, expired_by_ms: int) -> None:
        """Delete the tickets that expired at or before ``expired_by_ms``."""
        await self._conn.execute(
            "DELETE FROM stream_tickets WHERE expires_at <= ?", (expired_by_ms,)
        )

    async def get_stream_ticket(self, ticket_hash: str) -> StreamTicket | None:
        """A Stream-mode ticket by its hash (expired ones too)."""
        row = await self._conn.fetchone(
            f"SELECT {', '.join(STREAM_TICKETS.columns[1:])} FROM stream_tickets "
            "WHERE ticket_hash = ?",
            (ticket_hash,),
        )
        return StreamTicket(str(row[0]), str(row[1]), str(row[2]), int(row[3])) if row else None

    async def put_push_subscription(self, subscription: PushSubscription) -> None:
        """Set (or replace) an app's HTTP push subscription."""
        await self._conn.execute(
            f"INSERT INTO push_subscriptions ({', '.join(PUSH_SUBSCRIPTIONS.columns)}) "
            "VALUES (?, ?, ?, ?) "
            "ON CONFLICT (app_key) DO UPDATE SET url = excluded.url, token = excluded.token, "
            "aes_key = excluded.aes_key",
            tuple(subscription),
        )

    async def delete_push_subscription(self, app_key: str) -> bool:
        """Drop an app's HTTP push subscription; False if it had none."""
        deleted = await self._conn.execute(
            "DELETE FROM push_subscriptions WHERE app_key = ?", (app_key,)
        )
        return deleted == 1

    async def push_subscriptions(self) -> list[PushSubscription]:
        """Every app's HTTP push subscription, by app."""
        rows = await self._conn.fetchall(
            f"SELECT {', '.join(PUSH_SUBSCRIPTIONS.columns)} FROM push_subscriptions "
            "ORDER BY app_key"
        )
        return [PushSubscription(*(str(v) for v in row)) for row in rows]
