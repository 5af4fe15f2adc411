"""The official Node.js SDKs (tests/node/, pinned by its package-lock.json), run by node.

``make test`` installs them (``scripts/ensure-node-deps``: Debian's nodejs and
``npm ci``). A missing node or package fails these tests rather than skipping
them, so the test command cannot pass without the Node.js SDK tests.
"""

import contextlib
import json
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).parent / "node"


def node() -> str:
    """The node executable, with the SDKs installed beside the scripts."""
    found = shutil.which("node")
    if found is None or not (NODE_DIR / "node_modules").is_dir():
        pytest.fail("node or tests/node/node_modules is missing: run `make test`")
    return found


def run_script(script: str, *args: str, timeout_s: float = 60) -> Any:
    """Run a script to its end; the JSON document it printed."""
    done = subprocess.run(
        [node(), script, *args],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


class NodeProcess:
    """A script that keeps running and prints one JSON object per line."""

    def __init__(self, script: str, *args: str) -> None:
        self._process = subprocess.Popen(
            [node(), script, *args],
            cwd=NODE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(json.loads(line))
        self._lines.put(None)

    def next(self, timeout_s: float = 15) -> dict[str, Any]:
        """The next object printed (waiting for it)."""
        try:
            line = self._lines.get(timeout=timeout_s)
        except queue.Empty:
            raise AssertionError(f"{self._process.args} printed nothing in {timeout_s} s") from None
        if line is None:
            assert self._process.stderr is not None
            raise AssertionError(f"{self._process.args} ended: {self._process.stderr.read()}")
        return line

    def pending(self) -> list[dict[str, Any]]:
        """Whatever it printed and was not taken yet."""
        found = []
        with contextlib.suppress(queue.Empty):
            while (line := self._lines.get_nowait()) is not None:
                found.append(line)
        return found

    def close(self) -> None:
        """Close its stdin (the scripts end then), killing it if it does not end."""
        assert self._process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self._process.stdin.close()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> "NodeProcess":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
