"""What each per-request layer costs: CPU µs per QueryConferenceInfo, one layer off at a time.

    .venv/bin/python bench/layers.py [--meetings 20000] [--calls 5000] [--rounds 8] [--polled]

Builds one app per variant in this process (the defaults, then each layer
switched off, then a layer that is off by default switched on), each over its
own copy of one SQLite file (apps sharing a file would wait for each other's
background writes, blocking the one event loop), and calls them in turn, pass
by pass in a shuffled order (a drift of this shared machine's speed weighs on
every variant alike). Each variant's figures are the best and the median of
its passes' CPU µs per call (``time.process_time()``; other work on the
machine only ever adds to them); the last column is the defaults' best minus
the variant's: what a layer switched off saves, or (negative) what one
switched on costs. No HTTP server: what granian
does per request (its request-slot semaphore included) is not in these
figures; ``bench/run.py``'s ceiling row measures that.
"""

import argparse
import asyncio
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from unittest import mock

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from inprocess import DEVNULL, Caller, seed  # noqa: E402
from run import APP_KEY, APP_SECRET  # noqa: E402

import dingconf.app  # noqa: E402
from dingconf.core.config import Settings  # noqa: E402
from dingconf.http import operations  # noqa: E402
from dingconf.http.asgi import REQUEST_ID  # noqa: E402
from dingconf.http.metrics import Metrics  # noqa: E402

ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]
_QUERY = "/v1.0/conference/videoConferences/"


def _plain_ids(app: ASGIApp, _ids: object, _page: object = None, before: Any = None) -> ASGIApp:
    """wire_errors' stand-in: a constant request id, no host check, no error bodies
    (what runs ``before`` the app, the shared clock's refresh, still runs)."""

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope[REQUEST_ID] = "0" * 36
            if before is not None:
                await before(scope)
        await app(scope, receive, send)

    return middleware


