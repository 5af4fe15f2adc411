"""``dingconf orgs`` and ``dingconf users``: organisations and their users."""

import click

from dingconf.auth.tables import OrgTables
from dingconf.cli.jobs import database_option, run, settings_for

__all__ = ["orgs", "users"]


@click.group()
def orgs() -> None:
    """Organisations."""


@orgs.command("add")
@click.argument("corp_id")
@click.option("--name", help="Display name (default: the corpId).")
@database_option
def orgs_add(corp_id: str, name: str | None, database: str) -> None:
    """Create or rename an organisation."""
    run(settings_for(database), lambda s: s.provisioning.add_org(corp_id, name or corp_id))
    click.echo(f"org {corp_id}")


@orgs.command("list")
@database_option
def orgs_list(database: str) -> None:
    """List organisations."""
    for org in run(settings_for(database), lambda s: OrgTables(s.store.reader).list_orgs()):
        click.echo(f"{org.corp_id}\t{org.name}")


@click.group()
def users() -> None:
    """Users of an organisation."""


@users.command("add")
@click.argument("corp_id")
@click.argument("union_id")
@click.option("--nick", help="Display name (default: the unionId).")
@click.option("--user-id")
@click.option("--job-number")
@click.option("--dept-name", help="The user's department (GetHistoryConfDataList deptName).")
@database_option
def users_add(
    corp_id: str,
    union_id: str,
    nick: str | None,
    user_id: str | None,
    job_number: str | None,
    dept_name: str | None,
    database: str,
) -> None:
    """Create or update a user."""
    run(
        settings_for(database),
        lambda s: s.provisioning.add_user(
            corp_id, union_id, nick or union_id, user_id, job_number, dept_name
        ),
    )
    click.echo(f"user {union_id} in {corp_id}")


@users.command("list")
@click.argument("corp_id")
@database_option
def users_list(corp_id: str, database: str) -> None:
    """List the users of an organisation."""
    for user in run(
        settings_for(database), lambda s: OrgTables(s.store.reader).list_users(corp_id)
    ):
        click.echo(f"{user.union_id}\t{user.nick}")
