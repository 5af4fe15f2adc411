"""dingconf's benchmark suite: bounded loads on 127.0.0.1, ratios against references.

    make bench            # or: .venv/bin/python bench/run.py [--duration 4] [--rounds 3]

Every dingconf figure is compared with references measured in the same run on
the same server software (granian) and the same database. The target of the
query rows is ``raw_app:recorded``, the same-work reference: a raw ASGI app
doing the same token and meeting lookups, returning the same bytes, and
keeping the same two records dingconf keeps by default (the access-log line
on stderr, a journal of the last 1,000 calls with their bodies). The plain
raw app (no records) and the ceiling (granian answering constant bytes) are
context. The meetings are created through dingconf's API (a creator,
invitees, two of them joined), as users have them; only the set beyond the
meeting cache is bulk-loaded. The server gets core 0 and wrk core 1, so they
do not compete. All the servers of a row start once and run at once; in each
round they take turns under load in short slices (``taking_turns``), so that
a drift of the machine's speed weighs on all alike; req/s and latencies are the median of
the rounds', ratios the median of the rounds' ratios, because these machines
are noisy.
"""

import argparse
import asyncio
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


def recorded(data: Dataset, pinned: bool = True) -> Server:
    """The same-work reference: the raw app, also writing the access log and the journal."""
    return granian_app(
        "raw_app:recorded", {"RAW_APP_DB": data.url.removeprefix("sqlite:///")}, pinned
    )


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


#: Each meeting the bench builds: its creator, the people invited (the creator
#: rings too) and the people who then join (the creator and one invitee).
INVITED, JOINING = 3, 2
_AT_ONCE = 16


async def _through_the_api(url: str, meetings: int) -> list[str]:
    """Create ``meetings`` meetings through dingconf's API, in process (no HTTP
    server: the same handlers, without the sockets), as users have them: each
    created by one of the organisation's users, ringing :data:`INVITED` others,
    then joined by its creator and the first invitee. Their ids, in order."""
    sys.path.insert(0, str(BENCH.parent / "tests"))
    from in_process import InProcessApp

    users = [user["unionId"] for user in SEED["orgs"][0]["users"]]
    ids: list[str] = []
    async with InProcessApp(url, seed=SEED) as app:
        status, token = await app.call(
            "POST", "/v1.0/oauth2/accessToken", {"appKey": APP_KEY, "appSecret": APP_SECRET}
        )
        assert status == 200, token

        async def one(i: int) -> str:
            creator = users[i % len(users)]
            invited = [users[(i + k) % len(users)] for k in range(1, INVITED + 1)]
            status, created = await app.call(
                "POST",
                "/v1.0/conference/videoConferences",
                {"userId": creator, "confTitle": f"Meeting {i}", "inviteUserIds": invited},
                token=token["accessToken"],
            )
            assert status == 200, created
            conference_id: str = created["conferenceId"]
            for person in (creator, *invited)[:JOINING]:
                status, joined = await app.call(
                    "POST", f"/_dingconf/conferences/{conference_id}/join", {"unionId": person}
                )
                assert status == 200, joined
            return conference_id

        # A few at once, as clients send them: the store commits them in groups.
        for start in range(0, meetings, _AT_ONCE):
            batch = range(start, min(start + _AT_ONCE, meetings))
            ids += await asyncio.gather(*(one(i) for i in batch))
    return ids


def load(url: str, meetings: int, workdir: Path) -> list[tuple[object, ...]]:
    """Seed ``url`` and create ``meetings`` live meetings through dingconf's API
    (:func:`_through_the_api`); one row per meeting, its id first. For PostgreSQL
    they are created on SQLite and moved (:func:`transfer`): the API's writes
    there take minutes for what the import writes in seconds."""
    if not url.startswith("sqlite:///"):
        staged = f"sqlite:///{workdir / f'staged-{abs(hash(url))}.sqlite3'}"
        rows = load(staged, meetings, workdir)
        transfer(staged, url, workdir)
        return rows
    ids = asyncio.run(_through_the_api(url, meetings))
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return [(conference_id,) for conference_id in ids]