def _direct_route(build: Callable[..., Any]) -> Callable[..., Any]:
    """build_router's stand-in: QueryConferenceInfo's endpoint called without matching."""

    def building(routes: Any, lifespan: Any = None, raw: Any = ()) -> Any:
        router = build(routes, lifespan, raw=raw)
        route = router._routes[(_QUERY, "")]

        async def direct(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and scope["path"].startswith(_QUERY):
                scope["path_params"] = {"conferenceId": scope["path"][len(_QUERY) :]}
                await route.endpoint(scope, receive, send)
            else:
                await router(scope, receive, send)

        return direct

    return building


@dataclass
class Variant:
    """An app built with some settings changed and some functions replaced."""

    name: str
    settings: dict[str, Any] = field(default_factory=dict)
    #: (object, attribute, replacement), in force while the app is built and called.
    patches: list[tuple[Any, str, Any]] = field(default_factory=list)
    passes: list[float] = field(default_factory=list)

    @contextmanager
    def patched(self) -> Iterator[None]:
        with ExitStack() as stack:
            for target, name, value in self.patches:
                stack.enter_context(mock.patch.object(target, name, value))
            yield


async def _noop(*_args: Any, **_kwargs: Any) -> None:
    return None


def variants() -> list[Variant]:
    """The defaults, each layer off, and what a layer costs when it is used."""
    return [
        Variant("defaults (access log text, journal 1000)"),
        Variant("access log off", {"access_log": "off"}),
        Variant("journal off", {"journal_size": 0}),
        Variant("access log and journal off", {"access_log": "off", "journal_size": 0}),
        Variant("metrics off", patches=[(Metrics, "observe", lambda *a: None)]),
        Variant(
            "observe layer off (log, journal, metrics)",
            patches=[(dingconf.app, "observe", lambda app, *a, **k: app)],
        ),
        Variant(
            "error layer off (request ids, host check)",
            patches=[(dingconf.app, "wire_errors", _plain_ids)],
        ),
        Variant(
            "shared-clock refresh off",
            patches=[(dingconf.app, "_shared_clock", lambda _clock: None)],
        ),
        Variant(
            "parameter limits off", patches=[(operations, "check_parameters", lambda *a: None)]
        ),
        Variant(
            "routing off (endpoint called directly)",
            patches=[(dingconf.app, "build_router", _direct_route(dingconf.app.build_router))],
        ),
        Variant("QPS limit on (1,000,000/s)", {"qps_limit": 1_000_000}),
        Variant("access log json", {"access_log": "json"}),
    ]


async def _started(app: Any) -> Callable[[], Awaitable[None]]:
    """Run ``app``'s lifespan start-up; the coroutine function that shuts it down."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await queue.put({"type": "lifespan.startup"})
    started = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()
        elif message["type"].endswith("failed"):
            raise RuntimeError(message)

    life = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}}, queue.get, send)
    )
    await started.wait()

    async def stop() -> None:
        await queue.put({"type": "lifespan.shutdown"})
        await life

    return stop


async def measure(args: argparse.Namespace, url: str, ids: list[str]) -> list[Variant]:
    sys.stderr = DEVNULL  # the access log's destination, as the bench's servers have it
    chosen = variants()
    callers, stops = [], []
    source = Path(url.removeprefix("sqlite:///"))
    for number, variant in enumerate(chosen):
        copy = source.with_name(f"variant-{number}.sqlite3")
        shutil.copyfile(source, copy)
        with variant.patched():
            settings = replace(Settings(database=f"sqlite:///{copy}"), **variant.settings)
            app = dingconf.app.create_app(settings)
            stops.append(await _started(app))
        callers.append(Caller(app))
    body = json.dumps({"appKey": APP_KEY, "appSecret": APP_SECRET}).encode()
    host = [(b"host", b"127.0.0.1")]
    headers = []  # each copy's own token
    for caller in callers:
        token = json.loads(await caller.call("POST", "/v1.0/oauth2/accessToken", host, body))
        headers.append([*host, (b"x-acs-dingtalk-access-token", token["accessToken"].encode())])
    rng = random.Random(1)
    paths = [_QUERY + (ids[0] if args.polled else rng.choice(ids)) for _ in range(args.calls)]
    for variant, caller, sent in zip(chosen, callers, headers, strict=True):
        with variant.patched():
            for path in paths:  # warm-up: each app's meeting cache filled
                await caller.call("GET", path, sent)
            assert caller.status == 200, (variant.name, caller.status)
    for _ in range(args.rounds):
        order = list(zip(chosen, callers, headers, strict=True))
        rng.shuffle(order)
        for variant, caller, sent in order:
            rng.shuffle(paths)
            with variant.patched():
                cpu = time.process_time()
                for path in paths:
                    await caller.call("GET", path, sent)
                variant.passes.append((time.process_time() - cpu) / len(paths) * 1e6)
    for stop in stops:
        await stop()
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--polled", action="store_true", help="one meeting, not one at random")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dingconf-layers-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        ids = seed(url, args.meetings, Path(tmp))
        try:
            import uvloop

            chosen = uvloop.run(measure(args, url, ids))
        except ImportError:
            chosen = asyncio.run(measure(args, url, ids))
        finally:
            sys.stderr = sys.__stderr__  # a failure's traceback shows
    base = min(chosen[0].passes)
    out = sys.__stdout__
    which = "one meeting polled" if args.polled else f"{args.meetings:,} meetings at random"
    print(f"QueryConferenceInfo in process, {which}: CPU µs per call", file=out)
    print("| variant | best µs per call | median | layer's cost (µs, best) |", file=out)
    print("|---|---:|---:|---:|", file=out)
    for variant in chosen:
        best, median = min(variant.passes), statistics.median(variant.passes)
        cost = "-" if variant is chosen[0] else f"{base - best:+.1f}"
        print(f"| {variant.name} | {best:.1f} | {median:.1f} | {cost} |", file=out)


if __name__ == "__main__":
    main()
