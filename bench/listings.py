"""Listings over big data: does a page cost the same at 100 rows and at 100,000?

Part of ``make bench`` (bench/run.py, section 6). Two data sets, built the
same way: a small one (100 running meetings, one with 100 members) and a big
one (100,000 running meetings, one with 100,000 members). The same page
(128 members; 20 meetings, paged through as a client does) is loaded on each, and the
ratio big/small is the figure. Then QueryConferenceInfo's p99 is measured
alone and again while another client pages through the big meeting's
members, to show that no single request holds the event loop.
"""

import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from run import BENCH, Dataset, Result, Server, build, run_wrk

MEMBER_COLUMNS = (
    "conference_id, union_id, nick, attend_status, first_join, last_join, listed_at, sessions"
)


def add_members(data: Dataset, count: int) -> str:
    """Put ``count`` people inside the first meeting of ``data``; its conferenceId."""
    path = data.url.removeprefix("sqlite:///")
    now = int(time.time() * 1000)
    with sqlite3.connect(path) as conn:
        (cid,) = conn.execute(
            "SELECT conference_id FROM conferences ORDER BY conference_id LIMIT 1"
        ).fetchone()
        conn.executemany(
            f"INSERT INTO participants ({MEMBER_COLUMNS}) VALUES (?, ?, ?, 3, ?, ?, ?, 1)",
            ((cid, f"p-{i}", f"Person {i}", now, now, now + i) for i in range(count)),
        )
        conn.execute(
            "UPDATE conferences SET active_num = ?, attend_num = ? WHERE conference_id = ?",
            (count, count, cid),
        )
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return str(cid)


def page_loads(
    start: Callable[[Dataset], Server], work: Path, seconds: int, rounds: int
) -> list[tuple[str, Result, Result, float]]:
    """(name, big, small, median big/small ratio) for the members and org-list pages."""
    import statistics

    sets = {}
    for size in (100, 100_000):
        data = build(f"sqlite:///{work / f'listing-{size}.sqlite3'}", size, work)
        sets[size] = (data, add_members(data, size))
    found = []
    for name, script in (
        ("members page (128)", "members.lua"),
        ("org list page (20)", "orglist.lua"),
    ):
        results: dict[int, list[Result]] = {100: [], 100_000: []}
        for _ in range(rounds):
            for size, (data, cid) in sets.items():
                env = {"BENCH_MEETING": cid}
                server = start(data)
                try:
                    run_wrk(server.port, script, data, 2, True, env)  # warm-up
                    results[size].append(run_wrk(server.port, script, data, seconds, True, env))
                finally:
                    server.stop()
        ratios = [b.rps / s.rps for b, s in zip(results[100_000], results[100], strict=True)]
        big = sorted(results[100_000], key=lambda r: r.rps)[len(results[100_000]) // 2]
        small = sorted(results[100], key=lambda r: r.rps)[len(results[100]) // 2]
        found.append((name, big, small, statistics.median(ratios)))
    return found


def query_p99_beside_pages(
    start: Callable[[Dataset], Server], work: Path, seconds: int
) -> tuple[Result, Result]:
    """QueryConferenceInfo alone, and while 4 connections page the 100,000-member meeting."""
    data = build(f"sqlite:///{work / 'listing-side.sqlite3'}", 10_000, work)
    cid = add_members(data, 100_000)
    server = start(data)
    try:
        run_wrk(server.port, "query.lua", data, 2, True)
        alone = run_wrk(server.port, "query.lua", data, seconds, True)
        pages = subprocess.Popen(
            [
                "taskset",
                "-c",
                "1",
                "wrk",
                "-t1",
                "-c4",
                f"-d{seconds + 2}s",
                "-s",
                str(BENCH / "members.lua"),
                f"http://127.0.0.1:{server.port}",
            ],
            env={"BENCH_MEETING": cid, "BENCH_TOKEN": data.token, "PATH": "/usr/bin:/bin"},
            stdout=subprocess.DEVNULL,
        )
        try:
            time.sleep(1)
            beside = run_wrk(server.port, "query.lua", data, seconds, True)
        finally:
            pages.wait()
        return alone, beside
    finally:
        server.stop()
