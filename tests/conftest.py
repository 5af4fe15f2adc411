"""Shared fixtures: one dingconf server per session, seeded with two organisations.

The servers of these fixtures are served in the test process (``InProcessServer``);
tests whose subject is a process start ``DingconfServer``s of their own.
"""

import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from alibabacloud_dingtalk.conference_1_0 import models as conf_models
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from alibabacloud_dingtalk.oauth2_1_0 import models as oauth_models
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_util.models import RuntimeOptions

from dingconf.core.config import Settings
from dingconf.core.records import Conference, Participant
from dingconf.db.store import WriteTx
from dingconf.meetings.tables import MeetingTables
from dingconf.meetings.transitions import record_join
from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer, prepare

from backends import BACKENDS, PostgresCluster, copy_database, throwaway_cluster

SEED: dict[str, Any] = {
    "orgs": [
        {
            "corpId": "dingacme",
            "name": "Acme",
            "users": [
                {"unionId": "u-host", "nick": "Hana Host", "deptName": "Engineering"},
                {"unionId": "u-alice", "nick": "Alice", "deptName": "Sales"},
                {"unionId": "u-bob", "nick": "Bob"},
                {"unionId": "u-carol", "nick": "Carol"},
                {"unionId": "u-dave", "nick": "Dave", "userId": "dave01", "jobNumber": "0042"},
            ],
            "apps": [
                {
                    "appKey": "acme-app",
                    "appSecret": "acme-secret",
                    "scopes": [
                        "VideoConference.Conference.Read",
                        "VideoConference.Conference.Write",
                    ],
                },
                {
                    "appKey": "acme-reader",
                    "appSecret": "reader-secret",
                    "scopes": ["VideoConference.Conference.Read"],
                },
                {
                    "appKey": "acme-writer",
                    "appSecret": "writer-secret",
                    "scopes": ["VideoConference.Conference.Write"],
                },
            ],
        },
        {
            "corpId": "dingglobex",
            "name": "Globex",
            "users": [{"unionId": "g-host", "nick": "Gus"}],
            "apps": [{"appKey": "globex-app", "appSecret": "globex-secret"}],
        },
    ],
    "suites": [
        {
            "suiteKey": "suite-x",
            "suiteSecret": "suite-secret",
            "authorizedCorps": ["dingacme"],
            "scopes": ["VideoConference.Conference.Read"],
        }
    ],
}

RUNTIME = RuntimeOptions()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 for the whole session."""
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture(params=BACKENDS, scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    """Each backend in turn: every test that uses a server runs against both."""
    return str(request.param)


@contextmanager
def processes_on(
    database_url: str, workdir: Path, count: int, extra_args: tuple[str, ...] = ()
) -> Iterator[list[DingconfServer]]:
    """``count`` server processes sharing one database, the first loading SEED (the
    others start together once it answers); every one started is stopped afterwards."""
    servers: list[DingconfServer] = []
    for i in range(count):
        (workdir / f"s{i}").mkdir()
        servers.append(
            DingconfServer(
                workdir / f"s{i}",
                seed=SEED if i == 0 else None,
                database=database_url,
                extra_args=extra_args,
            )
        )
    try:
        servers[0].start()
        with ThreadPoolExecutor(count) as starting:
            list(starting.map(DingconfServer.start, servers[1:]))
        yield servers
    finally:
        for server in servers:
            server.stop()


def new_database_url(backend: str, directory: Path, request: pytest.FixtureRequest) -> str:
    """An empty database of the given backend."""
    if backend == "sqlite":
        return f"sqlite:///{directory / 'dingconf.sqlite3'}"
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """An empty database for this test alone."""
    return new_database_url(backend, tmp_path, request)


@pytest.fixture(scope="session")
def seeded_template(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> str:
    """A database left as ``serve --seed SEED`` leaves it, made once: copying it
    spares each server the seed's secret hashing and the migrations."""
    directory = tmp_path_factory.mktemp(f"seeded-{backend}")
    url = new_database_url(backend, directory, request)
    prepare(Settings(database=url), directory, SEED)
    return url


@pytest.fixture(scope="session")
def server(backend: str, request: pytest.FixtureRequest) -> Iterator[DingconfServer]:
    """The shared server. Tests that move its clock must use ``fresh_server``."""
    with tempfile.TemporaryDirectory(prefix="dingconf-test-") as tmp:
        url = new_database_url(backend, Path(tmp), request)
        srv = InProcessServer(Path(tmp), seed=SEED, database=url).start()
        try:
            yield srv
        finally:
            srv.stop()


