"""Processes claiming overlapping batches of deliveries at once never deadlock.

Every process serves every app with an HTTP push subscription, so their
dispatchers claim much the same due rows, each its own batch in one UPDATE.
PostgreSQL locked a batch's rows in the order of a hash of the batch, which
differs between batches of different sizes: two claimers could each hold a
row the other waited for, and PostgreSQL aborted one (after a second's wait)
with a deadlock. SQLite serialises writers, so only PostgreSQL is concerned.
"""

import asyncio
import random

from dingconf.app import open_store
from dingconf.auth.tables import OrgTables
from dingconf.core.records import App, Org
from dingconf.db.store import Store
from dingconf.events.records import OutboxEvent
from dingconf.events.tables import DeliveryTables, EventTables

from backends import PostgresCluster

_APP, _EVENTS, _ROUNDS, _CLAIMERS = "claim-app", 400, 100, 4


async def _claim_at_once(url: str) -> None:
    stores = [open_store(url) for _ in range(_CLAIMERS)]
    for store in stores:
        assert isinstance(store, Store)
        await store.open()
    try:
        async with stores[0].write() as tx:
            await OrgTables(tx.conn).upsert_org(Org("dingclaim", "Claim"))
            await OrgTables(tx.conn).upsert_app(App(_APP, "dingclaim", "x", frozenset()))
            outbox = EventTables(tx.conn)
            for n in range(_EVENTS):
                event = OutboxEvent(f"{n:032x}", f"conf-{n}", 1, "dingclaim", "t", None, 1, "{}")
                await outbox.add_events([event])
        keys = [(f"{n:032x}", _APP) for n in range(_EVENTS)]

        async def claimer(store: Store, seed: int) -> None:
            rng = random.Random(seed)
            for round_ in range(_ROUNDS):
                # Batches of other sizes, mostly the same rows. A lease ends at the
                # next round, so a claim wins (and locks) most of its batch.
                batch = rng.sample(keys, rng.randint(_EVENTS // 4, _EVENTS))
                async with store.write() as tx:
                    deliveries = DeliveryTables(tx.conn, tx.row_lock)
                    await deliveries.claim_deliveries(batch, round_ * 10, round_ * 10)

        await asyncio.gather(*(claimer(store, n) for n, store in enumerate(stores)))
    finally:
        for store in stores:
            await store.close()


def test_overlapping_claims_do_not_deadlock(pg_cluster: PostgresCluster) -> None:
    asyncio.run(_claim_at_once(pg_cluster.new_database()))
