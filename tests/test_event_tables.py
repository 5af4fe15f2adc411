"""The events' and presences' tables classes: the same rows on every backend."""

import asyncio
from collections.abc import Awaitable, Callable

from dingconf.app import open_store
from dingconf.auth.tables import OrgTables
from dingconf.control.console.presence_records import Presence
from dingconf.control.console.presence_tables import PresenceTables
from dingconf.core.records import App, Org
from dingconf.db.store import Store
from dingconf.events.records import (
    DEAD,
    DELIVERED,
    PENDING,
    DeliveryPosition,
    Fact,
    OutboxEvent,
    PushSubscription,
    StreamTicket,
)
from dingconf.events.retention_tables import RetentionTables
from dingconf.events.tables import DeliveryTables, EventTables, SubscriberTables


def _run(url: str, body: Callable[[Store], Awaitable[None]]) -> None:
    """Run ``body`` on a store holding organisation dinga with apps app-a and app-b."""

    async def main() -> None:
        store = open_store(url)
        await store.open()
        try:
            async with store.write() as tx:
                orgs = OrgTables(tx.conn)
                await orgs.upsert_org(Org("dinga", "A"))
                await orgs.upsert_app(App("app-a", "dinga", "hash", frozenset()))
                await orgs.upsert_app(App("app-b", "dinga", "hash", frozenset()))
            await body(store)
        finally:
            await store.close()

    asyncio.run(main())


def _event(n: int, conference_id: str, seq: int, target: str | None = None) -> OutboxEvent:
    event_type = "t" if target is None else "t_target_push"
    return OutboxEvent(
        f"{n:032x}", conference_id, seq, "dinga", event_type, target, 1_000 + n, "{}"
    )


def test_org_wide_events_reach_every_app_and_targeted_ones_their_app(database_url: str):
    async def body(store: Store) -> None:
        async with store.write() as tx:
            await EventTables(tx.conn).add_events(
                [_event(1, "c1", 1), _event(2, "c1", 1, "app-b"), _event(3, "c2", 1)]
            )
        deliveries = DeliveryTables(store.reader)
        to_a = await deliveries.list_deliveries("app-a", None)
        to_b = await deliveries.list_deliveries("app-b", PENDING)
        assert [d.event for d in to_a] == [_event(1, "c1", 1), _event(3, "c2", 1)]
        assert [d.event.event_id for d in to_b] == [f"{n:032x}" for n in (1, 2, 3)]
        assert {(d.state, d.attempts, d.next_at_ms, d.last_error) for d in to_a} == {
            (PENDING, 0, 1_001, ""),
            (PENDING, 0, 1_003, ""),
        }
        assert await deliveries.list_deliveries("app-a", DELIVERED) == []
        first = DeliveryPosition("c1", 1, "t")
        page = await deliveries.list_deliveries("app-b", None, first, 1)
        assert [d.event.event_id for d in page] == [f"{2:032x}"]

    _run(database_url, body)


def _fact(n: int, conference_id: str, schedule_id: str | None = None) -> Fact:
    return Fact(
        conference_id,
        schedule_id,
        "dinga",
        1_000 + n,
        ("t", "t_target_push"),
        (f"{2 * n:032x}", f"{2 * n + 1:032x}"),
        (f'{{"n":{n},"statusSeqNum":', f'{{"own":{n},"statusSeqNum":'),
    )


