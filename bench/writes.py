"""Join/leave write throughput against a raw write baseline, on SQLite and PostgreSQL.

    .venv/bin/python bench/writes.py [--duration 8] [--rounds 3]

The load (``writes.lua``, wrk -t1 -c64) is half joins, half leaves through
the control API, ``POST /_dingconf/conferences/{id}/join`` and ``/leave``,
spread over 10,000 meetings: how tests and the console drive participants.
dingconf writes everything a join writes (participant, stay, network sample,
counts, the outbox's events for every app). The baseline is
``raw_writes.py`` on the same granian and the same database: the participant
row upsert and the meeting's counts in one transaction, nothing else. Each
round runs the baseline and dingconf back to back on fresh copies of the
same data; figures are medians of rounds, the ratio the median of the
rounds' ratios.
"""

import argparse
import shutil
import statistics
import tempfile
from functools import partial
from pathlib import Path

from run import (
    Dataset,
    Server,
    build,
    dingconf,
    ensure_wrk,
    granian_app,
    measure,
    throwaway_cluster,
    typical,
)


def raw_writes(data: Dataset) -> Server:
    """The write baseline on the same server software and database."""
    return granian_app("raw_writes:app", {"RAW_APP_DB": data.url.removeprefix("sqlite:///")})


def fresh_copy(data: Dataset, work: Path, name: str) -> Dataset:
    """A private copy of a SQLite data set, so every run starts from the same rows."""
    if not data.url.startswith("sqlite:///"):
        return data
    source = Path(data.url.removeprefix("sqlite:///"))
    target = work / f"{name}.sqlite3"
    for suffix in ("", "-wal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    Path(f"{target}-shm").unlink(missing_ok=True)
    return Dataset(f"sqlite:///{target}", data.token, data.ids)


def compare(label: str, data: Dataset, work: Path, seconds: int, rounds: int) -> str:
    """Rounds of baseline then dingconf; one table row."""
    base_runs, ours_runs = [], []
    for i in range(rounds):
        raw = fresh_copy(data, work, f"raw-{i}")
        base_runs.append(measure(partial(raw_writes, raw), "writes.lua", raw, seconds)[0])
        own = fresh_copy(data, work, f"ours-{i}")
        ours_runs.append(measure(partial(dingconf, own, work), "writes.lua", own, seconds)[0])
    ratios = [o.rps / b.rps for o, b in zip(ours_runs, base_runs, strict=True)]
    ours, base = typical(ours_runs), typical(base_runs)
    print(
        f"  {label}: {ours.rps:,.0f} writes/s, baseline {base.rps:,.0f}, "
        f"round ratios {', '.join(f'{r:.2f}' for r in ratios)}, "
        f"server cores {ours.server_cores:.2f} (baseline {base.server_cores:.2f})",
        flush=True,
    )
    return (
        f"| join/leave writes, {label} | {ours.rps:,.0f} | {ours.p50_ms:.2f} | {ours.p99_ms:.2f} "
        f"| {ours.errors} | {base.rps:,.0f} | {base.p50_ms:.2f} | {base.p99_ms:.2f} "
        f"| {base.errors} | {statistics.median(ratios):.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per load")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per figure")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    ensure_wrk()
    rows = []
    with tempfile.TemporaryDirectory(prefix="dingconf-bench-writes-") as tmp:
        work = Path(tmp)
        print("join/leave writes", flush=True)
        small = build(f"sqlite:///{work / 'writes.sqlite3'}", 10_000, work)
        rows.append(compare("SQLite", small, work, args.duration, args.rounds))
        if not args.no_postgres:
            with throwaway_cluster() as cluster:
                # PostgreSQL keeps what each round wrote: every round adds people
                # to the same meetings, for the baseline and dingconf alike.
                pg = build(cluster.new_database(), 10_000, work)
                rows.append(compare("PostgreSQL", pg, work, args.duration, args.rounds))
    print()
    print(
        "| workload | writes/s | p50 ms | p99 ms | errors | baseline writes/s "
        "| baseline p50 ms | baseline p99 ms | baseline errors | ratio |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
