"""dingconf's benchmark suite: bounded loads on 127.0.0.1, ratios against a baseline.

    make bench            # or: .venv/bin/python bench/run.py [--duration 8] [--rounds 3]

Every dingconf figure is compared with a baseline measured in the same run on
the same server software (granian) and the same database: ``raw_app.py``, a
minimal ASGI app doing the same token and meeting lookups and returning the
same bytes. The server gets core 0 and wrk core 1, so they do not compete.
In each round both servers run at once and take turns under load in short
slices (``interleaved``), so that a drift of the machine's speed weighs on
both alike; req/s and latencies are the median of the rounds', ratios the
median of the rounds' ratios, because these machines are noisy.
"""

import argparse
import json
import os
import platform
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

import psycopg

from dingconf.testing.plugin import free_port

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))
from backends import throwaway_cluster  # noqa: E402 (the tests' throwaway cluster)

BIN = Path(sys.executable).parent
CORP, APP_KEY, APP_SECRET = "dingbench", "bench-app", "bench-secret"
SEED = {
    "orgs": [
        {
            "corpId": CORP,
            "users": [{"unionId": f"u-{i}", "nick": f"User {i}"} for i in range(1, 21)],
            "apps": [{"appKey": APP_KEY, "appSecret": APP_SECRET}],
        }
    ]
}
SAMPLE = 10_000  # meetings queried, spread over the whole table, in every data-size workload
# Meetings queried when every read should miss dingconf's per-process meeting
# cache (10,000 entries): twenty times as many.
WIDE_SAMPLE = 200_000
TOKEN_HEADER = "x-acs-dingtalk-access-token"


@dataclass
class Result:
    """What one wrk load measured."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int = 0
    server_cores: float = 0.0  # CPU time the server's processes used / wall time
    wrk_cores: float = 0.0  # the same for the load generator


def typical(
    runs: list[Result], average: Callable[[list[float]], float] = statistics.median
) -> Result:
    """Each figure's ``average`` over ``runs`` (errors: their sum): over rounds the
    median, so one lucky or unlucky round moves none of them; over one round's
    slices the mean (:func:`interleaved`)."""
    return Result(
        average([r.rps for r in runs]),
        average([r.p50_ms for r in runs]),
        average([r.p99_ms for r in runs]),
        sum(r.errors for r in runs),
        average([r.server_cores for r in runs]),
        average([r.wrk_cores for r in runs]),
    )


@dataclass
class Dataset:
    """A seeded database, a token for it and the file of meeting ids to query."""

    url: str
    token: str
    ids: Path


def ensure_wrk() -> None:
    """wrk from Debian, installed when missing."""
    if shutil.which("wrk") is None:
        print("installing wrk (apt-get)...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(
    port: int,
    script: str,
    data: Dataset,
    seconds: int,
    pinned: bool,
    extra_env: dict[str, str] | None = None,
) -> Result:
    cmd = [
        "wrk",
        "-t1",
        "-c64",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(BENCH / script),
        f"http://127.0.0.1:{port}",
    ]
    if pinned:
        cmd = ["taskset", "-c", "1", *cmd]
    env = {**os.environ, "BENCH_IDS": str(data.ids), "BENCH_TOKEN": data.token, **(extra_env or {})}
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True).stdout
    after, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic() - started
    wrk_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    # The "Latency Distribution" lines, not percentages elsewhere in the report.
    p50 = re.search(r"^\s+50%\s+(\S+)\s*$", out, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)\s*$", out, re.MULTILINE)
    if not (rps and p50 and p99):
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return Result(
        float(rps.group(1)),
        _ms(p50.group(1)),
        _ms(p99.group(1)),
        int(errors.group(1)) if errors else 0,
        wrk_cores=wrk_cpu / wall,
    )


class Server:
    """A server process on 127.0.0.1, optionally pinned to core 0."""

    def __init__(self, cmd: list[str], env: dict[str, str], cwd: Path, pinned: bool) -> None:
        self.port = free_port()
        cmd = [part.replace("{port}", str(self.port)) for part in cmd]
        self.proc = subprocess.Popen(
            ["taskset", "-c", "0", *cmd] if pinned else cmd,
            cwd=cwd,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1)
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start: {cmd}")

    def get(self, path: str, token: str) -> bytes:
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers={TOKEN_HEADER: token}
        )
        with urllib.request.urlopen(req) as resp:
            return bytes(resp.read())

    def _processes(self) -> list[str]:
        """The server's process and all its descendants (granian's workers)."""
        found, pending = [], [str(self.proc.pid)]
        while pending:
            pid = pending.pop()
            found.append(pid)
            pending += subprocess.run(
                ["pgrep", "-P", pid], capture_output=True, text=True
            ).stdout.split()
        return found

    def peak_rss_mb(self) -> list[float]:
        """Peak resident memory (VmHWM) of each process serving requests."""
        peaks = []
        for pid in self._processes():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            peak = re.search(r"VmHWM:\s+(\d+)", status)
            if peak:
                peaks.append(int(peak.group(1)) / 1024)
        return peaks

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server's processes have used so far."""
        ticks = 0
        for pid in self._processes():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except FileNotFoundError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


