"""Installing: the built wheel carries everything, needs only the runtime, and runs on its own."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from dingconf.testing.plugin import free_port

ROOT = Path(__file__).resolve().parent.parent
UV = ROOT / ".tools" / "bin" / "uv"
README_SH = re.compile(r"^```sh\n(.*?)^```", re.M | re.S)
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


#: Tools of the development group that a runtime install must not bring.
DEV_TOOLS = {"ruff", "mypy", "import-linter", "pytest", "pytest-xdist", "hypothesis", "playwright"}


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("DINGCONF_", "VIRTUAL_ENV"))}


def exported(*extras: str) -> str:
    """uv.lock's pins of the runtime dependencies (with these extras), as requirements."""
    args = ["export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "-q"]
    return subprocess.run(
        [str(UV), *args, *(f"--extra={extra}" for extra in extras)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def runtime_packages(*extras: str) -> set[str]:
    """The packages uv.lock pins for ``dingconf serve`` on this machine (with these extras)."""
    pinned = [line for line in exported(*extras).splitlines() if "==" in line]
    # Every marker but Windows' (tzdata) holds here.
    return {canonical(line.split("==")[0]) for line in pinned if "== 'win32'" not in line}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed(python: Path) -> set[str]:
    """The distributions installed for ``python``."""
    listing = subprocess.run(
        [
            str(python),
            "-c",
            "import importlib.metadata as m\nfor d in m.distributions(): print(d.metadata['Name'])",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {canonical(name) for name in listing.split()}


def serve_answers(command: list[str], cwd: Path, env: dict[str, str], log: Path) -> None:
    """Start ``command`` (a server, or a shell that ends in one) and wait for its health."""
    port = free_port()
    env = {**env, "DINGCONF_PORT": str(port)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_dingconf/health") as resp:
                    assert resp.status == 200
                    return
            except OSError:
                time.sleep(0.1)
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server and a shell that started it
        process.wait(10)


def test_pip_installs_the_wheel_with_its_runtime_dependencies_alone(wheel: Path, tmp_path: Path):
    # As the README says, from the package registry; pinned as uv.lock pins, so
    # the packages are the ones the suite runs on.
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(exported("postgres"))
    venv = tmp_path / "venv"
    env = clean_env()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], env=env, check=True, timeout=120)
    pip = [str(venv / "bin" / "pip"), "install", "-q", "-c", str(constraints), str(wheel)]
    subprocess.run(pip, env=env, check=True, capture_output=True, timeout=600)

    got = installed(venv / "bin" / "python") - {"pip", "setuptools", "dingconf"}
    assert got == runtime_packages()
    assert not got & DEV_TOOLS
    assert not got & {"psycopg", "psycopg-binary", "psycopg-pool"}  # the postgres extra

    # It serves from a directory that has nothing of dingconf's.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    data = tmp_path / "data"
    command = [str(venv / "bin" / "dingconf"), "serve"]
    serve_answers(command, elsewhere, {**env, "DINGCONF_DATA_DIR": str(data)}, tmp_path / "log")
    assert (data / "dingconf.sqlite3").exists()  # migrated from the wheel's own files
    assert not list(elsewhere.iterdir())

    # A PostgreSQL database without the extra: one line saying what to install.
    postgres = "postgresql://me:pw-never-shown@127.0.0.1:1/db"
    for args in (["serve", "--database", postgres], ["orgs", "list", "--database", postgres]):
        result = subprocess.run(
            [str(venv / "bin" / "dingconf"), *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1, result.stderr
        (line,) = result.stderr.splitlines()
        assert line == (
            "Error: cannot use the database postgresql://me:***@127.0.0.1:1/db: PostgreSQL "
            "needs psycopg, which dingconf's postgres extra installs: "
            "pip install 'dingconf[postgres]'"
        )


def test_the_readmes_install_line_works_as_written(tmp_path: Path):
    (block,) = [
        b for b in README_SH.findall((ROOT / "README.md").read_text()) if "make install" in b
    ]
    home = tmp_path / "home"
    home.mkdir()
    bin_dir, tool_dir = home / "bin", home / "tools"
    # A user's home of its own, but uv's cache and pyenv's Pythons (found from
    # HOME unless PYENV_ROOT says where) stay the machine's.
    cache = subprocess.run(
        [str(UV), "cache", "dir"], check=True, capture_output=True, text=True
    ).stdout.strip()
    env = {
        **clean_env(),
        "HOME": str(home),
        "UV_TOOL_DIR": str(tool_dir),
        "UV_TOOL_BIN_DIR": str(bin_dir),
        "UV_CACHE_DIR": cache,
        "PYENV_ROOT": os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv")),
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "DINGCONF_DATA_DIR": str(tmp_path / "data"),
    }
    env.pop("UV_PROJECT_ENVIRONMENT", None)
    serve_answers(["bash", "-euo", "pipefail", "-c", block], ROOT, env, tmp_path / "log")
    assert shutil.which("dingconf", path=str(bin_dir))
    tool = installed(tool_dir / "dingconf" / "bin" / "python") - {"dingconf"}
    assert tool == runtime_packages("postgres")
    assert not tool & DEV_TOOLS


def test_make_serve_sets_up_the_runtime_alone(tmp_path: Path):
    venv = tmp_path / "serve-venv"  # instead of the checkout's .venv-serve
    env = {**clean_env(), "DINGCONF_DATA_DIR": str(tmp_path / "data")}
    command = ["make", "--no-print-directory", "serve", f"SERVE_VENV={venv}"]
    serve_answers(command, ROOT, env, tmp_path / "log")
    assert installed(venv / "bin" / "python") - {"dingconf"} == runtime_packages("postgres")
