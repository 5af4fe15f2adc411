"""The app in this process, called as an HTTP server would call it: no socket, no
subprocess. Each request runs in a task of its own, as under an HTTP server."""

import asyncio
import json
from collections.abc import Coroutine
from typing import Any, TypeVar

from starlette.types import Message

from asgi_scope import http_scope
from dingconf.app import Services, create_app
from dingconf.core.config import Settings

from conftest import SEED

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on an event loop of its own."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


class InProcessApp:
    """``create_app`` on ``database_url``, loaded with ``seed``, started and stopped
    through the ASGI lifespan (``async with``)."""

    def __init__(
        self,
        database_url: str,
        seed: dict[str, Any] = SEED,
        access_log: str = "off",
        **settings: Any,
    ) -> None:
        self.services: Services | None = None

        async def started(services: Services) -> None:
            await services.provisioning.load_seed(seed)
            self.services = services

        self.app = create_app(
            Settings(database=database_url, access_log=access_log, **settings), on_startup=started
        )
        self._life: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> "InProcessApp":
        up = asyncio.Event()

        async def send(message: Message) -> None:
            if message["type"] == "lifespan.startup.complete":
                up.set()
            assert not message["type"].endswith("failed"), message

        await self._life.put({"type": "lifespan.startup"})
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
        self._task = asyncio.create_task(self.app(scope, self._life.get, send))
        await asyncio.wait_for(up.wait(), 30)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._life.put({"type": "lifespan.shutdown"})
        assert self._task is not None
        await self._task

    async def call(
        self, method: str, target: str, body: Any = None, token: str = ""
    ) -> tuple[int, Any]:
        """One request (``target``: a path, with a query string or not); the reply's
        status and body: decoded JSON, the bytes of anything else, None when empty."""
        sent: list[Message] = []
        content = b"" if body is None else json.dumps(body).encode()
        headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")]
        if token:
            headers.append((b"x-acs-dingtalk-access-token", token.encode()))

        async def receive() -> Message:
            return {"type": "http.request", "body": content, "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        path, _, query = target.partition("?")
        scope = http_scope(method, path, headers) | {"query_string": query.encode()}
        await asyncio.create_task(self.app(scope, receive, send))
        status = next(m["status"] for m in sent if m["type"] == "http.response.start")
        payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        if not payload:
            return status, None
        return status, json.loads(payload) if payload[:1] in (b"{", b"[") else payload
