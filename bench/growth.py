"""Long churn: how the outbox, the WAL and the server's memory grow, and whether delivery keeps up.

    .venv/bin/python bench/growth.py --backend sqlite [--ops 50000] [--meetings 500]
    .venv/bin/python bench/growth.py --backend postgres

One dingconf process on 127.0.0.1 (a throwaway PostgreSQL cluster for
``postgres``), one organisation with two apps: ``push-app``, which created
every meeting and has an HTTP push receiver (in this process), and
``silent-app``, which never connects. ``--ops`` joins and leaves over the
control API (four threads, round robin over ``--meetings`` meetings, 50
people each), then ``--after`` seconds of quiet. Printed as it goes: rows of
``events`` and ``event_deliveries``, the WAL's size (SQLite), the resident
memory of the server's processes, the push backlog; at the end the events
listing (first page, then every page) in bytes and seconds. ``--kill``
kills the server (-9) as the churn ends and times its restart. The server runs
with ``--event-retention`` (default 60 s here, a day by default) so that
pruning shows within the run. Bounded: the churn stops at ``--max-seconds``.
"""

import argparse
import contextlib
import itertools
import re
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dingconf.testing.plugin import DingconfServer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from over_http import new_meeting
from push_receiver import AES_KEY, TOKEN, PushReceiver

from backends import throwaway_cluster

PUSH_APP, SILENT_APP = "push-app", "silent-app"
PEOPLE = 50
SEED = {
    "orgs": [
        {
            "corpId": "dinggrowth",
            "users": [{"unionId": "u-host", "nick": "Host"}],
            "apps": [
                {"appKey": PUSH_APP, "appSecret": "push-secret"},
                {"appKey": SILENT_APP, "appSecret": "silent-secret"},
            ],
        }
    ]
}


@contextlib.contextmanager
def database(backend: str, tmp: Path) -> Iterator[str]:
    """An empty database URL of the backend, gone afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'growth.sqlite3'}"
        return
    with throwaway_cluster() as cluster:
        yield cluster.new_database()


class Probe:
    """Reads row counts and the push backlog straight from the database."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _rows(self, sql: str) -> list[tuple[object, ...]]:
        if self.url.startswith("sqlite"):
            path = self.url.removeprefix("sqlite:///")
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
            try:
                return conn.execute(sql).fetchall()
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.url) as conn:
            return list(conn.execute(sql).fetchall())

    def counts(self) -> dict[str, int]:
        """Rows of the outbox tables and deliveries per app and state."""
        found = {
            "events": int(str(self._rows("SELECT count(*) FROM events")[0][0])),
            "event_deliveries": int(str(self._rows("SELECT count(*) FROM event_deliveries")[0][0])),
        }
        for app, state, n in self._rows(
            "SELECT app_key, state, count(*) FROM event_deliveries GROUP BY app_key, state"
        ):
            found[f"{app}.{state}"] = int(str(n))
        return found

    def wal_mb(self) -> float | None:
        if not self.url.startswith("sqlite"):
            return None
        wal = Path(self.url.removeprefix("sqlite:///") + "-wal")
        return wal.stat().st_size / 1e6 if wal.exists() else 0.0


def rss_mb(server: DingconfServer) -> str:
    """Resident memory of each of the server's processes (the granian parent, its worker),
    and of it the heap (anonymous memory; the rest is mapped files, SQLite's among them)."""
    total, heap = [], []
    for pid in server.process_tree():
        with contextlib.suppress(FileNotFoundError):
            status = Path(f"/proc/{pid}/status").read_text()
            for field, into in (("VmRSS", total), ("RssAnon", heap)):
                found = re.search(rf"{field}:\s+(\d+)", status)
                into.append(f"{int(found.group(1)) / 1024:.0f}" if found else "?")
    return f"{'+'.join(total)} MB (heap {'+'.join(heap)} MB)"


def report(label: str, server: DingconfServer, probe: Probe, started: float) -> dict[str, int]:
    counts = probe.counts()
    wal = probe.wal_mb()
    print(
        f"[{time.monotonic() - started:7.1f} s] {label}: rss {rss_mb(server)}"
        + (f", wal {wal:.1f} MB" if wal is not None else "")
        + ", "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
        flush=True,
    )
    return counts


def slowest_health(server: DingconfServer, stop: threading.Event) -> list[float]:
    """Seconds of each ``GET /_dingconf/health`` until ``stop``: another client's wait."""
    waits: list[float] = []

    def probe() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            with urllib.request.urlopen(f"{server.url}/_dingconf/health", timeout=60) as reply:
                reply.read()
            waits.append(time.perf_counter() - t0)
            time.sleep(0.01)

    threading.Thread(target=probe, daemon=True).start()
    return waits