def test_the_seq_follows_the_highest_event_and_the_first_origin_stays(database_url: str):
    async def body(store: Store) -> None:
        async with store.write() as tx:
            outbox = EventTables(tx.conn)
            assert await outbox.next_seq("c1") == 1
            await outbox.add_fact(_fact(1, "c1"))  # no origin: no twin
            await outbox.set_origin("booking-1", "app-b")
            await outbox.add_fact(_fact(2, "c1", "booking-1"))  # the booking's app
            await outbox.set_origin("c1", "app-a")
            await outbox.set_origin("c1", "app-b")
            await outbox.add_events([_event(9, "c1", 7)])
            await outbox.add_fact(_fact(3, "c1", "booking-1"))  # the meeting's own, first, app
            assert await outbox.next_seq("c1") == 9
        found = await DeliveryTables(store.reader).list_deliveries("app-a", None)
        found += await DeliveryTables(store.reader).list_deliveries("app-b", None)
        assert sorted(
            (d.event.seq, d.app_key, d.event.event_type, d.event.target_app, d.event.payload)
            for d in found
            if d.event.event_id != f"{9:032x}"
        ) == [
            (1, "app-a", "t", None, '{"n":1,"statusSeqNum":1}'),
            (1, "app-b", "t", None, '{"n":1,"statusSeqNum":1}'),
            (2, "app-a", "t", None, '{"n":2,"statusSeqNum":2}'),
            (2, "app-b", "t", None, '{"n":2,"statusSeqNum":2}'),
            (2, "app-b", "t_target_push", "app-b", '{"own":2,"statusSeqNum":2}'),
            (8, "app-a", "t", None, '{"n":3,"statusSeqNum":8}'),
            (8, "app-a", "t_target_push", "app-a", '{"own":3,"statusSeqNum":8}'),
            (8, "app-b", "t", None, '{"n":3,"statusSeqNum":8}'),
        ]
        assert {(d.state, d.attempts, d.next_at_ms) for d in found if d.event.seq == 8} == {
            (PENDING, 0, 1_003)
        }

    _run(database_url, body)


def test_a_claim_is_won_once_and_attempts_settle_retry_die_and_start_over(database_url: str):
    key = (f"{1:032x}", "app-a")

    async def body(store: Store) -> None:
        async with store.write() as tx:
            await EventTables(tx.conn).add_events([_event(1, "c1", 1)])
        async with store.write() as tx:
            claims = DeliveryTables(tx.conn, tx.row_lock)
            assert await claims.claim_deliveries([key], 2_000, 5_000) == {key}
            assert await claims.claim_deliveries([key], 2_000, 5_000) == set()
        reader = DeliveryTables(store.reader)
        assert await reader.due_deliveries(["app-a"], 4_999, 10) == []
        async with store.write() as tx:
            sent = DeliveryTables(tx.conn)
            await sent.settle_delivery(
                *key, delivered=False, next_at_ms=9, error="x", max_attempts=2
            )
            await sent.settle_delivery(
                *key, delivered=False, next_at_ms=8, error="y", max_attempts=2
            )
        (dead,) = await reader.list_deliveries("app-a", None)
        assert (dead.state, dead.attempts, dead.next_at_ms, dead.last_error) == (DEAD, 2, 8, "y")
        async with store.write() as tx:
            sent = DeliveryTables(tx.conn)
            assert await sent.requeue_delivery(*key, 3_000)
            assert not await sent.requeue_delivery(f"{9:032x}", "app-a", 3_000)
        (due,) = await reader.due_deliveries(["app-a"], 3_000, 10)
        assert (due.state, due.attempts, due.next_at_ms, due.last_error) == (PENDING, 0, 3_000, "")
        async with store.write() as tx:
            await DeliveryTables(tx.conn).settle_delivery(
                *key, delivered=True, next_at_ms=0, error="", max_attempts=2
            )
        assert [d.attempts for d in await reader.list_deliveries("app-a", DELIVERED)] == [1]

    _run(database_url, body)


