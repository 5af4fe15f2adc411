"""What the commands share: one job against the store, the --database option, state files."""

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import click
import yaml
from tabulate import tabulate

from dingconf.app import Services, build_services, open_store
from dingconf.auth.tables import OrgTables
from dingconf.core.config import DEFAULT_DATABASE, Settings
from dingconf.core.errors import DingError
from dingconf.runtime import describe_failure, env

__all__ = [
    "DATABASE_HELP",
    "database_option",
    "echo_table",
    "load_seed",
    "org_or_only",
    "read_json",
    "run",
    "settings_for",
    "write_state",
]

T = TypeVar("T")

DATABASE_HELP = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB."

#: The ``--database`` option of every command but ``serve`` (which has its own help).
database_option = click.option(
    "--database", default=DEFAULT_DATABASE, help=DATABASE_HELP, **env("DATABASE")
)


def settings_for(database: str) -> Settings:
    """The settings of a one-off job on ``database``."""
    return Settings(database=database)


def run(settings: Settings, work: Callable[[Services], Awaitable[T]]) -> T:
    """Open the store, run one provisioning job, close the store."""

    async def job() -> T:
        services = build_services(settings, open_store(settings.database))
        await services.store.open()
        try:
            await services.shared_clock.refresh()
            return await work(services)
        finally:
            await services.store.close()

    try:
        return asyncio.run(job())
    except DingError as error:
        raise click.ClickException(error.message) from None
    except click.ClickException:
        raise
    except Exception as exc:
        # A bad URL, an unreachable server, an unwritable path: one line, no
        # traceback (the cause is in the message; the password is not).
        raise click.ClickException(describe_failure(exc, settings.database)) from None


def echo_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Print rows in aligned columns under a header row (the header alone when none)."""
    # Ids stay text: a unionId "007" is not the number 7.
    table = tabulate(list(rows), headers, tablefmt="plain", disable_numparse=True)
    for line in table.splitlines():
        click.echo(line.rstrip())


#: How many corpIds an error names before it says how many more there are.
_NAMED_ORGS = 10


async def org_or_only(services: Services, corp_id: str | None) -> str:
    """``corp_id``, or when None the database's only organisation.

    Raises:
        click.ClickException: no corpId given and not exactly one organisation.
    """
    if corp_id is not None:
        return corp_id
    corp_ids = sorted(await OrgTables(services.store.reader).org_ids())
    if len(corp_ids) == 1:
        return corp_ids[0]
    if not corp_ids:
        raise click.ClickException("no organisation yet: add one with `dingconf orgs add CORP_ID`")
    count, named = len(corp_ids), ", ".join(corp_ids[:_NAMED_ORGS])
    more = f" and {count - _NAMED_ORGS} more" if count > _NAMED_ORGS else ""
    raise click.ClickException(f"{count} organisations ({named}{more}): give one as CORP_ID")


def _read_seed(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise click.ClickException(f"seed {path}: {detail}") from None


async def load_seed(services: Services, seed: Path) -> list[str]:
    """Load a seed file; return the line to print."""
    summary = await services.provisioning.load_seed(_read_seed(seed))
    return [
        f"seed {seed}: {summary.orgs} orgs, {summary.users} users, "
        f"{summary.apps} apps, {summary.suites} suites"
    ]


def read_json(path: Path) -> object:
    """A JSON file's document, or one ``Error:`` line saying it is not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise click.ClickException(f"{path}: not JSON ({error})") from None


def write_state(document: object, path: Path | None) -> None:
    """Write a state document to ``path``, or to stdout when None."""
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if path is None:
        click.echo(text, nl=False)
    else:
        path.write_text(text, encoding="utf-8")