#: dingconf with its per-request records off: what the access log and the journal cost.
UNRECORDED = ("--access-log", "off", "--journal-size", "0")


def dingconf(
    data: Dataset,
    workdir: Path,
    workers: int = 1,
    pinned: bool = True,
    options: tuple[str, ...] = (),
) -> Server:
    return Server(
        [
            str(BIN / "dingconf"),
            "serve",
            "--port",
            "{port}",
            "--database",
            data.url,
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            *options,
        ],
        {},
        workdir,
        pinned,
    )


def granian_app(app: str, env: dict[str, str], pinned: bool = True) -> Server:
    """A reference ASGI ``app`` (``module:name`` in bench/) on the same granian set-up."""
    command = ["--interface", "asgi", "--loop", "uvloop", "--port", "{port}"]
    return Server(
        [str(BIN / "granian"), *command, "--log-level", "warning", app], env, BENCH, pinned
    )


def raw(data: Dataset, pinned: bool = True) -> Server:
    """The raw app: the same token and meeting reads, the same bytes."""
    return granian_app("raw_app:app", {"RAW_APP_DB": data.url.removeprefix("sqlite:///")}, pinned)


def mixed_reference(data: Dataset, pinned: bool = True) -> Server:
    """The mixed load's reference: the read reference and the same-work write reference
    behind one app (``raw_mixed.py``)."""
    return granian_app("raw_mixed:app", {"RAW_APP_DB": data.url.removeprefix("sqlite:///")}, pinned)


def ceiling(body: Path, pinned: bool = True) -> Server:
    """granian answering ``body``'s bytes to every request: the stack's ceiling."""
    return granian_app("raw_app:ceiling", {"RAW_APP_CEILING": str(body)}, pinned)


def meeting_rows(count: int, now_ms: int) -> list[tuple[object, ...]]:
    rows = []
    for i in range(count):
        code = str(10**10 + i)
        rows.append(
            (
                f"{now_ms // 1000:08x}{i:016x}",
                CORP,
                f"Meeting {i}",
                "0",
                2,
                code,
                f"http://127.0.0.1/app?roomCode={code}",
                "u-1",
                "User 1",
                "u-1",
                now_ms,
            )
        )
    return rows


def load(url: str, meetings: int, workdir: Path) -> list[tuple[object, ...]]:
    """Seed ``url`` through dingconf, then bulk-load ``meetings`` live meetings into
    it; the meetings' rows."""
    seed = workdir / "seed.json"
    seed.write_text(json.dumps(SEED))
    subprocess.run(
        [str(BIN / "dingconf"), "seed", str(seed), "--database", url],
        check=True,
        capture_output=True,
    )
    insert = (
        "INSERT INTO conferences (conference_id, corp_id, title, biz_type, status, "
        "room_code, external_link_url, creator_id, creator_nick, host_id, start_time) "
        "VALUES ({})"
    )
    rows = meeting_rows(meetings, int(time.time() * 1000))
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.executemany(insert.format(", ".join("?" * 11)), rows)
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        with psycopg.connect(url) as conn, conn.cursor() as cur:
            cur.executemany(insert.format(", ".join(["%s"] * 11)), rows)
    return rows


def build(url: str, meetings: int, workdir: Path, sample: int = SAMPLE) -> Dataset:
    """Seed a database through dingconf, then bulk-load live meetings into it."""
    rows = load(url, meetings, workdir)
    ids = sample_ids(rows, sample, workdir / f"ids-{abs(hash(url))}.txt")
    server = dingconf(Dataset(url, "", ids), workdir)
    try:
        req = urllib.request.Request(
            f"http://127.0.0.1:{server.port}/v1.0/oauth2/accessToken",
            method="POST",
            data=json.dumps({"appKey": APP_KEY, "appSecret": APP_SECRET}).encode(),
        )
        token = json.loads(urllib.request.urlopen(req).read())["accessToken"]
    finally:
        server.stop()
    return Dataset(url, token, ids)


