"""``dingconf seed``, ``reset``, ``export`` and ``import``: the state as a whole."""

from pathlib import Path

import click

from dingconf.app import Services
from dingconf.cli.jobs import (
    database_option,
    load_seed,
    read_json,
    run,
    settings_for,
    write_state,
)

__all__ = ["export", "import_", "reset", "seed"]


@click.command()
@click.argument("seed_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@database_option
def seed(seed_file: Path, database: str) -> None:
    """Load a YAML or JSON seed file (idempotent)."""
    for line in run(settings_for(database), lambda s: load_seed(s, seed_file)):
        click.echo(line)


@click.command()
@click.option("--corp", "corp_id", help="Reset this organisation only.")
@click.option(
    "--seed",
    "seed_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Then load this seed (and, for every organisation, make it the new baseline).",
)
@database_option
def reset(corp_id: str | None, seed_file: Path | None, database: str) -> None:
    """Go back to the seed the server started with: delete meetings and all that hangs off them."""

    async def work(s: Services) -> list[str]:
        await s.state.reset(corp_id)
        lines = [f"reset {corp_id or 'every organisation'}"]
        if seed_file is not None:
            lines += await load_seed(s, seed_file)
            if corp_id is None:
                await s.state.capture_baseline()
        return lines

    for line in run(settings_for(database), work):
        click.echo(line)


@click.command()
@click.option("--corp", "corp_id", help="Export this organisation only.")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout."
)
@database_option
def export(corp_id: str | None, output: Path | None, database: str) -> None:
    """Write the state as a dingconf-state JSON document (docs/state-format.md); no tokens."""
    write_state(run(settings_for(database), lambda s: s.state.export(corp_id)), output)


@click.command("import")
@click.argument("state_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--replace-all", is_flag=True, help="Delete every organisation first, not only those it holds."
)
@database_option
def import_(state_file: Path, replace_all: bool, database: str) -> None:
    """Load a dingconf-state document: its organisations replace those with the same corpId."""
    document = read_json(state_file)
    count = run(
        settings_for(database), lambda s: s.state.import_state(document, replace_all=replace_all)
    )
    click.echo(f"imported {count} organisations from {state_file}")
