"""A redelivery that commits while another process's retention sweep deletes the row.

On PostgreSQL the sweep's DELETE picked a dead row by a subquery, waited for
the redelivery's row lock, and then deleted the row by its key alone: the
event, requeued as pending (and answered 200), was gone. SQLite serialises
writers, so only PostgreSQL can interleave them.
"""

import asyncio

from dingconf.app import open_store
from dingconf.auth.tables import OrgTables
from dingconf.core.records import App, Org
from dingconf.db.store import Store
from dingconf.events.records import OutboxEvent
from dingconf.events.retention_tables import RetentionTables
from dingconf.events.tables import DeliveryTables, EventTables

from backends import PostgresCluster

_EVENT, _APP = f"{1:032x}", "race-app"


async def _blocked_on_a_lock(store: Store) -> bool:
    row = await store.database.reader.fetchone(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
    )
    return row is not None and int(row[0]) > 0


async def _requeue_during_a_sweep(url: str) -> str | None:
    sweeper, requeuer = open_store(url), open_store(url)
    assert isinstance(sweeper, Store) and isinstance(requeuer, Store)
    await sweeper.open()
    await requeuer.open()
    try:
        async with sweeper.write() as tx:
            await OrgTables(tx.conn).upsert_org(Org("dingrace", "Race"))
            await OrgTables(tx.conn).upsert_app(App(_APP, "dingrace", "x", frozenset()))
            event = OutboxEvent(_EVENT, "conf-1", 1, "dingrace", "t", None, 1, "{}")
            await EventTables(tx.conn).add_events([event])
        async with sweeper.database.transaction() as conn:
            await conn.execute("UPDATE event_deliveries SET state = 'dead', next_at = 1")

        async def sweep() -> int:
            async with sweeper.write() as tx:
                return await RetentionTables(tx.conn).prune_settled_deliveries(_APP, 1_000, 100)

        async with requeuer.write() as tx:
            assert await DeliveryTables(tx.conn).requeue_delivery(_EVENT, _APP, 10**12)
            pruning = asyncio.create_task(sweep())
            # The sweep's DELETE now waits for the redelivery's row lock.
            for _ in range(2000):
                if await _blocked_on_a_lock(requeuer) or pruning.done():
                    break
                await asyncio.sleep(0.005)
            assert not pruning.done()
        await pruning
        row = await sweeper.database.reader.fetchone(
            "SELECT state FROM event_deliveries WHERE event_id = ? AND app_key = ?",
            (_EVENT, _APP),
        )
        return None if row is None else str(row[0])
    finally:
        await requeuer.close()
        await sweeper.close()


def test_a_redelivery_committed_during_a_sweep_stays_pending(pg_cluster: PostgresCluster):
    assert asyncio.run(_requeue_during_a_sweep(pg_cluster.new_database())) == "pending"
