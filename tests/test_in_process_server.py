"""The fixtures' in-process server: served over HTTP like a process, and stopped
with nothing left behind (no thread, no database connection)."""

import threading
import time
from pathlib import Path

import psycopg

from in_process_server import InProcessServer
from over_http import conf_info, new_meeting

from conftest import SEED


def _connections(database_url: str) -> int:
    """The sessions connected to a database (SQLite: whether its WAL is still open)."""
    if database_url.startswith("sqlite:///"):
        return int(Path(database_url.removeprefix("sqlite:///") + "-wal").exists())
    cluster, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{cluster}/postgres") as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name])
        return int(row.fetchone()[0])


def _connections_after_stop(database_url: str, timeout_s: float = 10) -> int:
    """The sessions left once those the server closed have ended: a PostgreSQL
    backend leaves pg_stat_activity when it has read the client's goodbye, a
    moment after the client has gone on (longer on a loaded machine)."""
    deadline = time.monotonic() + timeout_s
    while (left := _connections(database_url)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_a_server_in_process_answers_and_stops_leaving_nothing(database_url, tmp_path):
    threads = set(threading.enumerate())
    server = InProcessServer(tmp_path, seed=SEED, database=database_url).start()
    token = server.token("acme-app", "acme-secret")
    cid = new_meeting(server, token)
    assert conf_info(server, token, cid)["title"] == "test"
    assert _connections(database_url) > 0
    server.stop()
    assert set(threading.enumerate()) == threads
    assert _connections_after_stop(database_url) == 0
    # What it stored is there for the next server, as after a process's clean stop.
    (tmp_path / "again").mkdir()
    with InProcessServer(tmp_path / "again", database=database_url) as second:
        assert conf_info(second, second.token("acme-app", "acme-secret"), cid)["title"] == "test"


def test_two_servers_in_one_process_keep_their_clocks_apart(tmp_path):
    servers = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        servers.append(InProcessServer(tmp_path / name, seed=SEED).start())
    try:
        at = max(server.clock.move() for server in servers) + 86_400_000
        for server in servers:
            assert server.clock.move(set_ms=at, freeze=True) == at
        assert servers[0].clock.advance(60_000) == at + 60_000
        assert servers[1].clock.move() == at
    finally:
        for server in servers:
            server.stop()
