"""Per-call time of one official-SDK call in process (``dingconf.mock()``) and over loopback.

    .venv/bin/python bench/mock.py [--calls 200] [--rounds 15]

The same QueryConferenceInfo, through the official Python SDK unchanged, to
an in-process dingconf and to a local ``dingconf serve`` (all on SQLite with
the same seed), in interleaved rounds of the same run so that a drift of the
machine's speed weighs on all alike. The headline server is ``dingconf serve``
as a user starts it, with its defaults (one worker, the access log on: here
written to a file, where a user's goes to a terminal); a second server runs
with ``--access-log off``, the cheapest a local server gets, for the lower
bound. The mock has no access log (no terminal to write to). Prints, for
each, the median of the rounds' microseconds per call: wall clock, and CPU
(this process's threads, plus the server process's over loopback, so a busy
machine's waits do not count), and the ratios (medians of the rounds' ratios).
Target: at least 10x cheaper in process than the server with its defaults.
"""

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from alibabacloud_dingtalk.conference_1_0 import models
from alibabacloud_dingtalk.conference_1_0.client import Client
from alibabacloud_dingtalk.oauth2_1_0 import models as oauth_models
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_util.models import RuntimeOptions

import dingconf
from dingconf.testing.mock import DEMO_SEED
from dingconf.testing.plugin import DingconfServer
from dingconf.testing.sdk_seam import route_sdk_to, stop_routing

RUNTIME = RuntimeOptions()
TARGET = 10


def sdk_query(endpoint: str) -> Callable[[], None]:
    """One QueryConferenceInfo of a fresh meeting, through the official SDK, as a call."""
    config = Config(protocol="http", endpoint=endpoint)
    token = (
        OAuthClient(config)
        .get_access_token(
            oauth_models.GetAccessTokenRequest(app_key="demo-app", app_secret="demo-secret")
        )
        .body.access_token
    )
    client = Client(config)
    conference_id = client.create_video_conference_with_options(
        models.CreateVideoConferenceRequest(user_id="demo-alice", conf_title="Bench"),
        models.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=token),
        RUNTIME,
    ).body.conference_id
    headers = models.QueryConferenceInfoHeaders(x_acs_dingtalk_access_token=token)

    def query() -> None:
        info = client.query_conference_info_with_options(conference_id, headers, RUNTIME)
        assert info.body.conf_info.title == "Bench"

    return query


def cpu_s(pids: list[int]) -> float:
    """CPU seconds (user and system) other processes have used so far."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def per_call_us(call: Callable[[], None], calls: int, pids: list[int]) -> tuple[float, float]:
    """Wall-clock and CPU microseconds per call (this process's, and that of ``pids``)."""
    wall, cpu, other = time.perf_counter(), time.process_time(), cpu_s(pids)
    for _ in range(calls):
        call()
    cpu = time.process_time() - cpu + cpu_s(pids) - other
    return (time.perf_counter() - wall) / calls * 1e6, cpu / calls * 1e6


def report(name: str, inproc: list[float], loopback: list[float]) -> bool:
    """Print one row; whether it meets the target."""
    ratio = statistics.median(out / inside for out, inside in zip(loopback, inproc, strict=True))
    print(
        f"    {name}: in process {statistics.median(inproc):.0f} us/call, over loopback "
        f"{statistics.median(loopback):.0f} us/call: {ratio:.1f}x cheaper in process"
    )
    return ratio >= TARGET


#: The servers compared with the mock: the headline first.
SERVERS = (
    ("dingconf serve with its defaults (access log on, to a file)", ()),
    ("dingconf serve --access-log off", ("--access-log", "off")),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per round and mode")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    inproc: list[tuple[float, float]] = []
    loopback: list[list[tuple[float, float]]] = [[] for _ in SERVERS]
    with tempfile.TemporaryDirectory(prefix="dingconf-bench-mock-") as tmp:
        servers = [
            DingconfServer(Path(tmp) / str(n), seed=DEMO_SEED, extra_args=extra)
            for n, (_, extra) in enumerate(SERVERS)
        ]
        mock = dingconf.mock()
        try:
            for server in servers:
                server.workdir.mkdir()
                server.start()
            remote = [(sdk_query(s.endpoint), s.process_tree()) for s in servers]
            with mock:
                in_process = sdk_query("api.dingtalk.com")
                per_call_us(in_process, args.calls, [])  # warm-up
                stop_routing(mock)  # the loopback rounds go out through the SDK's own transport
                for over_loopback, pids in remote:
                    per_call_us(over_loopback, args.calls, pids)
                for _ in range(args.rounds):
                    for rows, (over_loopback, pids) in zip(loopback, remote, strict=True):
                        rows.append(per_call_us(over_loopback, args.calls, pids))
                    route_sdk_to(mock)
                    try:
                        inproc.append(per_call_us(in_process, args.calls, []))
                    finally:
                        stop_routing(mock)
                route_sdk_to(mock)  # as the with block's exit expects
        finally:
            for server in servers:
                server.stop()
    print(
        f"QueryConferenceInfo through the official SDK, {args.rounds} interleaved rounds "
        f"of {args.calls} calls each way (target: {TARGET}x cheaper in process than "
        "the server with its defaults):"
    )
    met: list[bool] = []
    for (title, _), rows in zip(SERVERS, loopback, strict=True):
        print(f"  vs {title}:")
        met.append(
            all(
                [
                    report(name, [r[column] for r in inproc], [r[column] for r in rows])
                    for column, name in ((0, "wall clock"), (1, "CPU, both ends"))
                ]
            )
        )
    print(f"  target {'met' if met[0] else 'MISSED'}")


if __name__ == "__main__":
    main()
