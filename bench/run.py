"""dingconf's benchmark suite: one command, bounded loads on 127.0.0.1, ratios against a baseline.

    make bench            # or: .venv/bin/python bench/run.py [--duration 8] [--rounds 2]

Every dingconf figure is compared with a baseline measured in the same run on
the same server software (granian) and the same SQLite file: ``raw_app.py``, a
minimal ASGI app doing the same token and meeting lookups and returning the
same bytes. The server gets core 0 and wrk core 1, so they do not compete.
Runs alternate between baseline and dingconf, and the best round of each is
kept, because these machines are noisy.
"""

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
CORP, APP_KEY, APP_SECRET, CREATOR = "dingbench", "bench-app", "bench-secret", "u-1"
SEED = f"""{{"orgs": [{{"corpId": "{CORP}", "name": "Bench",
  "users": [{", ".join(f'{{"unionId": "u-{i}", "nick": "User {i}"}}' for i in range(1, 21))}],
  "apps": [{{"appKey": "{APP_KEY}", "appSecret": "{APP_SECRET}"}}]}}]}}"""
SAMPLE = 10_000  # ids queried in every data-size workload


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int = 0


def ensure_wrk() -> str:
    """wrk from Debian, installed when missing."""
    if shutil.which("wrk") is None:
        print("installing wrk (apt-get)...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return "wrk"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    value, unit = match.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(url: str, script: str, env: dict[str, str], duration: int, pinned: bool) -> Result:
    cmd = ["wrk", "-t1", "-c64", f"-d{duration}s", "--latency", "-s", str(BENCH / script), url]
    if pinned:
        cmd = ["taskset", "-c", "1", *cmd]
    out = subprocess.run(
        cmd, capture_output=True, text=True, env={**os.environ, **env}, check=True
    ).stdout
    try:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
        p50 = _ms(re.search(r"50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
        p99 = _ms(re.search(r"99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    except (AttributeError, ValueError) as exc:
        raise RuntimeError(f"cannot read wrk's output:\n{out}") from exc
    non = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return Result(rps, p50, p99, int(non.group(1)) if non else 0)


class Server:
    """A server process on 127.0.0.1, optionally pinned to core 0."""

    def __init__(self, cmd: list[str], env: dict[str, str], cwd: Path, port: int, pinned: bool):
        self.port = port
        full = ["taskset", "-c", "0", *cmd] if pinned else cmd
        self.proc = subprocess.Popen(
            full,
            cwd=cwd,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {cmd}")

    def worker_peak_rss_mb(self) -> list[float]:
        """VmHWM of every child process (granian's workers)."""
        children = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True
        ).stdout.split()
        if not children:  # taskset execs, so the granian supervisor is proc itself
            children = [str(self.proc.pid)]
        peaks = []
        for pid in children:
            for sub in [
                pid,
                *subprocess.run(
                    ["pgrep", "-P", pid], capture_output=True, text=True
                ).stdout.split(),
            ]:
                status = Path(f"/proc/{sub}/status").read_text()
                cmdline = Path(f"/proc/{sub}/cmdline").read_bytes()
                if b"granian" in cmdline or b"dingconf" in cmdline:
                    peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)  # type: ignore[union-attr]
        return peaks

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def dingconf(db: Path, workdir: Path, workers: int = 1, pinned: bool = True) -> Server:
    port = free_port()
    cmd = [
        str(VENV_BIN / "dingconf"),
        "serve",
        "--port",
        str(port),
        "--database",
        f"sqlite:///{db}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    return Server(cmd, {}, workdir, port, pinned)


def raw(db: Path, pinned: bool = True) -> Server:
    port = free_port()
    cmd = [
        str(VENV_BIN / "granian"),
        "--interface",
        "asgi",
        "--loop",
        "uvloop",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "raw_app:app",
    ]
    return Server(cmd, {"RAW_APP_DB": str(db)}, BENCH, port, pinned)


def build_database(path: Path, meetings: int, workdir: Path) -> tuple[str, Path]:
    """A seeded database holding ``meetings`` live meetings; returns a token and an id file."""
    seed = workdir / "seed.json"
    seed.write_text(SEED)
    subprocess.run(
        [str(VENV_BIN / "dingconf"), "seed", str(seed), "--database", f"sqlite:///{path}"],
        check=True,
        capture_output=True,
    )
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    now = int(time.time() * 1000)
    batch = []
    for i in range(meetings):
        cid = f"{now // 1000:08x}{i:016x}"
        code = str(10**10 + i)
        batch.append(
            (
                cid,
                CORP,
                f"Meeting {i}",
                "0",
                2,
                code,
                f"http://127.0.0.1/app?roomCode={code}",
                CREATOR,
                "User 1",
                CREATOR,
                now,
                None,
                None,
                0,
                0,
                0,
                0,
                None,
                "[]",
            )
        )
        if len(batch) == 50_000:
            conn.executemany(f"INSERT INTO conferences VALUES ({', '.join('?' * 19)})", batch)
            batch.clear()
    if batch:
        conn.executemany(f"INSERT INTO conferences VALUES ({', '.join('?' * 19)})", batch)
    conn.execute("COMMIT")
    conn.close()
    step = max(1, meetings // SAMPLE)
    ids = workdir / f"ids-{meetings}.txt"
    ids.write_text("".join(f"{now // 1000:08x}{i:016x}\n" for i in range(0, meetings, step)))
    server = dingconf(path, workdir)
    try:
        req = urllib.request.Request(
            f"http://127.0.0.1:{server.port}/v1.0/oauth2/accessToken",
            data=f'{{"appKey":"{APP_KEY}","appSecret":"{APP_SECRET}"}}'.encode(),
            method="POST",
        )
        token = (
            re.search(rb'"accessToken":"(\w+)"', urllib.request.urlopen(req).read())
            .group(1)
            .decode()
        )  # type: ignore[union-attr]
    finally:
        server.stop()
    return token, ids


def best(results: list[Result]) -> Result:
    return max(results, key=lambda r: r.rps)


def measure(
    start, script: str, env: dict[str, str], duration: int, pinned: bool = True
) -> tuple[Result, list[float]]:
    server = start()
    try:
        run_wrk(f"http://127.0.0.1:{server.port}", script, env, 2, pinned)  # warm-up
        result = run_wrk(f"http://127.0.0.1:{server.port}", script, env, duration, pinned)
        return result, server.worker_peak_rss_mb()
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per load")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds per pair")
    parser.add_argument(
        "--large", type=int, default=1_000_000, help="meetings in the large data set"
    )
    args = parser.parse_args()
    ensure_wrk()
    rows: list[tuple[str, Result, Result | None, str]] = []
    memory: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="dingconf-bench-") as tmp:
        work = Path(tmp)
        print("building databases...", flush=True)
        small_db, large_db = work / "small.sqlite3", work / "large.sqlite3"
        token, small_ids = build_database(small_db, 10_000, work)
        token_large, large_ids = build_database(large_db, args.large, work)

        def pair(
            name: str, db: Path, ids: Path, tok: str, script: str = "query.lua", note: str = ""
        ) -> tuple[Result, Result]:
            env = {"BENCH_IDS": str(ids), "BENCH_TOKEN": tok}
            base_runs, ours_runs = [], []
            for _ in range(args.rounds):
                base_runs.append(measure(lambda: raw(db), "query.lua", env, args.duration)[0])
                result, rss = measure(lambda: dingconf(db, work), script, env, args.duration)
                ours_runs.append(result)
                memory[name] = rss
            base, ours = best(base_runs), best(ours_runs)
            rows.append((name, ours, base, note))
            print(f"  {name}: {ours.rps:,.0f} req/s vs baseline {base.rps:,.0f}", flush=True)
            return base, ours

        print("1. QueryConferenceInfo, 64 connections, 1 worker", flush=True)
        pair("query, 10k meetings", small_db, small_ids, token)
        print("2. data size", flush=True)
        pair(f"query, {args.large // 1000}k meetings", large_db, large_ids, token_large)
        print("3. mixed 90% query / 10% join, leave, create, close", flush=True)
        pair(
            "mixed 90/10, 10k meetings",
            small_db,
            small_ids,
            token,
            "mixed.lua",
            "baseline: query-only raw app",
        )
        print("4. workers (unpinned: server and wrk share both cores)", flush=True)
        env = {"BENCH_IDS": str(small_ids), "BENCH_TOKEN": token}
        one = best(
            [
                measure(
                    lambda: dingconf(small_db, work, 1, False),
                    "query.lua",
                    env,
                    args.duration,
                    False,
                )[0]
                for _ in range(args.rounds)
            ]
        )
        two_runs = []
        for _ in range(args.rounds):
            result, rss = measure(
                lambda: dingconf(small_db, work, 2, False), "query.lua", env, args.duration, False
            )
            two_runs.append(result)
            memory["2 workers"] = rss
        two = best(two_runs)
        rows.append(("query, 1 worker, unpinned", one, None, ""))
        rows.append(
            ("query, 2 workers, unpinned", two, None, f"{two.rps / one.rps:.2f}x of 1 worker")
        )

    print()
    print(
        f"machine: {os.cpu_count()} cores, {platform_line()}; "
        f"wrk -t1 -c64, {args.duration}s per load, best of {args.rounds}"
    )
    print()
    print("| workload | req/s | p50 ms | p99 ms | non-2xx | baseline req/s | ratio | note |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, ours, base, note in rows:
        ratio = f"{ours.rps / base.rps:.2f}" if base else "-"
        base_rps = f"{base.rps:,.0f}" if base else "-"
        print(
            f"| {name} | {ours.rps:,.0f} | {ours.p50_ms:.2f} | {ours.p99_ms:.2f} "
            f"| {ours.non_2xx} | {base_rps} | {ratio} | {note} |"
        )
    print()
    q10, q1m = rows[0][1], rows[1][1]
    print(f"large vs small data: {q1m.rps / q10.rps:.2f}x req/s")
    for name, peaks in memory.items():
        print(f"peak RSS per process, {name}: " + ", ".join(f"{p:.0f} MB" for p in peaks))


def platform_line() -> str:
    import platform

    return f"Python {platform.python_version()}, {platform.machine()}"


if __name__ == "__main__":
    main()
