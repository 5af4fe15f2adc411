"""The mock's bridge to its app: a request that needs no waiting runs in the caller's
thread, in the app's turn; what must wait, and the app's background work, run on the
loop's own thread; the app never runs in two threads at once."""

import asyncio
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from dingconf.testing.asgi_bridge import AppThread

Handler = Callable[[dict[str, Any]], Awaitable[bytes]]

#: Seconds to wait for the loop's thread (a bound, never a wait taken in a passing run).
PATIENCE_S = 30


def _app(handler: Handler) -> Any:
    """A minimal ASGI app: its lifespan, and every request answered by ``handler``."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = await handler(scope)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    return app


def _ident() -> bytes:
    return str(threading.get_ident()).encode()


@pytest.fixture
def started() -> Iterator[Callable[[Handler], AppThread]]:
    running: list[AppThread] = []

    def start(handler: Handler) -> AppThread:
        app = AppThread(_app(handler))
        app.start()
        running.append(app)
        return app

    yield start
    for app in running:
        app.stop()


def test_a_request_that_never_waits_runs_in_the_callers_thread(started):
    async def where(scope: dict[str, Any]) -> bytes:
        await asyncio.sleep(0)  # a yield to the loop, which the caller's turn runs too
        return _ident()

    app = started(where)
    assert app.call("GET", "/", "", [], b"").body == _ident()

    # From inside a running loop, sync or async, the loop's own thread answers.
    async def awaited() -> tuple[bytes, bytes]:
        called = app.call("GET", "/", "", [], b"").body
        return called, (await app.acall("GET", "/", "", [], b"")).body

    loops_thread = app._thread.ident
    assert loops_thread is not None
    answers = asyncio.run(awaited())
    assert answers == (str(loops_thread).encode(), str(loops_thread).encode())


def test_a_request_that_waits_is_finished_by_the_loops_thread(started):
    app: AppThread

    def once_the_caller_gave_up_its_turn() -> None:
        with app._turn:  # a worker that cannot finish while the caller runs the loop
            pass

    async def after_a_worker(scope: dict[str, Any]) -> bytes:
        await asyncio.to_thread(once_the_caller_gave_up_its_turn)
        return _ident()

    app = started(after_a_worker)
    answered = app.call("GET", "/", "", [], b"").body
    assert answered not in (_ident(), b"")

    async def awaited() -> bytes:
        return (await app.acall("GET", "/", "", [], b"")).body

    assert asyncio.run(awaited()) == answered


def test_work_a_request_leaves_behind_runs_on_the_loops_thread(started):
    ran: dict[str, threading.Event] = {"soon": threading.Event(), "later": threading.Event()}

    async def leaves_work(scope: dict[str, Any]) -> bytes:
        loop = asyncio.get_running_loop()
        # The loop's thread waits with no timeout (nothing scheduled): both must wake it.
        loop.call_soon(loop.call_soon, ran["soon"].set)
        loop.call_later(0.001, ran["later"].set)
        return b""

    app = started(leaves_work)
    app.call("GET", "/", "", [], b"")
    assert ran["soon"].wait(PATIENCE_S)
    assert ran["later"].wait(PATIENCE_S)


def test_the_app_never_runs_in_two_threads_at_once(started):
    inside: list[int] = []
    overlaps: list[list[int]] = []

    async def counted(scope: dict[str, Any]) -> bytes:
        inside.append(threading.get_ident())
        for _ in range(200):
            if len(inside) > 1:
                overlaps.append(list(inside))
        inside.remove(threading.get_ident())
        await asyncio.sleep(0)
        return b"ok"

    app = started(counted)
    answers: list[bytes] = []

    def caller() -> None:
        for _ in range(100):
            answers.append(app.call("GET", "/", "", [], b"").body)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads change hands as often as the interpreter lets them
    try:
        threads = [threading.Thread(target=caller) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert answers == [b"ok"] * 400
    assert overlaps == []


def test_calls_get_their_turn_while_background_work_keeps_the_loop_busy():
    spins: list[int] = [0]

    async def busy() -> None:
        while True:  # background work that always has its next step ready
            spins[0] += 1
            await asyncio.sleep(0)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            running = asyncio.create_task(busy())
            await send({"type": "lifespan.startup.complete"})
            await receive()
            running.cancel()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(spins[0]).encode()})

    bridge = AppThread(app)
    bridge.start()
    try:
        seen = [int(bridge.call("GET", "/", "", [], b"").body) for _ in range(200)]
    finally:
        bridge.stop()
    assert seen == sorted(seen)
    assert seen[-1] > seen[0]  # the background work ran between the calls
