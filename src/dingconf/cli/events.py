"""``dingconf events``: an app's events and their deliveries."""

import click

from dingconf.app import Services
from dingconf.cli.jobs import database_option, echo_table, run, settings_for
from dingconf.events.records import Delivery

__all__ = ["events"]


@click.command("events")
@click.argument("app_key")
@click.option("--state", type=click.Choice(["pending", "delivered", "dead"]))
@database_option
def events(app_key: str, state: str | None, database: str) -> None:
    """List an app's events: id, type, meeting, statusSeqNum, state, attempts, last error."""

    def row(d: Delivery) -> tuple[object, ...]:
        e = d.event
        return (e.event_id, e.event_type, e.conference_id, e.seq, d.state, d.attempts, d.last_error)

    async def every_page(s: Services) -> list[tuple[object, ...]]:
        rows: list[tuple[object, ...]] = []
        token: str | None = None
        while True:
            found, token = await s.event_log.deliveries(app_key, state, token)
            rows += [row(d) for d in found]
            if not token:
                return rows

    headers = ["eventId", "eventType", "conferenceId", "statusSeqNum", "state", "attempts"]
    echo_table([*headers, "lastError"], run(settings_for(database), every_page))
