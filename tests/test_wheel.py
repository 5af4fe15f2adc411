"""Installing without a checkout: the built wheel carries everything and runs on its own."""

import os
import shutil
import subprocess
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from dingconf.testing.plugin import free_port

ROOT = Path(__file__).resolve().parent.parent
UV = ROOT / ".tools" / "bin" / "uv"
MIGRATIONS = sorted(p.name for p in (ROOT / "src/dingconf/db/migrations").glob("*.sql"))

pytestmark = pytest.mark.skipif(not UV.exists(), reason="needs the pinned uv of `make setup`")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [str(UV), "build", "--wheel", "--out-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("dingconf-*.whl")
    return built


def test_the_wheel_carries_migrations_and_entry_points(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        declared = archive.read(entry_points).decode()
    assert MIGRATIONS
    for migration in MIGRATIONS:
        assert f"dingconf/db/migrations/{migration}" in names
    assert "dingconf = dingconf.__main__:main" in declared
    assert "dingconf = dingconf.testing.plugin" in declared
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]


def test_the_wheel_installed_in_a_fresh_venv_serves(wheel: Path, tmp_path: Path):
    venv = tmp_path / "venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DINGCONF_", "VIRTUAL_ENV"))}
    # The dependencies as uv.lock pins them (from uv's cache, offline), then the
    # wheel alone: what `uv tool install` or `pipx install` set up from an index.
    subprocess.run(
        [str(UV), "sync", "--offline", "--frozen", "--no-dev", "--no-install-project", "-q"],
        cwd=ROOT,
        env={**env, "UV_PROJECT_ENVIRONMENT": str(venv)},
        check=True,
        capture_output=True,
        timeout=300,
    )
    subprocess.run(
        [
            *(str(UV), "pip", "install", "--offline", "--no-deps", "-q"),
            *("--python", str(venv / "bin" / "python"), str(wheel)),
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    port = free_port()
    log = tmp_path / "serve.log"
    data = tmp_path / "data"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(venv / "bin" / "dingconf"), "serve", "--port", str(port)],
            cwd=elsewhere,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**env, "DINGCONF_DATA_DIR": str(data)},
        )
    try:
        deadline = time.monotonic() + 60
        while "appSecret=" not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_dingconf/health") as resp:
            assert resp.status == 200
    finally:
        process.terminate()
        process.wait(10)
    assert (data / "dingconf.sqlite3").exists()  # migrated from the wheel's own files
    assert not list(elsewhere.iterdir())
    assert shutil.which("dingconf", path=str(venv / "bin"))
