"""``dingconf events``: an app's events and their deliveries."""

import click

from dingconf.app import Services
from dingconf.cli.jobs import database_option, run, settings_for

__all__ = ["events"]


@click.command("events")
@click.argument("app_key")
@click.option("--state", type=click.Choice(["pending", "delivered", "dead"]))
@database_option
def events(app_key: str, state: str | None, database: str) -> None:
    """List an app's events: id, type, meeting, statusSeqNum, state, attempts, last error."""

    async def every_page(s: Services) -> None:
        token: str | None = None
        while True:
            found, token = await s.event_log.deliveries(app_key, state, token)
            for d in found:
                e = d.event
                click.echo(
                    f"{e.event_id}\t{e.event_type}\t{e.conference_id}\t{e.seq}\t{d.state}\t"
                    f"{d.attempts}\t{d.last_error}"
                )
            if not token:
                return

    run(settings_for(database), every_page)