def transfer(source: str, target: str, workdir: Path) -> None:
    """Every organisation of database ``source`` (meetings, members, stays...) into
    ``target``, the same ids, through ``dingconf export`` and ``dingconf import``."""
    state = workdir / "state.json"
    for command in (
        ["export", "--output", str(state), "--database", source],
        ["import", str(state), "--database", target],
    ):
        subprocess.run([str(BIN / "dingconf"), *command], check=True, capture_output=True)


def bulk_load(url: str, meetings: int, workdir: Path) -> list[tuple[object, ...]]:
    """Seed ``url`` through dingconf, then bulk-insert ``meetings`` live meetings
    (bare rows: no members, no stays; only where the API would take too long)."""
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


def build(
    url: str,
    meetings: int,
    workdir: Path,
    sample: int = SAMPLE,
    loader: Callable[[str, int, Path], list[tuple[object, ...]]] | None = None,
) -> Dataset:
    """Seed a database and create live meetings in it (``loader``: :func:`load`,
    through the API, by default), and get a token for it."""
    rows = (loader or load)(url, meetings, workdir)
    ids = sample_ids(rows, sample, workdir / f"ids-{abs(hash(url))}.txt")
    return Dataset(url, fresh_token(url, workdir), ids)


def copied(source: Dataset, url: str, workdir: Path) -> Dataset:
    """``source``'s meetings, the same ids, in database ``url`` (:func:`transfer`)."""
    transfer(source.url, url, workdir)
    return Dataset(url, fresh_token(url, workdir), source.ids)


def fresh_token(url: str, workdir: Path) -> str:
    """An access token of the bench's app on ``url`` (dingconf serving it a moment)."""
    server = dingconf(Dataset(url, "", Path()), workdir)
    try:
        req = urllib.request.Request(
            f"http://127.0.0.1:{server.port}/v1.0/oauth2/accessToken",
            method="POST",
            data=json.dumps({"appKey": APP_KEY, "appSecret": APP_SECRET}).encode(),
        )
        token: str = json.loads(urllib.request.urlopen(req).read())["accessToken"]
    finally:
        server.stop()
    return token


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


#: Turns each side takes per round, in the order ABC…CBA (ABBA for a pair): slices
#: of 2 s (the mixed load's wrk needs more than 1 s to reach its pace).
SLICES = 2


