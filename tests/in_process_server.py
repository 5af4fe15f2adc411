"""A dingconf server in the test process: ``DingconfServer``'s API at milliseconds' cost.

``dingconf serve`` in a subprocess costs most of a second to start (the
imports, mostly). Tests whose subject is not the process (the CLI, signals,
several processes, a kill) serve the app here instead: granian's embedded
server (the HTTP server ``serve`` runs) on 127.0.0.1:<free port>, in a thread
with its own event loop, so the official SDKs and any HTTP client reach it
as they reach a served process.
"""

import asyncio
import json
import logging
import sys
import threading
import time
import traceback
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TextIO

import uvloop
from granian.constants import Interfaces
from granian.server.embed import Server

from dingconf.app import Services, create_app
from dingconf.cli.jobs import run
from dingconf.cli.serve import _start_state
from dingconf.core.config import Secret, Settings
from dingconf.testing.plugin import DingconfServer


class InProcessServer(DingconfServer):
    """A :class:`DingconfServer` served in this process.

    ``settings`` are :class:`~dingconf.core.config.Settings` fields standing for
    ``serve``'s options (``journal_size=3`` for ``--journal-size 3``). ``seed``
    is loaded, and the baseline a reset goes back to is taken, as ``serve
    --seed`` does before serving. :meth:`log` holds what ``serve`` would print
    while serving: the access log and the ``dingconf`` loggers' records (those
    of this server's thread, at the level this process lets through: warnings
    unless configured), not the start-up lines. :attr:`services` are the app's own.
    """

    def __init__(
        self,
        workdir: Path,
        seed: dict[str, Any] | None = None,
        database: str | None = None,
        admin_token: str | None = None,
        **settings: Any,
    ) -> None:
        super().__init__(workdir, seed=seed, database=database, admin_token=admin_token)
        self._settings = settings
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Any = None
        self._failure: BaseException | None = None
        self._log_file: TextIO | None = None
        self._log_handler: logging.Handler | None = None
        self.services: Services | None = None

    def start(self, timeout_s: float = 30) -> "InProcessServer":
        """Prepare the database as ``serve`` does, serve the app, wait until it answers."""
        secret = Secret(self.admin_token) if self.admin_token else None
        settings = Settings(
            port=self.port, database=self.database, admin_token=secret, **self._settings
        )
        prepare(settings, self.workdir, self._seed)
        name = f"dingconf-{self.port}"
        self._log_file = self.log_path.open("a", encoding="utf-8")
        self._log_handler = _thread_log(self._log_file, name)
        logging.getLogger("dingconf").addHandler(self._log_handler)
        self._thread = threading.Thread(
            target=self._serve, args=(settings,), name=name, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self._thread.is_alive():
                raise RuntimeError("dingconf stopped while starting") from self._failure
            try:
                with urllib.request.urlopen(f"{self.url}/_dingconf/health", timeout=1):
                    return self
            except OSError:
                time.sleep(0.005)
        self.stop()
        raise RuntimeError(f"dingconf did not start within {timeout_s}s")

    def _serve(self, settings: Settings) -> None:
        async def started(services: Services) -> None:
            self.services = services

        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            self._server = Server(
                create_app(settings, on_startup=started, access_log_stream=self._log_file),
                address="127.0.0.1",
                port=self.port,
                interface=Interfaces.ASGI,
                log_enabled=False,
            )
            await self._server.serve()

        try:
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                runner.run(serve())
        except BaseException as exc:
            self._failure = exc
            raise

    def stop(self, timeout_s: float = 30) -> None:
        """Stop serving: the app's lifespan ends (its tasks stopped, its store closed)."""
        if self._thread is None:
            return
        if self._loop is not None and self._server is not None:
            self._loop.call_soon_threadsafe(self._server.stop)
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            raise RuntimeError(f"dingconf did not stop within {timeout_s}s:\n{self._stuck()}")
        self._thread = None
        if self._log_handler is not None and self._log_file is not None:
            logging.getLogger("dingconf").removeHandler(self._log_handler)
            self._log_file.close()
        if self._failure is not None:
            raise RuntimeError("dingconf failed") from self._failure

    def _stuck(self) -> str:
        """Where the server's thread and its tasks wait (for a stop that never ends)."""
        assert self._thread is not None
        frame = sys._current_frames().get(self._thread.ident or 0)
        lines = traceback.format_stack(frame) if frame is not None else []
        if self._loop is not None:
            for task in list(asyncio.all_tasks(self._loop)):
                lines.append(f"task {task.get_name()}: {task.get_stack(limit=3)}\n")
        return "".join(lines)

    def sweep_presence(self) -> None:
        """Run the join pages' presence sweep now, by the database's clock, as the
        server's own sweeper does every few seconds."""
        assert self._loop is not None and self.services is not None
        services = self.services

        async def sweep() -> None:
            await services.shared_clock.refresh()
            await services.presence.sweep()

        asyncio.run_coroutine_threadsafe(sweep(), self._loop).result(30)

    def process_tree(self) -> list[int]:
        raise NotImplementedError("served in process: no process of its own")

    def kill(self) -> None:
        raise NotImplementedError("served in process: kill a DingconfServer instead")

    def __enter__(self) -> "InProcessServer":
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def _thread_log(stream: TextIO, thread_name: str) -> logging.Handler:
    """A handler writing the records of one thread as ``serve`` writes its own."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(lambda record: record.threadName == thread_name)
    return handler


def prepare(settings: Settings, workdir: Path, seed: dict[str, Any] | None) -> None:
    """Leave the database as ``serve --seed`` (``serve`` when None) does before serving."""
    seed_path = None
    if seed is not None:
        seed_path = workdir / "seed.json"
        seed_path.write_text(json.dumps(seed), encoding="utf-8")
    # On a thread of its own: the caller's may be running an event loop (Playwright's).
    with ThreadPoolExecutor(1) as thread:
        thread.submit(run, settings, lambda s: _start_state(s, seed_path, None, settings)).result()
