"""An interrupted first start: the demo organisation is whole or absent, and a
Ctrl-C at any moment of start-up is one line and a prompt exit."""

import asyncio
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from dingconf.app import build_services, open_store
from dingconf.auth import provisioning
from dingconf.auth.tables import OrgTables
from dingconf.cli.serve import _start_state
from dingconf.core.config import Settings
from dingconf.db.store import Store
from dingconf.testing.plugin import free_port

#: How long an interrupted start may take to exit. Measured: 0.05-0.35 s on an
#: idle 2-core machine; the bound leaves room for a machine busy with other
#: test processes, whose start-up alone then takes several seconds.
EXIT_BOUND_S = 30.0


class _CutAtTheApp:
    """The real store, except that a write transaction storing an app is
    interrupted there (as a Ctrl-C would interrupt it)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Any]:
        async with self._store.write() as tx:
            yield _CutTx(tx)


class _CutTx:
    def __init__(self, tx: Any) -> None:
        self._tx = tx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    @property
    def conn(self) -> Any:
        return _CutConn(self._tx.conn)


class _CutConn:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    async def execute(self, sql: str, params: Any = ()) -> int:
        if sql.startswith("INSERT INTO apps "):
            raise KeyboardInterrupt
        return await self._conn.execute(sql, params)


async def _first_start(database_url: str, store: Store) -> list[str]:
    services = build_services(Settings(database=database_url), store)
    await services.store.open()
    try:
        return await _start_state(services, None, None)
    finally:
        await services.store.close()


async def _demo_org(database_url: str) -> tuple[list[str], list[str]]:
    store = open_store(database_url)
    await store.open()
    try:
        accounts = OrgTables(store.reader)
        users = [u.union_id for u in await accounts.list_users("dingdemo")]
        apps = [a.app_key for a in await accounts.list_apps("dingdemo")]
        return users, apps
    finally:
        await store.close()


def test_a_start_interrupted_while_provisioning_leaves_the_next_one_the_whole_demo(
    database_url: str,
):
    with pytest.raises(KeyboardInterrupt):
        asyncio.run(_first_start(database_url, _CutAtTheApp(open_store(database_url))))
    lines = asyncio.run(_first_start(database_url, open_store(database_url)))
    assert any("appKey=demo-app appSecret=" in line for line in lines)
    assert asyncio.run(_demo_org(database_url)) == (
        ["demo-alice", "demo-bob", "demo-carol"],
        ["demo-app"],
    )


def test_a_demo_organisation_an_earlier_start_left_without_its_app_is_completed(
    database_url: str,
):
    async def left_broken() -> None:
        services = build_services(Settings(database=database_url), open_store(database_url))
        await services.store.open()
        try:
            await services.provisioning.add_org("dingdemo", "Demo Org")
        finally:
            await services.store.close()

    async def reset() -> None:
        services = build_services(Settings(database=database_url), open_store(database_url))
        await services.store.open()
        try:
            await services.state.reset()
        finally:
            await services.store.close()

    asyncio.run(left_broken())
    lines = asyncio.run(_first_start(database_url, open_store(database_url)))
    assert any("appKey=demo-app appSecret=" in line for line in lines)
    whole = (["demo-alice", "demo-bob", "demo-carol"], ["demo-app"])
    assert asyncio.run(_demo_org(database_url)) == whole
    # The baseline a reset goes back to is the whole demo too.
    asyncio.run(reset())
    assert asyncio.run(_demo_org(database_url)) == whole


# ``dingconf`` with Ctrl-C's default action, as a terminal's foreground job has it:
# a suite started in the background (``make test &``, a CI runner's shell)
# passes its children SIGINT ignored, and a process ignoring it from the start
# rightly never sees a Ctrl-C.
_AS_A_TERMINAL_STARTS_IT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.executable, [sys.executable, '-m', 'dingconf', *sys.argv[1:]])"
)


@pytest.fixture
def first_start(tmp_path: Path) -> Iterator[Any]:
    """Start ``dingconf serve`` on a fresh database in a process group of its own
    (a terminal's Ctrl-C reaches the whole group: granian's workers too)."""
    started: list[subprocess.Popen[str]] = []

    def start() -> tuple[subprocess.Popen[str], queue.Queue[str], threading.Thread]:
        data = tmp_path / str(len(started))
        data.mkdir()
        proc = subprocess.Popen(
            [sys.executable, "-c", _AS_A_TERMINAL_STARTS_IT, "serve", "--port", str(free_port())],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            env={**os.environ, "DINGCONF_DATA_DIR": str(data)},
        )
        started.append(proc)
        lines: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        out = proc.stdout
        reader = threading.Thread(
            target=lambda: [lines.put(x.rstrip("\n")) for x in out], daemon=True
        )
        reader.start()
        return proc, lines, reader

    yield start
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _until(lines: "queue.Queue[str]", marker: str | None, seen: list[str]) -> None:
    """Read lines into ``seen`` until one contains ``marker`` (None: return at once)."""
    while marker is not None and not any(marker in line for line in seen):
        seen.append(lines.get(timeout=120))


def _importing(pid: int) -> None:
    """Return once the process runs dingconf's imports (it has loaded msgspec's
    extension): before that, Python itself is starting, and a Ctrl-C there is
    Python's own affair."""
    maps = Path(f"/proc/{pid}/maps")
    deadline = time.monotonic() + 120
    while "msgspec/_core" not in maps.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.005)