def taking_turns(
    starts: list[Callable[[], Server]],
    scripts: list[str],
    data: Dataset,
    seconds: int,
    rounds: int = 1,
) -> tuple[list[list[Result]], list[list[float]]]:
    """``rounds`` rounds of a group: every server up and warmed once, then, in each
    round, loaded in turn for about ``seconds`` each, in :data:`SLICES` slices, in
    the order ABC…CBA (ABBA for two), so that a drift of this shared
    machine's speed over the round weighs on all alike (back-to-back runs of the
    whole duration let one side meet a slower machine than another). Each side's
    req/s in a round is the mean of its slices (all the same length), its p50 and
    p99 the mean of its slices' (a pause in one slice still shows), its cores and
    errors over all of them. Returns each round's results (one per side, in the
    order of ``starts``) and each side's peak memory."""
    slice_s = max(1, round(seconds / SLICES))
    with ExitStack() as running:
        servers: list[Server] = []
        for start, load in zip(starts, scripts, strict=True):
            servers.append(start())
            running.callback(servers[-1].stop)
            run_wrk(servers[-1].port, load, data, 2, True)  # warm-up
        sides = list(range(len(servers)))
        order = (sides + sides[::-1]) * (SLICES // 2) + sides * (SLICES % 2)
        results = []
        for _ in range(rounds):
            slices: list[list[Result]] = [[] for _ in servers]
            for side in order:
                wrk = partial(run_wrk, servers[side].port, scripts[side], data, slice_s, True)
                slices[side].append(sampled(servers[side], wrk))
            results.append([typical(runs, statistics.mean) for runs in slices])
        return results, [server.peak_rss_mb() for server in servers]


def interleaved(
    start_base: Callable[[], Server],
    start_ours: Callable[[], Server],
    base_script: str,
    script: str,
    data: Dataset,
    seconds: int,
) -> tuple[Result, Result, list[float]]:
    """One round of a pair (:func:`taking_turns`, ABBA): the baseline's result,
    dingconf's, and dingconf's peak memory."""
    ((base, ours),), peaks = taking_turns(
        [start_base, start_ours], [base_script, script], data, seconds
    )
    return base, ours, peaks[1]


def sampled(server: Server, load: Callable[[], Result]) -> Result:
    """``load``'s result with the server cores it used while it ran."""
    cpu, started = server.cpu_seconds(), time.monotonic()
    result = load()
    return replace(result, server_cores=(server.cpu_seconds() - cpu) / (time.monotonic() - started))


def same_bytes(data: Dataset, workdir: Path) -> bool:
    """dingconf and both references answer one query with identical bodies."""
    path = "/v1.0/conference/videoConferences/" + data.ids.read_text().split()[0]
    servers = [dingconf(data, workdir), raw(data), recorded(data)]
    try:
        ours, *bases = (server.get(path, data.token) for server in servers)
        return all(base == ours for base in bases)
    finally:
        for server in servers:
            server.stop()


#: Each side's result in each round of a group, by the side's name.
Runs = dict[str, list[Result]]
TARGET = "target: ≥ 0.9x the same-work reference, p99 ≤ 1.25x"


@dataclass
class Row:
    """One line of the table: a workload, its median run, and (against a reference
    measured in the same rounds) the medians of the rounds' req/s and p99 ratios."""

    name: str
    ours: Result
    base: Result | None = None
    ratio: float | None = None
    p99_ratio: float | None = None
    per_core: float | None = None
    rounds: str = ""
    note: str = ""

    HEADER = (
        "| workload | req/s | p50 ms | p99 ms | errors (all rounds) | reference req/s "
        "| reference p99 ms | req/s ratio | p99 ratio | ratio per server core | server cores "
        "| wrk cores | note |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    )

    @classmethod
    def of(cls, name: str, ours: list[Result], base: list[Result], note: str = "") -> "Row":
        """The row of ``ours`` against ``base``, each a result per round, paired by round.

        The median of the rounds' ratios, each from interleaved slices, cancels
        this shared machine's drifts better than comparing the medians of each.
        On a machine others use too, the server's core is not always its own:
        req/s per CPU-second the server got says what the code costs.
        """
        pairs = list(zip(ours, base, strict=True))
        ratios = [o.rps / b.rps for o, b in pairs]
        per_core = [
            (o.rps / o.server_cores) / (b.rps / b.server_cores)
            for o, b in pairs
            if o.server_cores and b.server_cores
        ]
        rounds = (
            f"round ratios {', '.join(f'{r:.2f}' for r in ratios)}; p99 "
            f"{', '.join(f'{o.p99_ms:.2f}' for o in ours)} ms vs "
            f"{', '.join(f'{b.p99_ms:.2f}' for b in base)}"
        )
        return cls(
            name,
            typical(ours),
            typical(base),
            statistics.median(ratios),
            statistics.median([o.p99_ms / b.p99_ms for o, b in pairs]),
            statistics.median(per_core) if per_core else None,
            rounds,
            note,
        )

    def progress(self) -> str:
        """What is printed as the row is measured."""
        base = f", reference {self.base.rps:,.0f}" if self.base else ""
        return f"{self.name}: {self.ours.rps:,.0f} req/s{base}; {self.rounds}"

    def line(self) -> str:
        """The row in the table."""

        def fig(value: float | None, fmt: str) -> str:
            return "-" if value is None else format(value, fmt)

        base = self.base
        return (
            f"| {self.name} | {self.ours.rps:,.0f} | {self.ours.p50_ms:.2f} "
            f"| {self.ours.p99_ms:.2f} | {self.ours.errors} "
            f"| {fig(base.rps if base else None, ',.0f')} "
            f"| {fig(base.p99_ms if base else None, '.2f')} "
            f"| {fig(self.ratio, '.2f')} | {fig(self.p99_ratio, '.2f')} "
            f"| {fig(self.per_core, '.2f')} | {self.ours.server_cores:.2f} "
            f"| {self.ours.wrk_cores:.2f} | {self.note} |"
        )


def group(
    sides: dict[str, tuple[Callable[[], Server], str]],
    data: Dataset,
    seconds: int,
    rounds: int,
    memory: dict[str, list[float]],
    name: str,
) -> Runs:
    """``rounds`` rounds of the ``sides`` (name: how to start it, its wrk script)
    taking turns (:func:`taking_turns`, the servers started once); dingconf's peak
    memory goes to ``memory``."""
    starts = [start for start, _ in sides.values()]
    scripts = [script for _, script in sides.values()]
    results, peaks = taking_turns(starts, scripts, data, seconds, rounds)
    memory[name] = peaks[list(sides).index("dingconf")]
    return {key: [round_[i] for round_ in results] for i, key in enumerate(sides)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=4, help="seconds of load per server and round"
    )
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per figure")
    parser.add_argument(
        "--large", type=int, default=1_000_000, help="meetings in the large (bulk-loaded) set"
    )
    parser.add_argument(
        "--only",
        choices=("all", "read", "listings"),
        default="all",
        help="read: only the query rows (random, polled, ceiling, beyond the cache, "
        "PostgreSQL); listings: only the listing pages",
    )
    args = parser.parse_args()
    everything = args.only == "all"
    ensure_wrk()
    if args.only == "listings":
        from listings import main as listings_alone

        listings_alone(["--duration", str(args.duration), "--rounds", str(args.rounds)])
        return
    rows: list[Row] = []
    memory: dict[str, list[float]] = {}

    def record(row: Row) -> None:
        rows.append(row)
        print(f"  {row.progress()}", flush=True)

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
        """dingconf against one baseline (the plain raw app by default), ABBA."""
        runs = group(
            {
                "baseline": (baseline or (lambda: raw(data)), base_script),
                "dingconf": (lambda: dingconf(data, work, options=options), script),
            },
            data,
            args.duration,
            args.rounds,
            memory,
            name,
        )
        record(Row.of(name, runs["dingconf"], runs["baseline"], note))
        return typical(runs["dingconf"])

    def reads(name: str, data: Dataset, extra: dict[str, Callable[[], Server]]) -> Runs:
        """dingconf, the same-work reference and ``extra`` servers taking turns."""
        sides = {
            "same-work": lambda: recorded(data),
            "dingconf": lambda: dingconf(data, work),
            **extra,
        }
        return group(
            {key: (start, "query.lua") for key, start in sides.items()},
            data,
            args.duration,
            args.rounds,
            memory,
            name,
        )

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
            Row("query, 1 worker, unpinned", one, note=f"{per_core[0]:,.0f} req/s per core")
        )
        rows.append(
            Row(
                "query, 2 workers, unpinned",
                two,
                note=f"{two.rps / one.rps:.2f}x 1 worker; {per_core[1]:,.0f} req/s per core",
            )
        )

    def listings() -> None:
        print("6. listings over big data (a page at 100 rows vs at 100,000)", flush=True)
        from listings import listing_rows

        for name, ours, base, ratio, note in listing_rows(
            lambda d: dingconf(d, work), work, args.duration, args.rounds
        ):
            rows.append(Row(name, ours, base, ratio, note=note))

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dingconf-bench-") as tmp:
        work = Path(tmp)
        print("building data sets (meetings created through the API)...", flush=True)
        built = build(f"sqlite:///{work / 'middle.sqlite3'}", 20_000, work)
        middle = every_meeting(built, work)
        small = built  # the mixed load's and the workers' data: SAMPLE ids of it
        print(f"  built in {time.monotonic() - started:.0f} s", flush=True)
        print(f"  same bytes as both references: {same_bytes(middle, work)}", flush=True)

        print("1. QueryConferenceInfo, 64 connections, 1 worker", flush=True)
        random_runs = reads(
            "query, 20,000 meetings at random",
            middle,
            {
                "plain raw": lambda: raw(middle),
                "records off": lambda: dingconf(middle, work, options=UNRECORDED),
            },
        )
        name = "query, 20,000 meetings at random"
        record(Row.of(name, random_runs["dingconf"], random_runs["same-work"], TARGET))
        for ours, base, note in (
            ("dingconf", "plain raw", "context: dingconf vs the plain raw app"),
            (
                "records off",
                "plain raw",
                "context: access log and journal off vs the plain raw app",
            ),
            ("same-work", "plain raw", "context: what the records cost the reference"),
        ):
            record(Row.of(f"  {ours} vs {base}", random_runs[ours], random_runs[base], note))
        one = polled(built, work)
        answer = answer_bytes(one, work)
        polled_runs = reads(
            "query, one meeting polled",
            one,
            {"plain raw": lambda: raw(one), "ceiling": lambda: ceiling(answer)},
        )
        record(
            Row.of(
                "query, one meeting polled",
                polled_runs["dingconf"],
                polled_runs["same-work"],
                f"{TARGET}; the meeting cache's best case",
            )
        )
        for ours, base, note in (
            ("dingconf", "plain raw", "context: the plain raw app keeps no records"),
            ("dingconf", "ceiling", f"context: vs granian answering {answer.stat().st_size} bytes"),
            ("same-work", "ceiling", "context: the reference vs the ceiling"),
        ):
            record(Row.of(f"  {ours} vs {base}", polled_runs[ours], polled_runs[base], note))
        record(
            Row("  ceiling: constant bytes", typical(polled_runs["ceiling"]), note="no app work")
        )

        print("2. beyond the meeting cache", flush=True)
        large = build(f"sqlite:///{work / 'large.sqlite3'}", args.large, work, loader=bulk_load)
        name = f"query, {args.large:,} meetings, {WIDE_SAMPLE:,} ids"
        wide_runs = reads(name, wide(large, work), {})
        record(
            Row.of(
                name,
                wide_runs["dingconf"],
                wide_runs["same-work"],
                "beyond the meeting cache; bare bulk-loaded rows (the API would take hours)",
            )
        )
        if everything:
            mixed_and_workers()
        print("5. PostgreSQL", flush=True)
        with throwaway_cluster() as cluster:
            pg = copied(built, cluster.new_database(), work)
            print(f"  same bytes as both references: {same_bytes(pg, work)}", flush=True)
            pg_runs = reads(
                "query, 20,000 meetings, PostgreSQL", pg, {"plain raw": lambda: raw(pg)}
            )
            record(
                Row.of(
                    "query, 20,000 meetings, PostgreSQL",
                    pg_runs["dingconf"],
                    pg_runs["plain raw"],
                    "target: ≥ 1.0x the plain raw app on PostgreSQL, p99 ≤ 1.5x",
                )
            )
            record(
                Row.of(
                    "  dingconf vs same-work",
                    pg_runs["dingconf"],
                    pg_runs["same-work"],
                    "context: the same-work reference on PostgreSQL",
                )
            )

        if everything:
            listings()

    print()
    print(
        f"machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}; wrk -t1 -c64, {args.duration}s per load, "
        f"{args.rounds} rounds (every figure: median of rounds); "
        f"{(time.monotonic() - started) / 60:.1f} min"
    )
    print()
    print(Row.HEADER)
    for row in rows:
        print(row.line())
    print()
    for name, peaks in memory.items():
        print(f"peak RSS, {name}: " + ", ".join(f"{p:.0f} MB" for p in peaks))


if __name__ == "__main__":
    main()
