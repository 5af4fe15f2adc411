"""The dispatcher's due-deliveries query walks the index by state (pending rows only).

Before, it read every row of the apps it served, settled ones too, and probed
each for an earlier pending one: on PostgreSQL with 100,000 rows it ran 10-24 s
and delivery stalled. The plan of the exact statement, on both backends, with
many settled rows beside a few pending ones (as retention leaves them).
"""

import asyncio

from dingconf.app import open_store
from dingconf.auth.tables import OrgTables
from dingconf.core.records import App, Org
from dingconf.db.driver import Connection, Params, Row
from dingconf.db.store import Store
from dingconf.events.records import OutboxEvent
from dingconf.events.tables import DeliveryTables, EventTables

_SETTLED, _PENDING = 3000, 30


class _Recorder:
    """A connection that notes each statement and answers nothing."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Params]] = []

    async def execute(self, sql: str, params: Params = ()) -> int:
        self.statements.append((sql, params))
        return 0

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        self.statements.append((sql, params))
        return None

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        self.statements.append((sql, params))
        return []


async def _plan(url: str) -> str:
    store = open_store(url)
    assert isinstance(store, Store)
    await store.open()
    try:
        async with store.write() as tx:
            await OrgTables(tx.conn).upsert_org(Org("dingplan", "Plan"))
            await OrgTables(tx.conn).upsert_app(App("plan-app", "dingplan", "x", frozenset()))
            outbox = EventTables(tx.conn)
            for n in range(_SETTLED + _PENDING):
                await outbox.add_events(
                    [OutboxEvent(f"{n:032x}", f"conf-{n % 50}", n, "dingplan", "t", None, n, "{}")]
                )
        db = store.database
        async with db.transaction() as conn:
            await conn.execute(
                "UPDATE event_deliveries SET state = 'delivered' WHERE seq < ?", (_SETTLED,)
            )
            await conn.execute("ANALYZE")
        recorder = _Recorder()
        await DeliveryTables(recorder).due_deliveries(["plan-app"], 10**12, 200)
        ((sql, params),) = recorder.statements
        explain = "EXPLAIN QUERY PLAN " if url.startswith("sqlite") else "EXPLAIN "
        reader: Connection = db.reader
        rows = await reader.fetchall(explain + sql, params)
        return "\n".join(" ".join(str(v) for v in row) for row in rows)
    finally:
        await store.close()


def test_the_due_deliveries_query_walks_the_index_by_state(database_url: str):
    plan = asyncio.run(_plan(database_url))
    # Both the walk over the app's pending rows and the probe for an earlier one.
    assert plan.count("event_deliveries_by_state") >= 2, plan
