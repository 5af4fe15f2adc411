"""``dingconf orgs`` and ``dingconf users``: organisations and their users."""

import click

from dingconf.app import Services
from dingconf.auth.tables import OrgTables
from dingconf.cli.jobs import database_option, echo_table, org_or_only, run, settings_for
from dingconf.core.records import User

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
    found = run(settings_for(database), lambda s: OrgTables(s.store.reader).list_orgs())
    echo_table(["corpId", "name"], [(org.corp_id, org.name) for org in found])


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
@click.argument("corp_id", required=False)
@database_option
def users_list(corp_id: str | None, database: str) -> None:
    """List the users of an organisation (CORP_ID may be left out when there is only one)."""

    async def work(s: Services) -> list[User]:
        return await OrgTables(s.store.reader).list_users(await org_or_only(s, corp_id))

    found = run(settings_for(database), work)
    echo_table(["unionId", "nick"], [(user.union_id, user.nick) for user in found])