def sample_ids(rows: list[tuple[object, ...]], count: int, path: Path) -> Path:
    """Write ``count`` meeting ids spread evenly over the table to ``path``."""
    step = max(1, len(rows) // count)
    path.write_text("".join(f"{rows[i][0]}\n" for i in range(0, len(rows), step)))
    return path


def polled(data: Dataset, workdir: Path) -> Dataset:
    """The same data, one meeting queried over and over."""
    path = workdir / "polled.txt"
    path.write_text(data.ids.read_text().split()[0] + "\n")
    return Dataset(data.url, data.token, path)


def every_meeting(data: Dataset, workdir: Path) -> Dataset:
    """The same data, each query for any of its meetings at random."""
    target = data.url.removeprefix("sqlite:///")
    with sqlite3.connect(target) as conn:
        rows = conn.execute("SELECT conference_id FROM conferences").fetchall()
    path = workdir / f"all-{len(rows)}.txt"
    return Dataset(data.url, data.token, sample_ids(rows, len(rows), path))


def answer_bytes(data: Dataset, workdir: Path) -> Path:
    """A file holding dingconf's answer to one query of ``data`` (the ceiling's body)."""
    server = dingconf(data, workdir)
    try:
        body = server.get(
            "/v1.0/conference/videoConferences/" + data.ids.read_text().split()[0], data.token
        )
    finally:
        server.stop()
    path = workdir / "answer.json"
    path.write_bytes(body)
    return path


def wide(data: Dataset, workdir: Path) -> Dataset:
    """The same data queried over WIDE_SAMPLE ids, too many for the meeting cache."""
    target = data.url.removeprefix("sqlite:///")
    with sqlite3.connect(target) as conn:
        rows = conn.execute("SELECT conference_id FROM conferences").fetchall()
    return Dataset(data.url, data.token, sample_ids(rows, WIDE_SAMPLE, workdir / "wide.txt"))


def measure(
    start: Callable[[], Server], script: str, data: Dataset, seconds: int, pinned: bool = True
) -> tuple[Result, list[float]]:
    server = start()
    try:
        run_wrk(server.port, script, data, 2, pinned)  # warm-up
        result = sampled(server, lambda: run_wrk(server.port, script, data, seconds, pinned))
        return result, server.peak_rss_mb()
    finally:
        server.stop()


#: Turns each side of a pair takes per round (in the order ABBA ABBA ...).
SLICES = 4


def interleaved(
    start_base: Callable[[], Server],
    start_ours: Callable[[], Server],
    base_script: str,
    script: str,
    data: Dataset,
    seconds: int,
) -> tuple[Result, Result, list[float]]:
    """One round of a pair: the baseline and dingconf both up, each warmed, then
    loaded in turn for about ``seconds`` each, in :data:`SLICES` slices, in ABBA
    order so that a drift of this shared machine's speed over the round weighs on
    both alike (back-to-back runs of the whole duration let one side meet a
    slower machine than the other). Each side's req/s is the mean of its slices
    (all the same length), its p50 and p99 the mean of its slices' (a pause in
    one slice still shows), its cores and errors over all of them. Also returns
    dingconf's peak memory."""
    slice_s = max(1, round(seconds / SLICES))
    with ExitStack() as running:
        servers: list[Server] = []
        for start, load in ((start_base, base_script), (start_ours, script)):
            servers.append(start())
            running.callback(servers[-1].stop)
            run_wrk(servers[-1].port, load, data, 2, True)  # warm-up
        slices: tuple[list[Result], list[Result]] = ([], [])
        for turn in range(2 * SLICES):
            side = 1 if turn % 4 in (1, 2) else 0
            load = (base_script, script)[side]
            wrk = partial(run_wrk, servers[side].port, load, data, slice_s, True)
            slices[side].append(sampled(servers[side], wrk))
        base, ours = (typical(runs, statistics.mean) for runs in slices)
        return base, ours, servers[1].peak_rss_mb()


def sampled(server: Server, load: Callable[[], Result]) -> Result:
    """``load``'s result with the server cores it used while it ran."""
    cpu, started = server.cpu_seconds(), time.monotonic()
    result = load()
    return replace(result, server_cores=(server.cpu_seconds() - cpu) / (time.monotonic() - started))


def same_bytes(data: Dataset, workdir: Path) -> bool:
    """dingconf and the baseline answer one query with identical bodies."""
    path = "/v1.0/conference/videoConferences/" + data.ids.read_text().split()[0]
    ours, base = dingconf(data, workdir), raw(data)
    try:
        return ours.get(path, data.token) == base.get(path, data.token)
    finally:
        ours.stop()
        base.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per load")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per figure")
    parser.add_argument("--large", type=int, default=1_000_000, help="meetings in the large set")
    parser.add_argument(
        "--only",
        choices=("all", "read", "listings"),
        default="all",
        help="read: only the query rows (polled, ceiling, random, data size, PostgreSQL); "
        "listings: only the listing pages",
    )
    args = parser.parse_args()
    everything = args.only == "all"
    ensure_wrk()
    if args.only == "listings":
        from listings import main as listings_alone

        listings_alone(["--duration", str(args.duration), "--rounds", str(args.rounds)])
        return
    # name, dingconf's median run, the baseline's median run, the median paired ratio, note
    rows: list[tuple[str, Result, Result | None, float | None, str]] = []
    memory: dict[str, list[float]] = {}
    core_ratios: dict[str, float] = {}  # median per-core ratio of each pair

    def pair(
        name: str,
        data: Dataset,
        work: Path,
        script: str = "query.lua",
        note: str = "",
        baseline: Callable[[], Server] | None = None,
        options: tuple[str, ...] = (),
        base_script: str = "query.lua",
    ) -> Result:
        base_runs, ours_runs = [], []
        start_baseline = baseline or (lambda: raw(data))
        for _ in range(args.rounds):
            base_run, ours_run, memory[name] = interleaved(
                start_baseline,
                lambda: dingconf(data, work, options=options),
                base_script,
                script,
                data,
                args.duration,
            )
            base_runs.append(base_run)
            ours_runs.append(ours_run)
        # The median of the rounds' ratios, each from interleaved slices, cancels
        # this shared machine's drifts better than comparing the medians of each.
        ratios = [o.rps / b.rps for o, b in zip(ours_runs, base_runs, strict=True)]
        base, ours = typical(base_runs), typical(ours_runs)
        rows.append((name, ours, base, statistics.median(ratios), note))
        # On a machine others use too, the server's core is not always its
        # own: req/s per CPU-second the server got says what the code costs.
        per_core = [
            (o.rps / o.server_cores) / (b.rps / b.server_cores)
            for o, b in zip(ours_runs, base_runs, strict=True)
            if o.server_cores and b.server_cores
        ]
        if per_core:
            core_ratios[name] = statistics.median(per_core)
        print(
            f"  {name}: {ours.rps:,.0f} req/s, baseline {base.rps:,.0f}, "
            f"round ratios {', '.join(f'{r:.2f}' for r in ratios)}, "
            f"per server core {', '.join(f'{r:.2f}' for r in per_core)}, "
            f"p99 {', '.join(f'{o.p99_ms:.2f}' for o in ours_runs)} ms "
            f"(baseline {', '.join(f'{b.p99_ms:.2f}' for b in base_runs)})",
            flush=True,
        )
        return ours

    def mixed_and_workers() -> None:
        print("3. mixed load", flush=True)
        pair(
            "mixed: 90% query, 10% join/leave/create/close",
            small,
            work,
            "mixed.lua",
            "baseline: the same mixture against the same-work references (raw_mixed.py)",
            baseline=lambda: mixed_reference(small),
            base_script="mixed.lua",
        )
        print("4. workers (unpinned: server and wrk share both cores)", flush=True)
        one = typical(
            [
                measure(
                    lambda: dingconf(small, work, 1, False),
                    "query.lua",
                    small,
                    args.duration,
                    False,
                )[0]
                for _ in range(args.rounds)
            ]
        )
        two_runs = []
        for _ in range(args.rounds):
            result, memory["2 workers"] = measure(
                lambda: dingconf(small, work, 2, False), "query.lua", small, args.duration, False
            )
            two_runs.append(result)
        two = typical(two_runs)
        # With wrk on the same two cores the workers cannot get a core each;
        # req/s per core the server used shows whether they scale with cores.
        per_core = [r.rps / r.server_cores if r.server_cores else 0.0 for r in (one, two)]
        rows.append(
            ("query, 1 worker, unpinned", one, None, None, f"{per_core[0]:,.0f} req/s per core")
        )
        rows.append(
            (
                "query, 2 workers, unpinned",
                two,
                None,
                None,
                f"{two.rps / one.rps:.2f}x 1 worker; {per_core[1]:,.0f} req/s per core",
            )
        )

    def listings() -> None:
        print("6. listings over big data (a page at 100 rows vs at 100,000)", flush=True)
        from listings import listing_rows

        rows.extend(listing_rows(lambda d: dingconf(d, work), work, args.duration, args.rounds))

    with tempfile.TemporaryDirectory(prefix="dingconf-bench-") as tmp:
        work = Path(tmp)
        print("building data sets...", flush=True)
        small = build(f"sqlite:///{work / 'small.sqlite3'}", 10_000, work)
        large = build(f"sqlite:///{work / 'large.sqlite3'}", args.large, work)
        print(f"  same bytes as the baseline: {same_bytes(small, work)}", flush=True)

        print("1. QueryConferenceInfo, 64 connections, 1 worker", flush=True)
        pair("query, 10k meetings", small, work)
        one = polled(small, work)
        answer = answer_bytes(one, work)
        pair("query, one meeting polled", one, work, note="the meeting cache's best case")
        pair(
            "query, one meeting polled, vs the ceiling",
            one,
            work,
            note=f"baseline: granian answering the same {answer.stat().st_size} bytes",
            baseline=lambda: ceiling(answer),
        )
        ceiling_result = rows[-1][2]
        if ceiling_result is not None:  # its own figures, for the table
            rows.append(("ceiling: constant bytes", ceiling_result, None, None, "no app work"))
        print("2. data size", flush=True)
        middle = every_meeting(build(f"sqlite:///{work / 'middle.sqlite3'}", 20_000, work), work)
        pair("query, 20,000 meetings at random", middle, work)
        pair(
            "query, 20,000 meetings at random, access log and journal off",
            middle,
            work,
            note="what the two per-request records cost",
            options=UNRECORDED,
        )
        pair(f"query, {args.large:,} meetings", large, work)
        pair(
            f"query, {args.large:,} meetings at random",
            every_meeting(large, work),
            work,
            note="beyond the meeting cache",
        )
        pair(
            f"query, {args.large:,} meetings, {WIDE_SAMPLE:,} ids",
            wide(large, work),
            work,
            note="beyond the meeting cache",
        )
        # The data-size criterion compares dingconf with itself: alternate the two
        # sizes round by round and take the median ratio.
        size_ratios = []
        for _ in range(args.rounds if everything else 0):
            on_small = measure(lambda: dingconf(small, work), "query.lua", small, args.duration)
            on_large = measure(lambda: dingconf(large, work), "query.lua", large, args.duration)
            size_ratios.append(on_large[0].rps / on_small[0].rps)
        print(
            f"  {args.large:,} vs 10k, round ratios {', '.join(f'{r:.2f}' for r in size_ratios)}",
            flush=True,
        )
        if everything:
            mixed_and_workers()
        print("5. PostgreSQL", flush=True)
        with throwaway_cluster() as cluster:
            pg = build(cluster.new_database(), 10_000, work)
            print(f"  same bytes as the baseline: {same_bytes(pg, work)}", flush=True)
            pair(
                "query, 10k meetings, PostgreSQL", pg, work, note="baseline: raw app on PostgreSQL"
            )

        if everything:
            listings()

    print()
    print(
        f"machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}; wrk -t1 -c64, {args.duration}s per load, "
        f"{args.rounds} rounds (every figure: median of rounds)"
    )
    print()
    print(
        "| workload | req/s | p50 ms | p99 ms | errors (all rounds) "
        "| baseline req/s | baseline p99 ms | ratio | ratio per server core "
        "| server cores | wrk cores | note |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, ours, base, ratio, note in rows:
        base_rps = f"{base.rps:,.0f}" if base else "-"
        base_p99 = f"{base.p99_ms:.2f}" if base else "-"
        print(
            f"| {name} | {ours.rps:,.0f} | {ours.p50_ms:.2f} | {ours.p99_ms:.2f} "
            f"| {ours.errors} | {base_rps} | {base_p99} "
            f"| {'-' if ratio is None else f'{ratio:.2f}'} "
            f"| {f'{core_ratios[name]:.2f}' if name in core_ratios else '-'} "
            f"| {ours.server_cores:.2f} | {ours.wrk_cores:.2f} | {note} |"
        )
    print()
    if size_ratios:
        print(
            f"{args.large:,} vs 10k meetings: {statistics.median(size_ratios):.2f}x req/s "
            "(median of rounds alternating the two)"
        )
    for name, peaks in memory.items():
        print(f"peak RSS, {name}: " + ", ".join(f"{p:.0f} MB" for p in peaks))


if __name__ == "__main__":
    main()