def test_retention_cuts_backlogs_and_prunes_all_but_each_meetings_newest(database_url: str):
    async def body(store: Store) -> None:
        async with store.write() as tx:
            await EventTables(tx.conn).add_events([_event(n, "c1", n) for n in range(1, 5)])
        async with store.write() as tx:
            retention = RetentionTables(tx.conn)
            assert await retention.backlog_cut("app-a", 4) is None
            cut = await retention.backlog_cut("app-a", 2)
            assert cut == 1_002
            # At most ``limit`` rows a statement; nothing due after the cut.
            assert await retention.dead_letter("app-a", cut, 50_000, "over", 1) == 1
            assert await retention.dead_letter("app-a", cut, 50_000, "over", 10) == 1
            assert await retention.dead_letter("app-a", cut, 50_000, "over", 10) == 0
        reader = DeliveryTables(store.reader)
        dead = await reader.list_deliveries("app-a", DEAD)
        assert [(d.event.seq, d.next_at_ms, d.last_error) for d in dead] == [
            (1, 50_000, "over"),
            (2, 50_000, "over"),
        ]
        async with store.write() as tx:
            retention = RetentionTables(tx.conn)
            assert await retention.prune_settled_deliveries("app-a", 50_000, 10) == 0
            assert await retention.prune_settled_deliveries("app-a", 50_001, 1) == 1
            assert await retention.prune_settled_deliveries("app-a", 50_001, 10) == 1
            # app-b still has every row: no event goes.
            assert await retention.prune_events(60_000, 10) == 0
        async with store.write() as tx:
            await tx.conn.execute("DELETE FROM event_deliveries")
            assert await RetentionTables(tx.conn).prune_events(60_000, 10) == 3
            assert await EventTables(tx.conn).next_seq("c1") == 5

    _run(database_url, body)


def test_tickets_and_push_subscriptions_round_trip(database_url: str):
    old, new = StreamTicket("app-a", "dinga", "[]", 1_000), StreamTicket("app-b", "dinga", "[]", 9)

    async def body(store: Store) -> None:
        async with store.write() as tx:
            subscribers = SubscriberTables(tx.conn)
            await subscribers.put_stream_ticket("h-old", old)
            await subscribers.put_stream_ticket("h-new", new._replace(expires_at_ms=2_000))
            await subscribers.drop_stream_tickets(1_000)
            sub = PushSubscription("app-a", "https://a.example/cb", "tok", "k" * 43)
            await subscribers.put_push_subscription(sub._replace(url="https://old.example/"))
            await subscribers.put_push_subscription(sub)
            await subscribers.put_push_subscription(sub._replace(app_key="app-b"))
            assert await subscribers.delete_push_subscription("app-b")
            assert not await subscribers.delete_push_subscription("app-b")
        reader = SubscriberTables(store.reader)
        assert await reader.get_stream_ticket("h-old") is None
        assert await reader.get_stream_ticket("h-new") == new._replace(expires_at_ms=2_000)
        assert await reader.push_subscriptions() == [sub]

    _run(database_url, body)


def test_a_presence_is_replaced_beaten_and_dropped_only_while_stale(database_url: str):
    first = Presence("h1", "c1", "dinga", "ua", "A", 1_000, 1_000)
    second = first._replace(presence_hash="h2", joined_at_ms=2_000, last_beat_ms=2_000)
    other = Presence("h3", "c1", "dinga", "ub", "B", 1_500, 1_500)

    async def body(store: Store) -> None:
        async with store.write() as tx:
            presences = PresenceTables(tx.conn)
            for presence in (first, other, second):
                await presences.put_presence(presence)
            assert not await presences.beat_presence("h1", 3_000)
        reader = PresenceTables(store.reader)
        assert await reader.get_presence("h1") is None
        assert await reader.stale_presences(2_001, 10) == [other, second]
        assert await reader.stale_presences(2_001, 1) == [other]
        async with store.write() as tx:
            presences = PresenceTables(tx.conn)
            assert await presences.beat_presence("h2", 3_000)
            assert not await presences.drop_presence("h2", 3_000)
            assert await presences.drop_presence("h2", 3_001)
            assert await presences.drop_presence("h3")
            assert not await presences.drop_presence("h3")
        assert await reader.stale_presences(10_000, 10) == []

    _run(database_url, body)
