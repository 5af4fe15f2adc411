"""CPU time of one QueryConferenceInfo through the whole ASGI app, no HTTP server.

    .venv/bin/python bench/inprocess.py [--meetings 20000] [--calls 20000]
        [--random] [--access-log text] [--journal-size 1000] [--database URL]
        [--profile]
    .venv/bin/python bench/inprocess.py --writes [--concurrency 16] [--calls 4000]

On a shared machine wall-clock req/s is noisy; ``time.process_time()`` per call
through the app is not (much). Prints microseconds per call, the median of
five passes. ``--random`` queries a random meeting each call (the uncached
path once the working set exceeds the meeting cache); without it one meeting
is polled. ``--database`` takes a PostgreSQL URL to measure that driver's
per-call CPU (its round trips' wall time is not counted).
"""

import argparse
import asyncio
import cProfile
import gc
import io
import json
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from run import APP_KEY, APP_SECRET, bulk_load  # noqa: E402

from asgi_scope import http_scope  # noqa: E402 (tests/, on the path run.py sets)
from dingconf.app import create_app  # noqa: E402
from dingconf.core.config import Settings  # noqa: E402

DEVNULL = open(os.devnull, "w")  # noqa: SIM115 (for the life of the process)


def seed(url: str, meetings: int, workdir: Path) -> list[str]:
    """Seed ``url`` with the bench organisation and ``meetings`` live meetings, bulk-loaded
    (a query reads one row however it was written; creating 20,000 through the API
    takes minutes on a busy machine); their ids."""
    return [str(row[0]) for row in bulk_load(url, meetings, workdir)]


class Caller:
    """Calls an ASGI app the way an HTTP server would, without one."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.status = 0

    async def call(
        self, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b""
    ) -> bytes:
        sent: list[bytes] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
            elif message["type"] == "http.response.body":
                sent.append(message.get("body", b""))

        scope = http_scope(method, path, headers)
        await self.app(scope, receive, send)
        return b"".join(sent)


async def writes(args: argparse.Namespace, caller: Caller, ids: list[str]) -> None:
    """Joins and leaves through the control API, ``--concurrency`` at a time.

    Each worker joins a new person to a random meeting, then makes them leave:
    the bench's writes.lua load, without HTTP. CPU microseconds per call of
    the event loop's thread, which bounds a worker's writes per second.
    """
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")]
    rng = random.Random(1)
    serial = 0

    async def worker(calls: int) -> None:
        nonlocal serial
        for _ in range(calls // 2):
            serial += 1
            path = f"/_dingconf/conferences/{rng.choice(ids)}/"
            body = b'{"unionId":"w-%d"}' % serial
            await caller.call("POST", path + "join", headers, body)
            assert caller.status == 200, caller.status
            await caller.call("POST", path + "leave", headers, body)
            assert caller.status == 200, caller.status

    async def one_pass(calls: int) -> None:
        per = calls // args.concurrency
        await asyncio.gather(*(worker(per) for _ in range(args.concurrency)))

    await one_pass(2000)  # warm-up
    passes = []
    profile = cProfile.Profile() if args.profile else None
    for _ in range(args.passes):
        if profile:
            profile.enable()
        # The event loop's thread only: checkpoints run in another (sqlite.py).
        cpu = time.thread_time()
        await one_pass(args.calls)
        passes.append((time.thread_time() - cpu) / args.calls * 1e6)
        if profile:
            profile.disable()
    print(
        f"join/leave over {len(ids):,} meetings, {args.concurrency} concurrent, "
        f"access log {args.access_log}: best {min(passes):.1f} us/call, "
        f"median {statistics.median(passes):.1f} "
        f"(passes {', '.join(f'{p:.1f}' for p in passes)})",
        file=sys.__stdout__,
    )
    if profile:
        for key in ("tottime", "cumtime"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(key).print_stats(40)
            print(out.getvalue(), file=sys.__stdout__)


async def run(args: argparse.Namespace, url: str, ids: list[str]) -> None:
    settings = Settings(database=url, access_log=args.access_log, journal_size=args.journal_size)
    sys.stderr = DEVNULL  # the access log's destination
    app = create_app(settings)
    if args.raw:
        os.environ["RAW_APP_DB"] = url.removeprefix("sqlite:///")
        import raw_app
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await queue.put({"type": "lifespan.startup"})
    started = asyncio.Event()

    async def receive() -> dict[str, Any]:
        return await queue.get()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()
        elif message["type"].endswith("failed"):
            raise RuntimeError(message)

    life = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send))
    await started.wait()
    gc.freeze()  # as a served worker does once started (dingconf.cli.app_factory)
    caller = Caller(app)
    body = json.dumps({"appKey": APP_KEY, "appSecret": APP_SECRET}).encode()
    token = json.loads(
        await caller.call("POST", "/v1.0/oauth2/accessToken", [(b"host", b"127.0.0.1")], body)
    )["accessToken"]
    headers = [(b"host", b"127.0.0.1"), (b"x-acs-dingtalk-access-token", token.encode())]
    if args.raw:  # the same calls, answered by the baseline
        if raw_app._POOL is not None:
            await raw_app._POOL.open(wait=True)
        caller = Caller(raw_app.recorded if args.raw == "recorded" else raw_app.app)
    if args.writes:
        await writes(args, caller, ids)
        await queue.put({"type": "lifespan.shutdown"})
        await life
        return
    prefix = "/v1.0/conference/videoConferences/"
    rng = random.Random(1)
    paths = [prefix + (rng.choice(ids) if args.random else ids[0]) for _ in range(args.calls)]
    for path in paths[:2000]:  # warm-up
        await caller.call("GET", path, headers)
    assert caller.status == 200, caller.status
    passes = []
    profile = cProfile.Profile() if args.profile else None
    for _ in range(args.passes):
        rng.shuffle(paths)
        if profile:
            profile.enable()
        cpu = time.process_time()
        for path in paths:
            await caller.call("GET", path, headers)
        passes.append((time.process_time() - cpu) / len(paths) * 1e6)
        if profile:
            profile.disable()
    print(
        f"{f'raw app ({args.raw}), ' if args.raw else ''}"
        f"{'random' if args.random else 'polled'} over {len(ids):,} meetings, "
        f"access log {args.access_log}, journal {args.journal_size}: "
        f"{statistics.median(passes):.1f} us/call, min {min(passes):.1f} "
        f"(passes {', '.join(f'{p:.1f}' for p in passes)})",
        file=sys.__stdout__,
    )
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(35)
        print(out.getvalue(), file=sys.__stdout__)
    await queue.put({"type": "lifespan.shutdown"})
    await life


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--passes", type=int, default=30)
    parser.add_argument("--random", action="store_true")
    parser.add_argument("--access-log", default="text")
    parser.add_argument("--journal-size", type=int, default=1000)
    parser.add_argument("--database", help="a PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--raw",
        nargs="?",
        const="plain",
        choices=("plain", "recorded"),
        help="call bench/raw_app.py instead (recorded: the same-work reference)",
    )
    parser.add_argument(
        "--writes", action="store_true", help="join/leave through the control API instead"
    )
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dingconf-inproc-") as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        ids = seed(url, args.meetings, Path(tmp))
        try:
            import uvloop

            uvloop.run(run(args, url, ids))
        except ImportError:
            asyncio.run(run(args, url, ids))


if __name__ == "__main__":
    main()
