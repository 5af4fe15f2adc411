"""The README's examples run as written against a real server."""

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from dingconf.testing import plugin
from dingconf.testing.plugin import DingconfServer

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.M | re.S)


def blocks(language: str, section: str | None = None) -> list[str]:
    """The README's code blocks in ``language``, of one ``## section`` when given."""
    text = README.read_text()
    if section is not None:
        start = text.index(f"\n## {section}\n")
        end = text.find("\n## ", start + 1)
        text = text[start : None if end == -1 else end]
    return [body for lang, body in _BLOCK.findall(text) if lang == language]


def demo_server(tmp_path: Path) -> tuple[DingconfServer, str]:
    """A server on a fresh database, and the demo secret it printed."""
    server = DingconfServer(tmp_path, extra_args=("--access-log", "off")).start()
    deadline = time.monotonic() + 15
    while "appSecret=" not in server.log():
        assert time.monotonic() < deadline, server.log()
        time.sleep(0.05)
    secret = re.search(r"appKey=demo-app appSecret=(\S+)", server.log()).group(1)
    return server, secret


def test_the_curl_example_runs(tmp_path: Path):
    (script,) = [b for b in blocks("sh") if "BASE=" in b]
    server, secret = demo_server(tmp_path)
    try:
        script = script.replace("BASE=http://127.0.0.1:8080", f"BASE={server.url}")
        # The documented local credentials, as written: nothing copied from the output.
        assert secret == "demo-secret" and "SECRET='demo-secret'" in script
        assert server.url in script
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    joined, queried = result.stdout.replace("}{", "}\n{").splitlines()[-2:]
    assert joined == '{"success":true}'
    assert '"title":"Stand-up"' in queried
    assert '"activeNum":1' in queried
    assert '"invitedNum":1' in queried


def test_the_sdk_example_runs(tmp_path: Path):
    (program,) = [b for b in blocks("python") if "ENDPOINT" in b]
    server, secret = demo_server(tmp_path)
    try:
        program = program.replace('"127.0.0.1:8080"', f'"{server.endpoint}"')
        assert secret == "demo-secret" and 'APP_SECRET = "demo-secret"' in program
        assert server.endpoint in program
        result = subprocess.run(
            [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
        )
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Stand-up 1\n"


def test_the_seed_example_loads(tmp_path: Path):
    (seed,) = [b for b in blocks("yaml") if "orgs:" in b]
    path = tmp_path / "seed.yaml"
    path.write_text(seed)
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-m", "dingconf", "seed", str(path), "--database", database],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "1 orgs, 2 users, 1 apps, 1 suites" in result.stdout
    server = DingconfServer(tmp_path, database=database).start()
    try:
        assert server.token("acme-app", "acme-secret")
    finally:
        server.stop()


#: The pytest examples of "In your own tests", by what each shows.
TEST_EXAMPLES = {
    shown: next(b for b in blocks("python", "In your own tests") if used in b)
    for shown, used in [
        ("dingconf_server", "(dingconf_server)"),
        ("dingconf_org", "(dingconf_org)"),
        ("DingconfServer", "DingconfServer(tmp_path"),
    ]
}


def passes_as_a_test_file(source: str, directory: Path) -> None:
    """Run ``source`` as a user's one-test pytest file and assert that it passes."""
    (directory / "test_example.py").write_text(source)
    # pytest as a user runs it: the plugin found through its entry point, none
    # of this suite's conftest, settings or xdist worker.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DINGCONF_"))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"],
        cwd=directory,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("1 passed"), result.stdout


@pytest.mark.parametrize("example", TEST_EXAMPLES)
def test_each_pytest_example_passes_as_a_test_file(example: str, tmp_path: Path):
    passes_as_a_test_file(TEST_EXAMPLES[example], tmp_path)


def test_the_plugins_own_example_passes(tmp_path: Path):
    docstring = plugin.__doc__ or ""
    example = docstring.split("::\n\n", 1)[1].split("\n\n", 1)[0]
    assert "def test_" in example
    passes_as_a_test_file(textwrap.dedent(example) + "\n", tmp_path)
