"""Event delivery benchmark: join → event received by a Stream client (official SDK).

    .venv/bin/python bench/events.py [--joins 300] [--burst 500]

One dingconf process on SQLite, one ``dingtalk-stream`` client of the
meeting's creating app. Latency: a join through the control API, one at a
time, until the client holds its ``user_join`` event (p50/p99). Throughput:
``--burst`` joins from four threads at once, events/s until the client has
all of them (each join is two events: org-wide and ``_target_push``).
"""

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dingconf.testing.plugin import DingconfServer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from over_http import new_meeting
from stream_listener import StreamListener

APP_KEY, APP_SECRET = "bench-app", "bench-secret"
SEED = {
    "orgs": [
        {
            "corpId": "dingbench",
            "users": [{"unionId": "u-host", "nick": "Host"}],
            "apps": [{"appKey": APP_KEY, "appSecret": APP_SECRET}],
        }
    ]
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--joins", type=int, default=300)
    parser.add_argument("--burst", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dingconf-bench-events-") as tmp:
        server = DingconfServer(Path(tmp), seed=SEED).start()
        try:
            token = server.token(APP_KEY, APP_SECRET)
            with StreamListener(server, APP_KEY, APP_SECRET) as listener:
                cid = new_meeting(server, token, "bench")
                listener.take(2)  # conference_created, both variants
                latencies = []
                for i in range(args.joins):
                    started = time.perf_counter()
                    server.participants.join(cid, f"lat-{i}")
                    listener.take(1)
                    latencies.append((time.perf_counter() - started) * 1000)
                    listener.take(1)  # the _target_push twin
                started = time.perf_counter()
                with ThreadPoolExecutor(4) as pool:
                    list(
                        pool.map(
                            lambda i: server.participants.join(cid, f"burst-{i}"), range(args.burst)
                        )
                    )
                listener.take(2 * args.burst, timeout_s=300)
                rate = 2 * args.burst / (time.perf_counter() - started)
        finally:
            server.stop()
    print("| load | p50 ms | p99 ms | events/s |")
    print("|---|---|---|---|")
    print(
        f"| join → event at a Stream client (SQLite, {args.joins} joins; "
        f"burst of {args.burst}) | {statistics.median(latencies):.1f} | "
        f"{percentile(latencies, 0.99):.1f} | {rate:.0f} |"
    )


if __name__ == "__main__":
    main()
