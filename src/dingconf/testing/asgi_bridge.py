"""An ASGI app run in this process, called as an HTTP server would call it: no socket.

The app lives on a private event loop in a daemon thread, started through its
lifespan. Sync callers block on it from any thread; async callers await it from
their own loop. One loop owns the app, so its store, its background tasks and
its locks never meet another loop.
"""

import asyncio
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


def _new_loop() -> asyncio.AbstractEventLoop:
    """uvloop's where installed (as ``dingconf serve`` runs): its hand-offs between
    threads and its tasks cost a fraction of asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class AppThread:
    """``app`` started on a private event loop in a daemon thread, until :meth:`stop`."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._loop = _new_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="dingconf-mock", daemon=True
        )
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
        # A bare lock and a task: half the cost of run_coroutine_threadsafe's
        # futures, and a call's hop between threads is most of the mock's own cost.
        done = threading.Lock()
        done.acquire()
        answered: list[asyncio.Task[Reply]] = []

        def finished(task: asyncio.Task[Reply]) -> None:
            answered.append(task)
            done.release()

        def begin() -> None:
            task = self._loop.create_task(_call(self._app, method, path, query, headers, body))
            task.add_done_callback(finished)

        self._loop.call_soon_threadsafe(begin)
        done.acquire()
        return answered[0].result()

    async def acall(
        self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes
    ) -> Reply:
        """One request, awaited from the caller's event loop (which stays free meanwhile)."""
        done = asyncio.run_coroutine_threadsafe(
            _call(self._app, method, path, query, headers, body), self._loop
        )
        return await asyncio.wrap_future(done)

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