#: The lines a start prints by itself before it is ready (granian's log among them).
_START_LINES = ("database ", "created demo organisation", "[INFO] ")


@pytest.mark.parametrize(
    "marker",
    [None, "database ", "[INFO] Starting granian", "[INFO] Spawning worker"],
    ids=["importing", "provisioned", "granian starting", "worker starting"],
)
def test_a_ctrl_c_during_start_is_one_line_and_a_prompt_exit(first_start: Any, marker: str | None):
    proc, lines, reader = first_start()
    seen: list[str] = []
    if marker is None:
        _importing(proc.pid)
    _until(lines, marker, seen)
    os.killpg(proc.pid, signal.SIGINT)
    sent = time.monotonic()
    proc.wait(timeout=EXIT_BOUND_S)
    took = time.monotonic() - sent
    reader.join(timeout=EXIT_BOUND_S)  # it ends at the pipe's end: every line is read
    assert not reader.is_alive()
    while not lines.empty():
        seen.append(lines.get())
    said = [line for line in seen if line.strip()]
    assert "Traceback" not in "\n".join(seen) and "KeyboardInterrupt" not in "\n".join(seen)
    assert took < EXIT_BOUND_S
    if any(line.startswith("| dingconf is ready at ") for line in said):
        # The worker answered before the Ctrl-C arrived (the test reacts to the
        # marker no faster than a loaded machine lets it): a running server's stop.
        assert proc.returncode == 0 and "Aborted." not in said, said
        return
    assert proc.returncode == 1, said
    # One line about the interrupt; the rest is what any start prints by itself.
    assert said.count("Aborted.") == 1, said
    assert all(line.startswith(_START_LINES) for line in said if line != "Aborted."), said


def test_a_start_on_a_provisioned_database_hashes_no_secret(
    database_url: str, monkeypatch: pytest.MonkeyPatch
):
    asyncio.run(_first_start(database_url, open_store(database_url)))
    hashed: list[str] = []
    real = provisioning.hash_secret
    monkeypatch.setattr(provisioning, "hash_secret", lambda s: hashed.append(s) or real(s))
    # On loopback it says which secret the demo app answers to (checked, not re-hashed).
    again = asyncio.run(_first_start(database_url, open_store(database_url)))
    assert again == ["appKey=demo-app appSecret=demo-secret"]
    # The demo's secret is hashed (a deliberately slow hash) only when it is made.
    assert hashed == []
