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
meet DingTalk; the control API drives participants and the clock.

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
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dingconf.testing.controls import Clock, Events, Participants, State
from dingconf.testing.shared import shared_across_workers
from dingconf.testing.toolkit import Faults, Journal

__all__ = [
    "DEFAULT_SEED",
    "DingconfOrg",
    "DingconfServer",
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


class DingconfServer:
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
        #: The server clock: ``advance(ms)``, ``move(...)``.
        self.clock = Clock(self._ok)
        #: People in meetings: ``join``, ``leave``, ``say``, ``report_network``, ``decline``.
        self.participants = Participants(self._ok)
        #: ``events(app_key)`` lists an app's events; ``events.wait_for(...)`` awaits one.
        self.events = Events(self._ok)
        #: The whole state: ``reset()``, ``export()``, ``load(document)``.
        self.state = State(self._ok)
        #: ``journal(...)`` lists journaled calls; ``count``, ``clear``, ``assert_called``.
        self.journal = Journal(self._ok)
        #: ``faults()`` lists fault rules; ``add``, ``injected``, ``remove``, ``clear``,
        #: ``set_qps_limit``.
        self.faults = Faults(self._ok)

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

    def request(
        self,
        method: str,
        path: str,
        body: object = None,
        headers: dict[str, str] | None = None,
        *,
        json: object = None,
    ) -> tuple[int, dict[str, str], Any]:
        """Send one request; return status, headers and the decoded JSON body.

        The body is sent as JSON; ``json=`` is another name for ``body``, as
        httpx and requests spell it.
        """
        if body is not None and json is not None:
            raise TypeError("request() takes the body as body or json=, not both")
        sent = body if json is None else json
        data = None if sent is None else jsonlib.dumps(sent).encode()
        all_headers = {"content-type": "application/json", **(headers or {})}
        if self.admin_token and path.startswith("/_dingconf"):
            all_headers.setdefault("x-dingconf-admin-token", self.admin_token)
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, dict(resp.headers.items()), jsonlib.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers.items()), jsonlib.loads(err.read())

    def _ok(self, method: str, path: str, body: object = None) -> Any:
        status, _, payload = self.request(method, path, body)
        if status != 200:
            raise AssertionError(f"{method} {path} -> {status} {payload}")
        return payload

    def token(self, app_key: str = "test-app", app_secret: str = "test-secret") -> str:
        """An internal app's access token."""
        payload = self._ok(
            "POST", "/v1.0/oauth2/accessToken", {"appKey": app_key, "appSecret": app_secret}
        )
        token: str = payload["accessToken"]
        return token

    def revoke_tokens(self, app_key: str) -> int:
        """Revoke every access token of an internal app; return how many there were."""
        path = f"/_dingconf/apps/{urllib.parse.quote(app_key, safe='')}/revokeTokens"
        revoked: int = self._ok("POST", path)["revoked"]
        return revoked

    def create_org(
        self,
        corp_id: str | None = None,
        users: list[tuple[str, str]] | None = None,
        scopes: list[str] | None = None,
    ) -> "DingconfOrg":
        """A fresh organisation with users, an app and its token (ids generated if left out)."""
        body: dict[str, Any] = {}
        if corp_id:
            body["corpId"] = corp_id
        if users is not None:
            body["users"] = [{"unionId": u, "nick": n} for u, n in users]
        if scopes is not None:
            body["scopes"] = scopes
        made = self._ok("POST", "/_dingconf/orgs", body)
        return DingconfOrg(
            server=self,
            corp_id=made["corpId"],
            app_key=made["appKey"],
            app_secret=made["appSecret"],
            agent_id=made["agentId"],
            users=[u["unionId"] for u in made["users"]],
            token=self.token(made["appKey"], made["appSecret"]),
        )


@dataclass
class DingconfOrg:
    """An organisation of its own on a shared server: nobody else's meetings in sight."""

    server: DingconfServer
    corp_id: str
    app_key: str
    app_secret: str
    #: The app's AgentId (``appId`` of the extension apps it sets on meetings).
    agent_id: str
    #: unionIds of its users (``u-host``, ``u-alice``, ``u-bob``, ``u-carol`` by default).
    users: list[str]
    #: An access token of its app (Read and Write).
    token: str
    _client: Any = field(default=None, repr=False)

    @property
    def headers(self) -> dict[str, str]:
        """The header carrying :attr:`token`, for plain HTTP calls."""
        return {"x-acs-dingtalk-access-token": self.token}

    @property
    def client(self) -> Any:
        """The official SDK's ``conference_1_0`` client, pointed at the server.

        Pass ``{"x_acs_dingtalk_access_token": org.token}`` headers to its
        ``*_with_options`` calls (the SDK's own way). Needs ``alibabacloud_dingtalk``,
        imported only here so the plugin loads without it.
        """
        if self._client is None:
            from alibabacloud_dingtalk.conference_1_0.client import (  # type: ignore[import-untyped]
                Client,
            )
            from alibabacloud_tea_openapi.models import Config  # type: ignore[import-untyped]

            self._client = Client(Config(protocol="http", endpoint=self.server.endpoint))
        return self._client


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