@pytest.fixture(scope="module")
def module_server(
    backend: str,
    seeded_template: str,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Iterator[DingconfServer]:
    """A server of the test module's own: its journal, faults and clock touch no other module."""
    tmp = tmp_path_factory.mktemp("module")
    url = new_database_url(backend, tmp, request)
    copy_database(seeded_template, url)
    srv = InProcessServer(tmp, database=url).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def process_server(database_url: str, tmp_path: Path) -> Iterator[DingconfServer]:
    """A ``dingconf serve`` process of this test's own, for tests about the process
    (its memory, a kill)."""
    srv = DingconfServer(tmp_path, seed=SEED, database=database_url).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def fresh_server(
    seeded_template: str, database_url: str, tmp_path: Path
) -> Iterator[DingconfServer]:
    """A server of this test's own (its clock and database are private)."""
    copy_database(seeded_template, database_url)
    srv = InProcessServer(tmp_path, database=database_url).start()
    try:
        yield srv
    finally:
        srv.stop()


def sdk_config(server: DingconfServer) -> Config:
    """The official SDK's configuration, pointed at dingconf."""
    return Config(protocol="http", endpoint=server.endpoint)


@pytest.fixture(scope="session")
def oauth(server: DingconfServer) -> OAuthClient:
    return OAuthClient(sdk_config(server))


@pytest.fixture(scope="session")
def conf(server: DingconfServer) -> ConferenceClient:
    return ConferenceClient(sdk_config(server))


@pytest.fixture(scope="session")
def acme_token(oauth: OAuthClient) -> str:
    """A token of Acme's read+write app, obtained through the official SDK."""
    resp = oauth.get_access_token(
        oauth_models.GetAccessTokenRequest(app_key="acme-app", app_secret="acme-secret")
    )
    token: str = resp.body.access_token
    return token


@pytest.fixture
def create_meeting(
    conf: ConferenceClient, acme_token: str
) -> Callable[..., conf_models.CreateVideoConferenceResponseBody]:
    """Create an Acme meeting hosted by u-host through the SDK."""

    def create(
        title: str = "Weekly sync", invitees: list[str] | None = None, host: str = "u-host"
    ) -> conf_models.CreateVideoConferenceResponseBody:
        resp = conf.create_video_conference_with_options(
            conf_models.CreateVideoConferenceRequest(
                user_id=host, conf_title=title, invite_user_ids=invitees
            ),
            conf_models.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=acme_token),
            RUNTIME,
        )
        assert resp.status_code == 200
        return resp.body

    return create


def auth(token: str) -> dict[str, str]:
    """The token header of a plain-HTTP call."""
    return {"x-acs-dingtalk-access-token": token}


@pytest.fixture(scope="session")
def http(server: DingconfServer) -> Iterator[httpx.Client]:
    """A plain-HTTP client of the shared server."""
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def token(server: DingconfServer) -> str:
    """A token of Acme's read+write app, for plain-HTTP calls."""
    return server.token("acme-app", "acme-secret")


# --- Which backend each line of the test output is about -----------------------------
# The session-scoped ``backend`` parameter runs the suite once per backend, so a
# file's name appears once per backend in the progress output; a heading names
# the backend whenever it changes (test ids also carry it: ``test_x[postgres]``).

_BACKEND_OF: dict[str, str] = {}
_REPORTING: dict[str, Any] = {}


def pytest_configure(config: pytest.Config) -> None:
    _REPORTING["config"] = config


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        backend = callspec.params.get("backend") if callspec else None
        _BACKEND_OF[item.nodeid] = str(backend) if backend else "no database server"
        # ``-m "not postgres"`` (make test-sqlite) leaves out every test that
        # needs a PostgreSQL server, whether through the backend or a cluster.
        if backend == "postgres" or "pg_cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


def pytest_runtest_logstart(nodeid: str, location: tuple[str, int | None, str]) -> None:
    backend = _BACKEND_OF.get(nodeid)
    if backend is None or _REPORTING.get("backend") == backend:
        return
    _REPORTING["backend"] = backend
    reporter = _REPORTING["config"].pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    reporter.ensure_newline()
    if reporter.verbosity < 0:  # -q progress dots do not end their line themselves
        reporter.write("\n")
    reporter.write_sep("-", f"backend: {backend}")
    reporter.currentfspath = None  # the next file name starts a line under the heading


async def join_meeting(
    tx: WriteTx, conference_id: str, union_id: str, nick: str, at_ms: int, **kw: Any
) -> tuple[Participant, Conference] | None:
    """Record a join as the services do: on the meeting read under its lock."""
    locked = await MeetingTables(tx.conn, tx.row_lock).lock_any(conference_id)
    assert locked is not None
    return await record_join(tx, locked, union_id, nick, at_ms, **kw)
