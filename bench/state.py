"""Timings of the test toolkit's state operations, on SQLite and PostgreSQL.

    make bench-state      # or: .venv/bin/python bench/state.py [--meetings 10000]

Reset with 1,000 meetings present, and export/import of 10,000 meetings (each
with two participants, a stay and an invitation), through the service layer
on a throwaway database of each backend.
"""

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import psycopg

from dingconf.app import Services, build_services, open_store
from dingconf.core.config import Settings

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "tests"))
from run import CORP, SEED, meeting_rows  # noqa: E402

from backends import throwaway_cluster  # noqa: E402


def _fill(url: str, count: int) -> None:
    """Bulk-load ``count`` meetings with members, stays and invitations."""
    now = int(time.time() * 1000)
    meetings = meeting_rows(count, now)
    ids = [m[0] for m in meetings]
    members = [(i, u, u, 3, now, now, None, 0, 1, now) for i in ids for u in ("u-1", "u-2")]
    stays = [(i, u, 1, now) for i in ids for u in ("u-1", "u-2")]
    invited = [(i, "u-3", "User 3", "u-1", now) for i in ids]
    statements = [
        (
            "INSERT INTO conferences (conference_id, corp_id, title, biz_type, status, room_code, "
            "external_link_url, creator_id, creator_nick, host_id, start_time) VALUES ({})",
            meetings,
        ),
        (
            "INSERT INTO participants (conference_id, union_id, nick, attend_status, first_join, "
            "last_join, leave_time, duration, sessions, listed_at) VALUES ({})",
            members,
        ),
        (
            "INSERT INTO participant_sessions (conference_id, union_id, seq, join_time) "
            "VALUES ({})",
            stays,
        ),
        (
            "INSERT INTO invitations (conference_id, union_id, nick, invited_by, invited_at) "
            "VALUES ({})",
            invited,
        ),
    ]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            for sql, rows in statements:
                conn.executemany(sql.format(", ".join("?" * len(rows[0]))), rows)
    else:
        with psycopg.connect(url) as conn, conn.cursor() as cur:
            for sql, rows in statements:
                cur.executemany(sql.format(", ".join(["%s"] * len(rows[0]))), rows)


async def _with(url: str, work: Callable[[Services], Awaitable[Any]]) -> Any:
    services = build_services(Settings(database=url), open_store(url))
    await services.store.open()
    try:
        return await work(services)
    finally:
        await services.store.close()


async def _timed(url: str, work: Callable[[Services], Awaitable[Any]]) -> tuple[float, Any]:
    async def run(s: Services) -> tuple[float, Any]:
        start = time.perf_counter()
        result = await work(s)
        return time.perf_counter() - start, result

    timed: tuple[float, Any] = await _with(url, run)
    return timed


async def _seed(url: str) -> None:
    async def seed(s: Services) -> None:
        await s.provisioning.load_seed(SEED)
        await s.state.capture_baseline()

    await _with(url, seed)


async def bench(name: str, new_url: Callable[[], str], meetings: int) -> None:
    url = new_url()
    await _seed(url)
    _fill(url, 1_000)
    seconds, _ = await _timed(url, lambda s: s.state.reset())
    print(f"  {name}: reset with 1,000 meetings present: {seconds * 1000:,.0f} ms", flush=True)

    _fill(url, meetings)
    seconds, document = await _timed(url, lambda s: s.state.export())
    size = len(json.dumps(document))
    print(
        f"  {name}: export of {meetings:,} meetings: {seconds:,.2f} s ({size / 1e6:,.1f} MB)",
        flush=True,
    )
    target = new_url()
    await _seed(target)
    seconds, _ = await _timed(target, lambda s: s.state.import_state(document))
    print(f"  {name}: import of {meetings:,} meetings: {seconds:,.2f} s", flush=True)
    seconds, _ = await _timed(target, lambda s: s.state.reset(CORP))
    print(f"  {name}: reset of one org with {meetings:,} meetings: {seconds:,.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dingconf-bench-state-") as tmp:
        counter = iter(range(1_000))
        asyncio.run(
            bench("sqlite", lambda: f"sqlite:///{tmp}/s{next(counter)}.sqlite3", args.meetings)
        )
    with throwaway_cluster() as cluster:
        asyncio.run(bench("postgres", cluster.new_database, args.meetings))


if __name__ == "__main__":
    main()
