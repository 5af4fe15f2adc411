"""The official ``dingtalk-stream`` SDK, unchanged, receiving dingconf's events in a thread.

Only ``DingTalkStreamClient.OPEN_CONNECTION_API`` is pointed at dingconf, as
the README tells users to do.
"""

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dingtalk_stream
from dingtalk_stream import AckMessage, EventMessage

from dingconf.testing.plugin import DingconfServer


@dataclass
class Received:
    """One EVENT frame as the SDK parsed it, and the ack code the test answered."""

    headers: Any
    data: dict[str, Any]
    code: int


#: Decides the ack code for an event, given how often its eventId arrived so far.
AckPlan = Callable[[EventMessage, int], int]


def always_ok(_event: EventMessage, _seen: int) -> int:
    return AckMessage.STATUS_OK


class StreamListener:
    """A Stream-mode client of one app, collecting every EVENT frame it is sent."""

    def __init__(
        self, server: DingconfServer, app_key: str, secret: str, plan: AckPlan = always_ok
    ) -> None:
        self.server = server
        self.frames: queue.Queue[Received] = queue.Queue()
        self._seen: dict[str, int] = {}
        self._plan = plan
        self._credential = dingtalk_stream.Credential(app_key, secret)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()
        self.client: dingtalk_stream.DingTalkStreamClient | None = None

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        listener = self

        class Handler(dingtalk_stream.EventHandler):
            async def process(self, event: EventMessage):  # type: ignore[override]
                seen = listener._seen.get(event.headers.event_id, 0) + 1
                listener._seen[event.headers.event_id] = seen
                code = listener._plan(event, seen)
                listener.frames.put(Received(event.headers, event.data, code))
                return code, "OK" if code == AckMessage.STATUS_OK else "later"

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        dingtalk_stream.DingTalkStreamClient.OPEN_CONNECTION_API = (
            f"{self.server.url}/v1.0/gateway/connections/open"
        )
        client = dingtalk_stream.DingTalkStreamClient(self._credential)
        client.register_all_event_handler(Handler())
        self.client = client
        task = asyncio.create_task(client.start())
        self._ready.set()
        await self._stop.wait()
        if client.websocket is not None:
            with contextlib.suppress(Exception):
                await client.websocket.close()
        # start() swallows one cancellation (it then sleeps before reconnecting).
        for _ in range(3):
            task.cancel()
            await asyncio.sleep(0.01)
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    def __enter__(self) -> "StreamListener":
        self._thread.start()
        self._ready.wait(10)
        self.wait_connected()
        return self

    def wait_connected(self, timeout_s: float = 10) -> None:
        """Until the SDK's WebSocket is open."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            ws = self.client.websocket if self.client else None
            if (
                ws is not None
                and getattr(ws, "state", None) is not None
                and ws.state.name == "OPEN"
            ):
                return
            time.sleep(0.02)
        raise AssertionError("the Stream client did not connect")

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(5)

    def take(self, n: int, timeout_s: float = 15) -> list[Received]:
        """The next ``n`` frames received (waiting for them)."""
        deadline = time.monotonic() + timeout_s
        got: list[Received] = []
        while len(got) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"only {len(got)} of {n} events arrived: {got}")
            with contextlib.suppress(queue.Empty):
                got.append(self.frames.get(timeout=left))
        return got

    def quiet(self, seconds: float) -> list[Received]:
        """Whatever arrives within ``seconds`` (expected: nothing)."""
        time.sleep(seconds)
        extra = []
        while not self.frames.empty():
            extra.append(self.frames.get_nowait())
        return extra
