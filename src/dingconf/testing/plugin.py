"""A pytest plugin: a real dingconf server on 127.0.0.1 for your tests.

Installed with the package (entry point ``pytest11``). Use the
``dingconf_server`` fixture, or start your own :class:`DingconfServer`::

    def test_bot(dingconf_server):
        token = dingconf_server.token("test-app", "test-secret")  # DEFAULT_SEED's app
        status, _, made = dingconf_server.request(
            "POST",
            "/v1.0/conference/videoConferences",
            json={"userId": "u-host", "confTitle": "Bot"},
            headers={"x-acs-dingtalk-access-token": token},
        )
        assert status == 200
        dingconf_server.participants.join(made["conferenceId"], "u-alice")

The server is a separate process speaking HTTP, exactly as your code would
meet DingTalk; the control API drives participants and the clock. For unit
tests of SDK or HTTP code, the ``dingconf_mock`` fixture is an in-process
dingconf instead (:func:`dingconf.mock`): no port, no process.

For tests that must not see each other's meetings, take ``dingconf_org``: a
fresh organisation per test (its own corpId, users, an app with Read and
Write, a token and an official-SDK conference client), so tests can share one
server and run in parallel. Or call ``server.state.reset()`` to go back to
the seed between tests.
"""

import contextlib
import json as jsonlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from dingconf.testing.plane import ControlPlane, DingconfOrg, Response
from dingconf.testing.shared import shared_across_workers

if TYPE_CHECKING:
    from dingconf.testing.mock import DingconfMock

__all__ = [
    "DEFAULT_SEED",
    "DingconfOrg",
    "DingconfServer",
    "dingconf_mock",
    "dingconf_org",
    "dingconf_server",
    "free_port",
]

#: The seed of the ``dingconf_server`` fixture.
DEFAULT_SEED: dict[str, Any] = {
    "orgs": [
        {
            "corpId": "dingtest",
            "name": "Test Org",
            "users": [
                {"unionId": "u-host", "nick": "Host"},
                {"unionId": "u-alice", "nick": "Alice"},
                {"unionId": "u-bob", "nick": "Bob"},
                {"unionId": "u-carol", "nick": "Carol"},
            ],
            "apps": [{"appKey": "test-app", "appSecret": "test-secret"}],
        }
    ]
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class DingconfServer(ControlPlane):
    """One ``dingconf serve`` process, its database, and helpers to drive it.

    The process, HTTP and credentials are the server's own; the control API's
    other concerns are helpers reached as attributes: :attr:`clock`,
    :attr:`participants`, :attr:`events`, :attr:`state`, :attr:`journal` and
    :attr:`faults`.
    """

    def __init__(
        self,
        workdir: Path,
        seed: dict[str, Any] | None = None,
        database: str | None = None,
        extra_args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        admin_token: str | None = None,
    ) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.database = database or f"sqlite:///{workdir / 'dingconf.sqlite3'}"
        self.log_path = workdir / "server.log"
        self._seed = seed
        self._extra_args = extra_args
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None
        #: Sent by :meth:`request` on control-API calls.
        self.admin_token = admin_token
        super().__init__()

    @property
    def endpoint(self) -> str:
        """``host:port``, as the official SDK's ``Config(endpoint=...)`` wants it."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The base URL."""
        return f"http://{self.endpoint}"

    def start(self, timeout_s: float = 30) -> "DingconfServer":
        """Start the process and wait until it answers."""
        args = [sys.executable, "-m", "dingconf", "serve", "--port", str(self.port)]
        args += ["--database", self.database, *self._extra_args]
        secret = {"DINGCONF_ADMIN_TOKEN": self.admin_token} if self.admin_token else {}
        if self._seed is not None:
            seed_path = self.workdir / "seed.json"
            seed_path.write_text(jsonlib.dumps(self._seed), encoding="utf-8")
            args += ["--seed", str(seed_path)]
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            args,
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            # The token goes in the environment: arguments show in the process list.
            env={**os.environ, **secret, **(self._env or {})},
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"dingconf exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_dingconf/health", timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dingconf did not start within {timeout_s}s:\n{self.log()}")

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL)."""
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def process_tree(self) -> list[int]:
        """The pids of the server process and its worker processes (Linux)."""
        if self._process is None:
            return []
        found, pending = [], [self._process.pid]
        while pending:
            pid = pending.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                pending += [int(child) for child in task.read_text().split()]
        return found

    def kill(self) -> None:
        """Crash the server: SIGKILL its process and its workers, nothing flushed or closed."""
        if self._process is None:
            return
        for pid in self.process_tree():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._process.wait()
        self._process = None

    def log(self) -> str:
        """Everything the server printed."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def _send(
        self, method: str, path: str, data: bytes | None, headers: dict[str, str]
    ) -> Response:
        if self.admin_token and path.startswith("/_dingconf"):
            headers.setdefault("x-dingconf-admin-token", self.admin_token)
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, dict(resp.headers.items()), jsonlib.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers.items()), jsonlib.loads(err.read())


def _start_shared(workdir: Path) -> tuple[DingconfServer, dict[str, Any]]:
    server = DingconfServer(workdir, seed=DEFAULT_SEED).start()
    return server, {"database": server.database, "port": server.port}


def _attach_shared(workdir: Path, info: dict[str, Any]) -> DingconfServer:
    server = DingconfServer(workdir, database=info["database"])
    server.port = info["port"]
    return server


@pytest.fixture(scope="session")
def dingconf_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DingconfServer]:
    """A dingconf server for the test session, seeded with :data:`DEFAULT_SEED`.

    Under pytest-xdist every worker shares one server: give each test its own
    organisation (``dingconf_org``) and they never see each other's meetings.
    """
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = tmp_path_factory.getbasetemp().parent
        with shared_across_workers(base, _start_shared, _attach_shared) as shared:
            yield shared
        return
    with tempfile.TemporaryDirectory(prefix="dingconf-") as tmp:
        server = DingconfServer(Path(tmp), seed=DEFAULT_SEED).start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def dingconf_org(dingconf_server: DingconfServer) -> DingconfOrg:
    """A fresh organisation on the session's server for this test alone."""
    return dingconf_server.create_org()


@pytest.fixture
def dingconf_mock() -> "Iterator[DingconfMock]":
    """An in-process dingconf for this test (:func:`dingconf.mock`, the demo organisation):
    the official SDK, whatever its endpoint, talks to it; no port, no process."""
    from dingconf.testing.mock import mock

    with mock() as active:
        yield active
