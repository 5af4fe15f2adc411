"""Listings over big data: does a page cost the same at 100 rows and at 100,000?

Part of ``make bench`` (bench/run.py, section 6; alone: ``bench/run.py --only
listings`` or ``bench/listings.py``). Two data sets, built the same way: a
small one (100 running meetings, one with 100 members) and a big one
(100,000 running meetings, one with 100,000 members). The same page (128
members; 20 meetings, paged through as a client does) is loaded on each, and
the ratio big/small is the figure: first with nothing else happening, then
while a writer joins new people to that meeting at a steady 50 a second (the
issue's scenario: a live meeting people keep joining, so every page follows a
commit). QueryConferenceInfo's p99 is measured while another client pages
through a meeting's members with the writer running: a 100-member meeting,
then a 100,000-member one on the same server.

Wall-clock throughput is noisy on a shared machine, so the CPU time of one
page is also measured in-process (µs per page at 100 and at 100,000 rows,
with a write between pages), which other processes barely move.
"""

import argparse
import asyncio
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from run import BENCH, CORP, Dataset, Result, Server, build, dingconf, run_wrk, sampled

from dingconf.meetings.tables import MeetingTables
from dingconf.meetings.transitions import insert_conference, record_join
from dingconf.members.tables import MemberTables

if TYPE_CHECKING:
    from dingconf.db.store import Store

#: Joins a second the background writer makes.
JOIN_RATE = 50
#: Pages measured per in-process figure (the median is reported).
CPU_PAGES = 200
MEMBER_COLUMNS = (
    "conference_id, union_id, nick, attend_status, first_join, last_join, listed_at, sessions"
)
# name, dingconf's median run, the same at 100 rows, the median ratio, note (as in run.py)
Row = tuple[str, Result, Result, float, str]


def add_members(data: Dataset, count: int, nth: int = 0) -> str:
    """Put ``count`` people inside the ``nth`` meeting of ``data``; its conferenceId."""
    path = data.url.removeprefix("sqlite:///")
    now = int(time.time() * 1000)
    with sqlite3.connect(path) as conn:
        (cid,) = conn.execute(
            "SELECT conference_id FROM conferences ORDER BY conference_id LIMIT 1 OFFSET ?",
            (nth,),
        ).fetchone()
        conn.executemany(
            f"INSERT INTO participants ({MEMBER_COLUMNS}) VALUES (?, ?, ?, 3, ?, ?, ?, 1)",
            ((cid, f"p-{i}", f"Person {i}", now, now, now + i) for i in range(count)),
        )
        conn.execute(
            "UPDATE conferences SET active_num = ?, attend_num = ? WHERE conference_id = ?",
            (count, count, cid),
        )
        # Rows loaded behind dingconf's back (here and by run.build): count
        # them as its writes would.
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'member_counts'").fetchone():
            conn.execute(
                "INSERT INTO member_counts (conference_id, members) VALUES (?, ?) "
                "ON CONFLICT (conference_id) DO UPDATE SET members = excluded.members",
                (cid, count),
            )
            conn.execute(
                "UPDATE org_listings SET generation = generation + 1, running = "
                "(SELECT COUNT(*) FROM conferences WHERE corp_id = ? AND status = 2) "
                "WHERE corp_id = ?",
                (CORP, CORP),
            )
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return str(cid)


class Joiner(threading.Thread):
    """Joins new people to a meeting through the control API at a steady rate."""

    def __init__(self, port: int, cid: str, rate: int = JOIN_RATE) -> None:
        super().__init__(daemon=True)
        self._url = f"http://127.0.0.1:{port}/_dingconf/conferences/{cid}/join"
        self._interval = 1 / rate
        self._done = threading.Event()
        self.joined = self.failed = 0

    def run(self) -> None:
        due = time.monotonic()
        while not self._done.is_set():
            body = json.dumps({"unionId": f"w-{time.time_ns()}"}).encode()
            request = urllib.request.Request(
                self._url, data=body, headers={"content-type": "application/json"}
            )
            try:
                with urllib.request.urlopen(request, timeout=10):
                    self.joined += 1
            except OSError:
                self.failed += 1
            due += self._interval
            self._done.wait(max(0.0, due - time.monotonic()))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _load(
    server: Server, script: str, data: Dataset, seconds: int, env: dict[str, str], joins: str
) -> Result:
    """A warmed-up wrk load, with a writer joining people to ``joins`` ("": none)."""
    writer = Joiner(server.port, joins) if joins else None
    if writer:
        writer.start()
    try:
        run_wrk(server.port, script, data, 2, True, env)  # warm-up
        return sampled(server, lambda: run_wrk(server.port, script, data, seconds, True, env))
    finally:
        if writer:
            writer.stop()
            if writer.failed or not writer.joined:
                raise RuntimeError(f"the writer joined {writer.joined}, failed {writer.failed}")


