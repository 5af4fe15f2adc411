"""Join/leave write throughput against the write references, on SQLite and PostgreSQL.

    .venv/bin/python bench/writes.py [--duration 8] [--rounds 3] [--no-postgres]

The load (``writes.lua``, wrk -t1 -c64) is half joins, half leaves through
the control API, ``POST /_dingconf/conferences/{id}/join`` and ``/leave``,
spread over 10,000 meetings: how tests and the console drive participants.
dingconf writes everything a join writes (participant, stay, network sample,
counts, the outbox's events for every app). The target reference is
``raw_writes.py``'s ``same_work`` on the same granian and the same database:
the same rows in one transaction, written as plainly as possible, with no
checks. Beside it, the same-work reference against the plain one
(``raw_writes.py``'s ``app``: the participant upsert and the meeting's counts,
nothing else) shows what the records themselves cost.

Writes are measured like reads (``run.interleaved``): in each round both
servers run on the same fresh copy of the data and take turns under load in
slices, ABBA, so that a drift of this shared machine (or of the database's
checkpoints) weighs on both. Figures are medians of rounds, each ratio the
median of the rounds' ratios. Errors are summed over all slices; none are
expected (``writes.lua`` makes nobody leave a join that wrk never sent).
"""

import argparse
import shutil
import statistics
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from run import (
    SLICES,
    Dataset,
    Result,
    Server,
    build,
    dingconf,
    ensure_wrk,
    granian_app,
    interleaved,
    throwaway_cluster,
    typical,
)


def raw_writes(data: Dataset, same_work: bool = True) -> Server:
    """A write reference on the same server software and database."""
    app = "raw_writes:same_work" if same_work else "raw_writes:app"
    return granian_app(app, {"RAW_APP_DB": data.url.removeprefix("sqlite:///")})


def fresh_copy(data: Dataset, work: Path, name: str) -> Dataset:
    """A private copy of a SQLite data set, so every round starts from the same rows."""
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


def compare(
    label: str,
    data: Dataset,
    work: Path,
    seconds: int,
    rounds: int,
    base: Callable[[Dataset], Server],
    ours: Callable[[Dataset], Server],
    names: tuple[str, str],
) -> str:
    """Rounds of ``base`` and ``ours`` interleaved on fresh copies of ``data``; one table row."""
    base_runs: list[Result] = []
    ours_runs: list[Result] = []
    for i in range(rounds):
        copy = fresh_copy(data, work, f"writes-{i}")
        b, o, _ = interleaved(
            partial(base, copy), partial(ours, copy), "writes.lua", "writes.lua", copy, seconds
        )
        base_runs.append(b)
        ours_runs.append(o)
    ratios = [o.rps / b.rps for o, b in zip(ours_runs, base_runs, strict=True)]
    per_core = [
        (o.rps / o.server_cores) / (b.rps / b.server_cores)
        for o, b in zip(ours_runs, base_runs, strict=True)
        if o.server_cores and b.server_cores
    ]
    mine, theirs = typical(ours_runs), typical(base_runs)
    print(
        f"  {label}: {names[1]} {mine.rps:,.0f} writes/s, {names[0]} {theirs.rps:,.0f}, "
        f"round ratios {', '.join(f'{r:.2f}' for r in ratios)}, "
        f"per server core {', '.join(f'{r:.2f}' for r in per_core)}, "
        f"errors {mine.errors} ({theirs.errors})",
        flush=True,
    )
    core_ratio = f"{statistics.median(per_core):.2f}" if per_core else "-"
    return (
        f"| {label} | {mine.rps:,.0f} | {mine.p50_ms:.2f} | {mine.p99_ms:.2f} "
        f"| {mine.errors} | {theirs.rps:,.0f} | {theirs.p50_ms:.2f} | {theirs.p99_ms:.2f} "
        f"| {theirs.errors} | {statistics.median(ratios):.2f} | {core_ratio} |"
    )


def rows_for(backend: str, data: Dataset, work: Path, seconds: int, rounds: int) -> list[str]:
    """dingconf against the same-work reference, and that reference against the plain one."""
    return [
        compare(
            f"join/leave writes, {backend}",
            data,
            work,
            seconds,
            rounds,
            raw_writes,
            lambda d: dingconf(d, work),
            ("same-work reference", "dingconf"),
        ),
        compare(
            f"same-work reference vs the plain one, {backend}",
            data,
            work,
            seconds,
            rounds,
            lambda d: raw_writes(d, same_work=False),
            raw_writes,
            ("plain reference", "same-work reference"),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per side per round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per figure")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    ensure_wrk()
    rows = []
    with tempfile.TemporaryDirectory(prefix="dingconf-bench-writes-") as tmp:
        work = Path(tmp)
        print("join/leave writes", flush=True)
        small = build(f"sqlite:///{work / 'writes.sqlite3'}", 10_000, work)
        rows += rows_for("SQLite", small, work, args.duration, args.rounds)
        if not args.no_postgres:
            with throwaway_cluster() as cluster:
                # PostgreSQL keeps what each round wrote: every round adds people
                # to the same meetings, for both sides alike.
                pg = build(cluster.new_database(), 10_000, work)
                rows += rows_for("PostgreSQL", pg, work, args.duration, args.rounds)
    print()
    print(
        f"wrk -t1 -c64; each round {SLICES} slices of {max(1, round(args.duration / SLICES))} s "
        f"per side (ABBA), {args.rounds} rounds"
    )
    print(
        "| workload | writes/s | p50 ms | p99 ms | errors | reference writes/s "
        "| reference p50 ms | reference p99 ms | reference errors | ratio | ratio per server core |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