def listing(server: DingconfServer, app: str) -> None:
    """The events listing of an app: the first page, then every page, and another client's wait."""
    stop = threading.Event()
    waits = slowest_health(server, stop)
    walked, pages, started, token = 0, 0, time.perf_counter(), ""
    first: tuple[int, float] | None = None
    while True:
        t0 = time.perf_counter()
        url = f"{server.url}/_dingconf/events?appKey={app}&nextToken={token}"
        with urllib.request.urlopen(url, timeout=120) as reply:
            raw = reply.read()
        if first is None:
            first = (len(raw), time.perf_counter() - t0)
        walked += len(raw)
        pages += 1
        token = re.search(rb'"nextToken":"([^"]*)"', raw).group(1).decode()  # type: ignore[union-attr]
        if not token:
            break
    stop.set()
    print(
        f"listing {app}: first page {first[0] / 1e3:.0f} kB in {first[1] * 1000:.0f} ms; "
        f"all {pages} pages {walked / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s; "
        f"a health check meanwhile took at most {max(waits, default=0) * 1000:.0f} ms",
        flush=True,
    )


def churn(server: DingconfServer, meetings: list[str], ops: int, deadline: float) -> int:
    """``ops`` joins and leaves, round robin over the meetings; how many ran before ``deadline``."""
    # Each meeting: its 50 people join, then leave, again and again.
    plan = ((i % len(meetings), (i // len(meetings)) % (2 * PEOPLE)) for i in range(ops))
    lock, done = threading.Lock(), itertools.count()
    ran = [0]

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                step = next(plan, None)
            if step is None:
                return
            meeting, k = step
            cid, who = meetings[meeting], f"u-{k % PEOPLE}"
            if k < PEOPLE:
                server.participants.join(cid, who)
            else:
                server.participants.leave(cid, who)
            ran[0] = next(done) + 1

    with ThreadPoolExecutor(4) as pool:
        for _ in range(4):
            pool.submit(worker)
    return ran[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--ops", type=int, default=50_000)
    parser.add_argument("--meetings", type=int, default=500)
    parser.add_argument("--after", type=float, default=120.0)
    parser.add_argument("--retention", type=float, default=60.0)
    parser.add_argument("--max-seconds", type=float, default=3600.0)
    parser.add_argument("--kill", action="store_true", help="kill -9 and restart after the churn")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="dingconf-bench-growth-") as tmp,
        database(args.backend, Path(tmp)) as url,
        PushReceiver(PUSH_APP) as receiver,
    ):
        extra = ("--event-retention", str(args.retention), "--access-log", "off")
        server = DingconfServer(Path(tmp), seed=SEED, database=url, extra_args=extra).start()
        probe = Probe(url)
        try:
            status, _, body = server.request(
                "PUT",
                f"/_dingconf/apps/{PUSH_APP}/push",
                {"url": receiver.url, "token": TOKEN, "aesKey": AES_KEY},
            )
            assert status == 200, body
            token = server.token(PUSH_APP, "push-secret")
            started = time.monotonic()
            meetings = [new_meeting(server, token, f"m{i}") for i in range(args.meetings)]
            report("meetings created", server, probe, started)
            stop = threading.Event()

            def sample() -> None:
                while not stop.wait(30):
                    report("churn", server, probe, started)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            churn_started = time.monotonic()
            ran = churn(server, meetings, args.ops, started + args.max_seconds)
            churn_s = time.monotonic() - churn_started
            stop.set()
            sampler.join()
            print(f"churn: {ran} joins/leaves in {churn_s:.0f} s ({ran / churn_s:.0f}/s)")
            at_end = report("churn over", server, probe, started)
            if args.kill:
                # kill -9 mid-load: the restart replays whatever the WAL holds.
                wal = probe.wal_mb()
                server.kill()
                t0 = time.monotonic()
                server.start(timeout_s=120)
                print(
                    f"kill -9 and restart: answering again after {time.monotonic() - t0:.1f} s"
                    + (f" (WAL {wal:.1f} MB at the kill)" if wal is not None else ""),
                    flush=True,
                )
            listing(server, SILENT_APP)
            listing(server, PUSH_APP)
            quiet_started = time.monotonic()
            while time.monotonic() - quiet_started < args.after:
                time.sleep(min(20.0, args.after - (time.monotonic() - quiet_started)))
                report(f"{time.monotonic() - quiet_started:.0f} s after", server, probe, started)
            after = probe.counts()
            delivered = after.get(f"{PUSH_APP}.delivered", 0)
            print(
                f"push backlog {args.after:.0f} s after the churn: "
                f"{after.get(f'{PUSH_APP}.pending', 0)} pending "
                f"(at the churn's end {at_end.get(f'{PUSH_APP}.pending', 0)}); "
                f"receiver got {len(receiver.received)} pushes; delivered rows kept {delivered}"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
