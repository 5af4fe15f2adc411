"""One server process shared by every pytest-xdist worker of a test run.

The first worker to ask starts it; the others attach to it; the last to
finish stops it. A record of it and a count of its users live in a file of
the run's base directory, read and written under an exclusive lock.
"""

import fcntl
import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

__all__ = ["shared_across_workers"]


class _Server(Protocol):
    def process_tree(self) -> list[int]: ...

    def stop(self) -> None: ...


S = TypeVar("S", bound=_Server)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _stop_pid(pid: int, timeout_s: float = 10) -> None:
    """Stop a server another worker started (it is not this process's child)."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        if Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[-1][:1] == "Z":
            return  # exited; its parent reaps it
        time.sleep(0.05)


@contextmanager
def shared_across_workers(
    base: Path,
    start: Callable[[Path], tuple[S, dict[str, Any]]],
    attach: Callable[[Path, dict[str, Any]], S],
) -> Iterator[S]:
    """The run's shared server: ``start(workdir)`` makes it and says how to reach it,
    ``attach(workdir, info)`` reaches one another worker started."""
    info_path, lock = base / "dingconf-shared.json", base / "dingconf-shared.lock"
    workdir = base / "dingconf-shared"
    with _locked(lock):
        if info_path.exists():
            info = json.loads(info_path.read_text())
            server = attach(workdir, info)
            info["users"] += 1
        else:
            workdir.mkdir(exist_ok=True)
            server, info = start(workdir)
            info |= {"pid": server.process_tree()[0], "users": 1}
        info_path.write_text(json.dumps(info))
    try:
        yield server
    finally:
        with _locked(lock):
            info = json.loads(info_path.read_text())
            info["users"] -= 1
            if info["users"] > 0:
                info_path.write_text(json.dumps(info))
            else:
                info_path.unlink()
                if server.process_tree():  # this worker started it
                    server.stop()
                else:
                    _stop_pid(info["pid"])
