"""What the request journal costs the hot query: req/s with it on and off.

    make bench-journal     # or: .venv/bin/python bench/journal.py [--duration 5] [--rounds 3]

The same 10,000-meeting SQLite data set and wrk load as ``run.py``'s query
workload, served by dingconf with the default journal (1,000 calls) and with
``--journal-size 0`` (no journal middleware at all), alternating in rounds;
the figure is the median of the rounds' on/off ratios. Each journaled query
copies its request and response bodies and scans them for secrets; the
answer bodies of the query hold none, so nothing is re-encoded.
"""

import argparse
import statistics
import tempfile
from pathlib import Path

from run import build, dingconf, ensure_wrk, measure

OFF = ("--journal-size", "0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per load")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    args = parser.parse_args()
    ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="dingconf-bench-journal-") as tmp:
        work = Path(tmp)
        data = build(f"sqlite:///{work / 'small.sqlite3'}", 10_000, work)
        on, off = [], []
        for _ in range(args.rounds):
            off.append(
                measure(lambda: dingconf(data, work, options=OFF), "query.lua", data, args.duration)
            )
            on.append(measure(lambda: dingconf(data, work), "query.lua", data, args.duration))
        ratios = [a[0].rps / b[0].rps for a, b in zip(on, off, strict=True)]
        print(
            f"query req/s, journal off: {statistics.median(r[0].rps for r in off):,.0f} "
            f"(p99 {statistics.median(r[0].p99_ms for r in off):.2f} ms); "
            f"journal on: {statistics.median(r[0].rps for r in on):,.0f} "
            f"(p99 {statistics.median(r[0].p99_ms for r in on):.2f} ms); "
            f"on/off {statistics.median(ratios):.2f}x "
            f"(rounds {', '.join(f'{r:.2f}' for r in ratios)})"
        )


if __name__ == "__main__":
    main()
