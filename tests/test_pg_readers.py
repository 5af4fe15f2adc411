"""PostgreSQL reads keep connections of the pool instead of checking one out each time.

Through the driver (PostgresDatabase) on a real server: which backend answers
a read says which connection it ran on.
"""

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable

import psycopg
import pytest

from dingconf.db.postgres import PostgresDatabase
from dingconf.db.store import StorageUnavailable

from backends import PostgresCluster

PID = "SELECT pg_backend_pid()"
SLOW_PID = "SELECT pg_backend_pid() FROM pg_sleep(0.05)"


def run_on(
    url: str,
    scenario: Callable[[PostgresDatabase], Awaitable[None]],
    min_size: int = 4,
    max_lifetime_s: float = 3600.0,
) -> None:
    """Run ``scenario`` on a pool of 4 connections (2 of them at most kept for reads),
    ``min_size`` of them opened at the start."""

    async def main() -> None:
        database = PostgresDatabase(
            url, min_size=min_size, max_size=4, timeout_s=1.0, max_lifetime_s=max_lifetime_s
        )
        await database.connect()
        try:
            await scenario(database)
        finally:
            await database.disconnect()

    asyncio.run(main())


async def pid(database: PostgresDatabase, sql: str = PID) -> int:
    row = await database.reader.fetchone(sql)
    assert row is not None
    return int(row[0])


async def two_transactions_at_once(database: PostgresDatabase) -> None:
    """Reads keep 2 of the 4 connections at most: two transactions still get theirs
    (within the 1 s pool timeout), while reads go on."""
    async with database.transaction() as first, database.transaction() as second:
        assert await first.fetchone("SELECT 1") == (1,)
        assert await second.fetchone("SELECT 2") == (2,)
        assert await pid(database) > 0


def test_reads_one_after_another_stay_on_one_kept_connection(pg_cluster: PostgresCluster):
    async def scenario(database: PostgresDatabase) -> None:
        # The pool itself hands its 4 connections out in turn.
        assert len({await pid(database) for _ in range(50)}) == 1

    run_on(pg_cluster.new_database(), scenario)


def test_reads_beyond_the_kept_connections_succeed_and_leave_half_the_pool(
    pg_cluster: PostgresCluster,
):
    async def scenario(database: PostgresDatabase) -> None:
        # The pool opens connections while these wait: many ask for one at once.
        answered = await asyncio.gather(*(pid(database, SLOW_PID) for _ in range(12)))
        assert len(answered) == 12
        await two_transactions_at_once(database)

    run_on(pg_cluster.new_database(), scenario, min_size=1)


def test_a_dropped_kept_connection_fails_one_read_and_the_next_reads_succeed(
    pg_cluster: PostgresCluster,
):
    url = pg_cluster.new_database()

    async def scenario(database: PostgresDatabase) -> None:
        kept = set(await asyncio.gather(pid(database, SLOW_PID), pid(database, SLOW_PID)))
        assert len(kept) == 2
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as admin:
            for backend in kept:
                await admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
        with pytest.raises(StorageUnavailable):
            await pid(database)
        # The other kept connection, dead too, was dropped with the first: no
        # second failure; later reads run on live connections of the pool.
        after = {await pid(database) for _ in range(5)}
        assert not after & kept

    run_on(url, scenario)


def test_a_read_waits_for_a_kept_connection_and_fails_within_the_timeout(
    pg_cluster: PostgresCluster,
):
    async def scenario(database: PostgresDatabase) -> None:
        slow = [
            asyncio.create_task(pid(database, "SELECT pg_backend_pid() FROM pg_sleep(2.5)"))
            for _ in range(2)
        ]
        await asyncio.sleep(0.3)
        # Both kept connections are busy: the read waits for one, not for the
        # pool's other two (the writes'), and gives up after the 1 s timeout.
        started = time.monotonic()
        with pytest.raises(StorageUnavailable):
            await pid(database)
        # It waited the timeout and gave up while both slow reads still ran
        # (an order, not a window: a loaded machine may add any delay).
        assert time.monotonic() - started > 0.9
        assert not any(task.done() for task in slow)
        kept = set(await asyncio.gather(*slow))
        # Once they are back, reads run on them again.
        assert {await pid(database) for _ in range(5)} <= kept

    run_on(pg_cluster.new_database(), scenario)


def test_a_kept_connection_goes_back_to_the_pool_after_its_lifetime(pg_cluster: PostgresCluster):
    async def scenario(database: PostgresDatabase) -> None:
        first = await pid(database)
        assert await pid(database) == first
        await asyncio.sleep(0.8)
        await pid(database)  # its last read on the kept connection, then back to the pool
        assert await pid(database) != first  # the pool replaced it

    run_on(pg_cluster.new_database(), scenario, max_lifetime_s=0.5)


def test_reads_waiting_when_every_kept_connection_expires_get_fresh_ones(
    pg_cluster: PostgresCluster,
):
    async def scenario(database: PostgresDatabase) -> None:
        slow = "SELECT pg_backend_pid() FROM pg_sleep(0.7)"
        busy = [asyncio.create_task(pid(database, slow)) for _ in range(2)]
        await asyncio.sleep(0.1)
        # Both kept connections outlive their 0.5 s while these wait in the
        # queue: each goes back to the pool with a fresh one in its place.
        waiting = await asyncio.gather(pid(database), pid(database))
        expired = set(await asyncio.gather(*busy))
        assert not set(waiting) & expired

    run_on(pg_cluster.new_database(), scenario, max_lifetime_s=0.5)


def test_reads_waiting_their_turn_are_served_in_order_under_load(pg_cluster: PostgresCluster):
    async def scenario(database: PostgresDatabase) -> None:
        # 20 readers at once on 2 kept connections, each reading again at once:
        # a connection coming back must go to the read that waited longest,
        # not to a read arriving meanwhile, or some wait for the whole run.
        # Served in order, every reader gets about its share of 400 reads,
        # however fast the machine; a starved one got a handful or none.
        left = [400]

        async def reader() -> int:
            reads = 0
            while left[0] > 0:
                left[0] -= 1
                await pid(database)
                reads += 1
            return reads

        shares = await asyncio.gather(*(reader() for _ in range(20)))
        assert min(shares) >= max(shares) / 2, shares

    run_on(pg_cluster.new_database(), scenario)


def test_reads_given_up_midway_lose_no_kept_connection(pg_cluster: PostgresCluster):
    async def scenario(database: PostgresDatabase) -> None:
        # Clients going away: reads cancelled while waiting their turn, just
        # as a connection is handed to them, or in the middle of a statement.
        rng = random.Random(7)
        until = time.monotonic() + 1.0

        async def impatient() -> None:
            while time.monotonic() < until:
                with contextlib.suppress(TimeoutError, StorageUnavailable):
                    await asyncio.wait_for(pid(database), rng.uniform(0.0002, 0.004))

        await asyncio.gather(*(impatient() for _ in range(30)))
        # Both places are still there: two slow reads run side by side...
        # (side by side: two connections at once, not one after the other on one)
        slower = "SELECT pg_backend_pid() FROM pg_sleep(0.3)"
        both = await asyncio.gather(*(pid(database, slower) for _ in range(2)))
        assert len(set(both)) == 2
        # ... and no more than two are kept.
        await two_transactions_at_once(database)

    run_on(pg_cluster.new_database(), scenario)
