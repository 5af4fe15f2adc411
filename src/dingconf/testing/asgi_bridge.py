"""An ASGI app run in this process, called as an HTTP server would call it: no socket.

The app lives on a private event loop in a daemon thread, started through its
lifespan; that thread runs its background tasks. One loop owns the app, so
its store, its background tasks and its locks never meet another loop.

A sync request from a thread that runs no event loop of its own takes the
app's *turn* instead of hopping threads: the loop's
thread holds the turn except while it waits for I/O or a timer, so a caller
that takes it runs the loop in its own thread, with the app's state its
alone, until its request's task is done, then hands the turn back. Waking
the loop's thread and then the caller, the GIL changing hands twice, cost
half of what answering a query does; a request that must wait for
something outside the loop (a secret's hash in a worker thread) is left to
the loop's thread and the caller waits for it. docs/performance.md has the
figures. Requests from inside a running event loop (``async`` callers, or
sync calls made in an async test) are answered by the loop's thread: a
task of one loop cannot step while another loop's task is current in the
same thread.
"""

import asyncio
import selectors
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.types import ASGIApp, Message

__all__ = ["AppThread", "Dropped", "Reply"]

T = TypeVar("T")

#: Seconds the app has to start or stop (migrations on a fresh database take well under one).
_LIFESPAN_TIMEOUT_S = 60


class Dropped(ConnectionResetError):
    """The app cut the connection instead of answering (a fault rule's ``drop``)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """One answer: status, headers (lower-case names) and body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


async def _call(
    app: ASGIApp, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes
) -> Reply:
    """One request through ``app``, as one connection of an HTTP/1.1 server hands it."""
    sent: list[Message] = []
    names = {name.lower() for name, _ in headers}
    raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    if "host" not in names:
        raw_headers.append((b"host", b"127.0.0.1"))
    if body and "content-length" not in names:
        raw_headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }
    requested = False

    async def receive() -> Message:
        nonlocal requested
        if requested:  # a server's next message once the body is read: the client left
            await asyncio.Event().wait()
        requested = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    try:
        await app(scope, receive, send)
    except Exception as exc:
        raise Dropped(f"dingconf cut the connection ({type(exc).__name__})") from exc
    bodies = [m for m in sent if m["type"] == "http.response.body"]
    if not bodies or bodies[-1].get("more_body", False):
        raise Dropped("dingconf cut the connection")
    start = next(m for m in sent if m["type"] == "http.response.start")
    return Reply(
        status=start["status"],
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in start.get("headers", [])],
        body=b"".join(m.get("body", b"") for m in bodies),
    )


class _TurnSelector(selectors.DefaultSelector):
    """The loop's selector: its thread gives up the app's turn while it waits.

    Another thread running the loop in its turn polls no I/O: the loop's own
    thread does, so that an event is handled once.
    """

    def __init__(self, turn: threading.Lock) -> None:
        super().__init__()
        self._turn = turn
        self.owner: int | None = None  # the loop's thread, once it runs

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if threading.get_ident() != self.owner:
            return []
        self._turn.release()
        try:
            return super().select(timeout)
        finally:
            self._turn.acquire()


def _wake() -> None:
    """Scheduled only to wake the loop's thread: it waits on what it knew."""


class AppThread:
    """``app`` started on a private event loop in a daemon thread, until :meth:`stop`."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._turn = threading.Lock()
        self._selector = _TurnSelector(self._turn)
        self._loop = asyncio.SelectorEventLoop(self._selector)
        # Debug mode refuses calls from a thread other than the loop's, which a turn is.
        self._loop.set_debug(False)
        self._thread = threading.Thread(target=self._serve, name="dingconf-mock", daemon=True)
        self._life: asyncio.Queue[Message] | None = None
        self._lifespan: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the loop and the app's lifespan; return once the app is up."""
        self._thread.start()
        try:
            self._run(self._startup())
        except BaseException:
            self._close_loop()
            raise

    def stop(self) -> None:
        """Shut the app down through its lifespan, then stop and close the loop."""
        try:
            self._run(self._shutdown())
        finally:
            self._close_loop()

    def call(
        self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes
    ) -> Reply:
        """One request, blocking the calling thread (any thread but the app's)."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("a blocking call from the app's own loop would never return")
        if asyncio.events._get_running_loop() is not None:
            # Called from a task of another loop (a sync call in an async test): a
            # task of the app's loop cannot step while that one is current (Python
            # 3.14 keeps the current task per thread), so the loop's thread answers.
            return self._run(_call(self._app, method, path, query, headers, body))
        with self._turn:
            task = self._in_turn(_call(self._app, method, path, query, headers, body))
        if not task.done():
            done = threading.Lock()
            done.acquire()
            self._loop.call_soon_threadsafe(task.add_done_callback, lambda _: done.release())
            done.acquire()
        return task.result()

    async def acall(
        self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes
    ) -> Reply:
        """One request, awaited from the caller's event loop (never blocked waiting).

        The loop's thread answers it: the caller runs a task of its own loop, and
        a task of the app's loop cannot step in its thread meanwhile (see :meth:`call`).
        """
        work = _call(self._app, method, path, query, headers, body)
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self._loop))

    def _in_turn(self, work: Coroutine[Any, Any, T]) -> "asyncio.Task[T]":
        """``work`` as a task of the app's loop, run in this thread (which holds the
        turn) until it is done or waits for something only the loop's thread sees."""
        loop = self._loop
        # The loop's private parts: its queue of ready callbacks, its timers and
        # one iteration of it; asyncio has no public way to lend a loop to a thread.
        first_timer = loop._scheduled[0] if loop._scheduled else None  # type: ignore[attr-defined]
        outer = asyncio.events._get_running_loop()
        asyncio.events._set_running_loop(loop)
        try:
            task = loop.create_task(work)
            while not task.done() and loop._ready:  # type: ignore[attr-defined]
                loop._run_once()  # type: ignore[attr-defined]
        finally:
            asyncio.events._set_running_loop(outer)
        scheduled = loop._scheduled  # type: ignore[attr-defined]
        if loop._ready or (scheduled and scheduled[0] is not first_timer):  # type: ignore[attr-defined]
            # The loop's thread waits with a timeout it chose before these came.
            loop.call_soon_threadsafe(_wake)
        return task

    def _serve(self) -> None:
        self._selector.owner = threading.get_ident()
        with self._turn:
            self._loop.run_forever()

    def _run(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result()

    async def _startup(self) -> None:
        life: asyncio.Queue[Message] = asyncio.Queue()
        answers: asyncio.Queue[Message] = asyncio.Queue()
        await life.put({"type": "lifespan.startup"})
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
        self._life = life

        async def lifespan() -> None:
            await self._app(scope, life.get, answers.put)

        self._lifespan = asyncio.create_task(lifespan())
        answer = await asyncio.wait_for(answers.get(), _LIFESPAN_TIMEOUT_S)
        if answer["type"] != "lifespan.startup.complete":
            # The start-up's own error (a bad seed says which entry), not its traceback's text.
            (failure,) = await asyncio.gather(self._lifespan, return_exceptions=True)
            if isinstance(failure, Exception):
                raise failure
            raise RuntimeError(f"dingconf did not start: {answer.get('message', answer)}")

    async def _shutdown(self) -> None:
        assert self._life is not None
        assert self._lifespan is not None
        await self._life.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(self._lifespan, _LIFESPAN_TIMEOUT_S)

    def _close_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
