"""The two storage backends the suite runs against, and a throwaway PostgreSQL cluster."""

import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg

from dingconf.testing.plugin import free_port

BACKENDS = ("sqlite", "postgres")


def pg_bin_dir() -> Path:
    """The newest installed PostgreSQL server binaries (Debian layout)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run `make test`, which installs it")
    return Path(found[-1]).parent


class PostgresCluster:
    """A private PostgreSQL cluster on 127.0.0.1, as the ``postgres`` user when run as root."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="dingconf-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.bin = pg_bin_dir()
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def init(self) -> "PostgresCluster":
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        return self

    def start(self) -> None:
        # fsync off: nothing here must survive a machine crash, only restarts.
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=300"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.base / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


@contextmanager
def throwaway_cluster() -> Iterator[PostgresCluster]:
    """A new cluster, started, and destroyed with its files on exit."""
    cluster = PostgresCluster().init()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.destroy()


def table_rows(url: str) -> list[tuple[str, str]]:
    """Every row of every dingconf table, as (table, text), for either backend."""
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE '%yoyo%' ORDER BY name"
                )
            ]
            return [
                (t, repr(row))
                for t in tables
                for row in conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2")
            ]
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename NOT LIKE '%yoyo%' ORDER BY tablename"
            )
        ]
        return [
            (t, row[0])
            for t in tables
            for row in conn.execute(f"SELECT row_to_json(x)::text FROM {t} x ORDER BY 1")
        ]


def drop_meeting_tables(url: str) -> None:
    """Break a live database: the meeting tables disappear under the server."""
    statement = "DROP TABLE participant_sessions, participants, invitations, conferences"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            for table in ("participant_sessions", "participants", "invitations", "conferences"):
                conn.execute(f"DROP TABLE {table}")
        return
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement + " CASCADE")


def copy_database(source: str, target: str) -> None:
    """Make ``target`` (a SQLite file not yet made, or an unused PostgreSQL database
    of the same cluster) a copy of ``source``, which nothing may be using."""
    if source.startswith("sqlite:///"):
        with (
            closing(sqlite3.connect(source.removeprefix("sqlite:///"))) as original,
            closing(sqlite3.connect(target.removeprefix("sqlite:///"))) as copy,
        ):
            original.backup(copy)
        return
    cluster, template = source.rsplit("/", 1)
    name = target.rsplit("/", 1)[1]
    with psycopg.connect(f"{cluster}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