def page_loads(
    start: Callable[[Dataset], Server],
    sets: dict[int, tuple[Dataset, str]],
    seconds: int,
    rounds: int,
) -> list[Row]:
    """The members and org-list pages at 100,000 rows against 100, without and with joins."""
    found: list[Row] = []
    for name, script in (
        ("members page (128)", "members.lua"),
        ("org list page (20)", "orglist.lua"),
    ):
        for writing in (False, True):
            results: dict[int, list[Result]] = {100: [], 100_000: []}
            for _ in range(rounds):
                for size, (data, cid) in sets.items():
                    server = start(data)
                    try:
                        env = {"BENCH_MEETING": cid}
                        load = _load(server, script, data, seconds, env, cid if writing else "")
                        results[size].append(load)
                    finally:
                        server.stop()
            ratios = [b.rps / s.rps for b, s in zip(results[100_000], results[100], strict=True)]
            big = sorted(results[100_000], key=lambda r: r.rps)[len(results[100_000]) // 2]
            small = sorted(results[100], key=lambda r: r.rps)[len(results[100]) // 2]
            during = f", {JOIN_RATE} joins/s" if writing else ""
            found.append(
                (
                    f"{name}{during}, 100,000 rows",
                    big,
                    small,
                    statistics.median(ratios),
                    f"baseline: the same page at 100 rows{during}",
                )
            )
            print(f"  {found[-1][0]}: ratio {found[-1][3]:.2f}", flush=True)
    return found


def query_p99_beside_pages(
    start: Callable[[Dataset], Server], work: Path, seconds: int
) -> dict[int, Result]:
    """QueryConferenceInfo while 4 connections page a meeting's members and a writer
    joins people to it: the meeting has 100 members, then 100,000 (one server, the
    same load; only the data differs)."""
    data = build(f"sqlite:///{work / 'listing-side.sqlite3'}", 10_000, work)
    meetings = {size: add_members(data, size, nth) for nth, size in enumerate((100, 100_000))}
    server = start(data)
    beside: dict[int, Result] = {}
    try:
        run_wrk(server.port, "query.lua", data, 2, True)
        for size, cid in meetings.items():
            writer = Joiner(server.port, cid)
            writer.start()
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
                beside[size] = sampled(
                    server, lambda: run_wrk(server.port, "query.lua", data, seconds, True)
                )
            finally:
                pages.wait()
                writer.stop()
        return beside
    finally:
        server.stop()


Kinds = dict[str, tuple[Callable[[], Coroutine[Any, Any, None]], Any]]


async def _page_kinds(store: "Store", url: str, cid: str) -> Kinds:
    """Each kind of page on ``store``'s data, with the write committed before it."""
    from dingconf.core.records import ConferenceStatus
    from dingconf.listing.pages import ConferencePages
    from dingconf.listing.records import ConferenceFilter

    running = ConferenceFilter(status=ConferenceStatus.STARTED)
    pages = ConferencePages(store)
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        (total,) = conn.execute(
            "SELECT COUNT(*) FROM participants WHERE conference_id = ?", (cid,)
        ).fetchone()
        key = conn.execute(
            "SELECT listed_at, union_id FROM participants WHERE conference_id = ? "
            "ORDER BY listed_at, union_id LIMIT 1 OFFSET ?",
            (cid, total - 129),
        ).fetchone()
    template = await store.get_conference(CORP, cid)
    assert template is not None
    seq = iter(range(10**9))

    async def join() -> None:
        n = next(seq)
        async with store.write() as tx:
            locked = await MeetingTables(tx.conn, tx.row_lock).lock_any(cid)
            assert locked is not None
            await record_join(tx, locked, f"cpu-{n}", "x", int(time.time() * 1000))

    async def create() -> None:
        n = next(seq)
        async with store.write() as tx:
            made = template._replace(conference_id=f"{n:024x}", room_code=str(9 * 10**10 + n))
            await insert_conference(tx, made, [], "u-1")

    def deep_members_page() -> Coroutine[Any, Any, object]:
        # As a client holding the previous page's token asks for it.
        return MemberTables(store.reader).page(CORP, cid, total - 128, 128, (key[0], key[1]))

    return {
        "members page 1 (128), a join between pages": (
            join,
            lambda: MemberTables(store.reader).page(CORP, cid, 0, 128),
        ),
        "members page at offset n-128 (128), a join between pages": (join, deep_members_page),
        "org list page 1 (20), a join between pages": (
            join,
            lambda: pages.page(CORP, running, 0, 20),
        ),
        "org list page 1 (20), a meeting created between pages": (
            create,
            lambda: pages.page(CORP, running, 0, 20),
        ),
    }


async def _cpu_figures(sets: dict[int, tuple[Dataset, str]]) -> dict[int, dict[str, float]]:
    """Median CPU µs of one page of each kind at each size, with a write committed
    before each page. The sizes take turns page by page, so that a drift of this
    shared machine's speed weighs on both alike."""
    from dingconf.app import open_store

    stores = {size: open_store(data.url) for size, (data, _) in sets.items()}
    try:
        kinds = {}
        for size, (data, cid) in sets.items():
            await stores[size].open()
            kinds[size] = await _page_kinds(stores[size], data.url, cid)
        spent: dict[int, dict[str, list[float]]] = {size: {} for size in sets}
        for name in kinds[next(iter(sets))]:
            for _ in range(CPU_PAGES):
                for size in sets:
                    write, page = kinds[size][name]
                    await write()
                    started = time.process_time_ns()
                    await page()
                    elapsed = (time.process_time_ns() - started) / 1000
                    spent[size].setdefault(name, []).append(elapsed)
        return {
            size: {name: statistics.median(times) for name, times in by_name.items()}
            for size, by_name in spent.items()
        }
    finally:
        for store in stores.values():
            await store.close()


def cpu_per_page(sets: dict[int, tuple[Dataset, str]]) -> list[tuple[str, float, float]]:
    """(page, µs at 100 rows, µs at 100,000 rows), measured in this process."""
    at = asyncio.run(_cpu_figures(sets))
    return [(name, at[100][name], at[100_000][name]) for name in at[100]]


def data_sets(work: Path) -> dict[int, tuple[Dataset, str]]:
    """The small and the big data set, each with its meeting of as many members."""
    sets = {}
    for size in (100, 100_000):
        data = build(f"sqlite:///{work / f'listing-{size}.sqlite3'}", size, work)
        sets[size] = (data, add_members(data, size))
    return sets


def listing_rows(
    start: Callable[[Dataset], Server], work: Path, seconds: int, rounds: int
) -> list[Row]:
    """Section 6 of the bench: the CPU table printed, the load rows returned."""
    sets = data_sets(work)
    print_cpu(cpu_per_page(sets))
    found = page_loads(start, sets, seconds, rounds)
    beside = query_p99_beside_pages(start, work, seconds)
    found.append(
        (
            f"query while 4 connections page 100,000 members, {JOIN_RATE} joins/s",
            beside[100_000],
            beside[100],
            beside[100_000].rps / beside[100].rps,
            "baseline: the same beside paging 100 members; compare the p99s",
        )
    )
    return found


def print_cpu(figures: list[tuple[str, float, float]]) -> None:
    """The in-process table."""
    print("\n| page (in-process CPU, median) | µs at 100 rows | µs at 100,000 rows | ratio |")
    print("|---|---:|---:|---:|")
    for name, small, big in figures:
        print(f"| {name} | {small:,.0f} | {big:,.0f} | {big / small:.2f} |")
    print(flush=True)


def print_rows(rows: list[Row]) -> None:
    """The load rows, in the columns of run.py's table."""
    print(
        "| workload | req/s | p50 ms | p99 ms | errors | 100-row req/s | 100-row p99 ms | ratio "
        "| note |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, ours, base, ratio, note in rows:
        print(
            f"| {name} | {ours.rps:,.0f} | {ours.p50_ms:.2f} | {ours.p99_ms:.2f} | {ours.errors} "
            f"| {base.rps:,.0f} | {base.p99_ms:.2f} | {ratio:.2f} | {note} |"
        )


def main(argv: list[str] | None = None) -> None:
    """Section 6 alone: ``bench/listings.py [--duration 8] [--rounds 3] [--cpu-only]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per load")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per figure")
    parser.add_argument("--cpu-only", action="store_true", help="only the in-process figures")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dingconf-bench-") as tmp:
        work = Path(tmp)
        if args.cpu_only:
            print_cpu(cpu_per_page(data_sets(work)))
            return
        rows = listing_rows(lambda d: dingconf(d, work), work, args.duration, args.rounds)
    print_rows(rows)


if __name__ == "__main__":
    sys.exit(main())
