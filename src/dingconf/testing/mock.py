"""``dingconf.mock()``: a dingconf in this process, for unit tests of SDK and HTTP code.

While a mock is active, the official Python SDK, unchanged and whatever endpoint
it was given, talks to an in-process dingconf: no port, no process, no start-up
beyond a fresh SQLite database. A context manager and a decorator (of sync and
``async def`` functions)::

    with dingconf.mock() as m:
        token = m.token("demo-app", "demo-secret")
        ...                                  # the SDK's calls reach m
        m.participants.join(conference_id, "demo-bob")

    @dingconf.mock(seed="seed.yaml")
    def test_bot(): ...

Each activation starts a fresh dingconf (its own temporary SQLite) loaded with
the seed, or with the demo organisation: corpId ``dingdemo``, users
``demo-alice``, ``demo-bob``, ``demo-carol`` and the app ``demo-app`` /
``demo-secret``. The control API's helpers are attributes, as on
:class:`~dingconf.testing.plugin.DingconfServer`. Plain HTTP clients opt in
with :meth:`DingconfMock.httpx_transport` and :meth:`DingconfMock.requests_adapter`.
A mock writes no access log: there is no terminal to write to, and its journal
keeps the last 1,000 requests (``journal_size=``).
"""

import asyncio
import functools
import inspect
import json
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar, cast

import yaml

from dingconf.app import Services, create_app
from dingconf.core.config import (
    DEMO_APP_KEY,
    DEMO_CORP,
    DEMO_ORG_NAME,
    DEMO_SECRET,
    DEMO_USERS,
    Settings,
)
from dingconf.testing.asgi_bridge import AppThread, Reply
from dingconf.testing.plane import ControlPlane, Response
from dingconf.testing.sdk_seam import route_sdk_to, stop_routing

__all__ = ["DEMO_SEED", "DingconfMock", "mock"]

F = TypeVar("F", bound=Callable[..., Any])

#: The organisation a mock holds without a seed, with its documented local credentials.
DEMO_SEED: dict[str, Any] = {
    "orgs": [
        {
            "corpId": DEMO_CORP,
            "name": DEMO_ORG_NAME,
            "users": [{"unionId": union_id, "nick": nick} for union_id, nick in DEMO_USERS],
            "apps": [{"appKey": DEMO_APP_KEY, "appSecret": DEMO_SECRET}],
        }
    ]
}

#: What a seed may be: a seed file's path (YAML or JSON, as ``serve --seed`` takes) or its document.
Seed = str | Path | Mapping[str, Any]


def _seed_document(seed: Seed | None) -> object:
    if seed is None:
        return DEMO_SEED
    if isinstance(seed, Mapping):
        return seed
    path = Path(seed)
    text = path.read_text(encoding="utf-8")
    return json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


class DingconfMock(ControlPlane):
    """An in-process dingconf, active inside ``with`` (or a decorated function's calls).

    Entering it again while active (nested, or a decorated function calling
    another) reuses the running one; the last exit stops it and drops its state.
    """

    def __init__(self, seed: Seed | None = None, **settings: Any) -> None:
        super().__init__()
        self._document = _seed_document(seed)
        Settings(**settings)  # a misspelt setting fails here rather than at the first ``with``
        self._settings = settings
        self._lock = threading.Lock()
        self._depth = 0
        self._app: AppThread | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def endpoint(self) -> str:
        """An endpoint for SDK clients; under the mock, any other reaches it too."""
        return "api.dingtalk.com"

    def __enter__(self) -> "DingconfMock":
        with self._lock:
            if self._depth == 0:
                self._start()
            self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                self._stop()

    async def __aenter__(self) -> "DingconfMock":
        # Starting takes a fresh database's migrations: off the caller's loop.
        return await asyncio.to_thread(self.__enter__)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.__exit__, exc_type, exc, traceback)

    def __call__(self, func: F) -> F:
        """Decorate ``func`` (sync or ``async def``): the mock is active during each call."""
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def awaited(*args: Any, **kwargs: Any) -> Any:
                async with self:
                    return await func(*args, **kwargs)

            return cast(F, awaited)

        @functools.wraps(func)
        def called(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return cast(F, called)

    def token(self, app_key: str = DEMO_APP_KEY, app_secret: str = DEMO_SECRET) -> str:
        """An internal app's access token (by default the demo app's)."""
        return super().token(app_key, app_secret)

    def call(
        self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes
    ) -> Reply:
        """One raw request, from sync code."""
        return self._running.call(method, path, query, headers, body)

    async def acall(
        self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes
    ) -> Reply:
        """One raw request, awaited from the caller's event loop."""
        return await self._running.acall(method, path, query, headers, body)

    def httpx_transport(self) -> Any:
        """An ``httpx`` transport to this mock, for ``httpx.Client(transport=...)`` and
        ``httpx.AsyncClient(transport=...)`` (needs httpx installed)."""
        from dingconf.testing.httpx_transport import HttpxTransport

        return HttpxTransport(self)

    def requests_adapter(self) -> Any:
        """A ``requests`` adapter to this mock: ``session.mount("https://", adapter)``
        (and ``http://``) sends that session's requests here (needs requests installed)."""
        from dingconf.testing.requests_adapter import RequestsAdapter

        return RequestsAdapter(self)

    def _send(
        self, method: str, path: str, data: bytes | None, headers: dict[str, str]
    ) -> Response:
        target, _, query = path.partition("?")
        reply = self.call(method, target, query, list(headers.items()), data or b"")
        payload = json.loads(reply.body) if reply.body else None
        return reply.status, dict(reply.headers), payload

    @property
    def _running(self) -> AppThread:
        if self._app is None:
            raise RuntimeError("this dingconf mock is not active (use it in a with block)")
        return self._app

    def _start(self) -> None:
        # First, so that an SDK whose seam moved fails before anything starts.
        route_sdk_to(self)
        workdir = tempfile.TemporaryDirectory(prefix="dingconf-mock-")
        database = f"sqlite:///{Path(workdir.name) / 'dingconf.sqlite3'}"

        async def loaded(services: Services) -> None:
            await services.provisioning.load_seed(self._document)
            # A reset goes back to the seed, as after ``serve --seed``.
            await services.state.capture_baseline()

        try:
            settings = Settings(**{"database": database, "access_log": "off", **self._settings})
            app = AppThread(create_app(settings, on_startup=loaded))
            app.start()
        except BaseException:
            stop_routing(self)
            workdir.cleanup()
            raise
        self._app, self._workdir = app, workdir

    def _stop(self) -> None:
        app, workdir = self._app, self._workdir
        assert app is not None
        assert workdir is not None
        self._app = self._workdir = None
        try:
            stop_routing(self)
        finally:
            try:
                app.stop()
            finally:
                workdir.cleanup()


def mock(seed: Seed | None = None, **settings: Any) -> DingconfMock:
    """An in-process dingconf for the official SDK and opted-in HTTP clients.

    ``seed``: a seed file's path or a seed document, as ``dingconf serve --seed``
    takes (default: the demo organisation, app ``demo-app`` / ``demo-secret``).
    ``settings``: more :class:`~dingconf.core.config.Settings` fields, e.g.
    ``random_seed=1`` or ``qps_limit=20``.
    """
    return DingconfMock(seed, **settings)
