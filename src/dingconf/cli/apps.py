"""``dingconf apps``: internal apps, their secrets, tokens and HTTP push."""

import secrets

import click

from dingconf.app import Services
from dingconf.auth.provisioning import AppChange
from dingconf.auth.tables import OrgTables
from dingconf.cli.jobs import database_option, echo_table, org_or_only, run, settings_for
from dingconf.core.records import App

__all__ = ["apps"]


@click.group()
def apps() -> None:
    """Internal apps and their tokens."""


@apps.command("add")
@click.argument("corp_id")
@click.argument("app_key")
@click.option(
    "--secret",
    help="The appSecret (a new app's default: generated and printed once; "
    "an existing app's: kept). Another secret revokes the app's tokens.",
)
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="Grant a scope (repeatable; a new app's default Read and Write, an existing app's kept).",
)
@database_option
def apps_add(
    corp_id: str, app_key: str, secret: str | None, scopes: tuple[str, ...], database: str
) -> None:
    """Create or update an internal app; say what changed."""

    async def work(s: Services) -> tuple[AppChange, str | None]:
        # A new app without --secret gets one; an existing app keeps its own.
        exists = await OrgTables(s.store.reader).get_app(app_key) is not None
        generated = None if secret is not None or exists else secrets.token_urlsafe(18)
        change = await s.provisioning.add_app(corp_id, app_key, secret or generated, scopes or None)
        return change, generated

    change, generated = run(settings_for(database), work)
    granted = " ".join(sorted(change.app.scopes))
    before = change.before
    if before is None:
        click.echo(f"app {app_key} in {corp_id}, scopes {granted}")
    else:
        moved = f", moved from {before.corp_id}" if before.corp_id != corp_id else ""
        click.echo(f"app {app_key} in {corp_id} updated{moved}, scopes {granted}")
        kept = "secret replaced" if change.secret_changed else "secret kept"
        revoked = change.secret_changed or moved
        tokens = f"its {change.revoked} tokens revoked" if revoked else "its tokens stay valid"
        click.echo(f"{kept}; {tokens}")
    if generated is not None:
        click.echo(f"appSecret={generated}   (shown once: only its hash is stored)")


@apps.command("list")
@click.argument("corp_id", required=False)
@database_option
def apps_list(corp_id: str | None, database: str) -> None:
    """List the apps of an organisation (CORP_ID may be left out when there is only one)."""

    async def work(s: Services) -> list[App]:
        return await OrgTables(s.store.reader).list_apps(await org_or_only(s, corp_id))

    found = run(settings_for(database), work)
    echo_table(["appKey", "scopes"], [(app.app_key, " ".join(sorted(app.scopes))) for app in found])


@apps.command("revoke-tokens")
@click.argument("app_key")
@database_option
def apps_revoke(app_key: str, database: str) -> None:
    """Revoke every access token of an app."""
    count = run(settings_for(database), lambda s: s.provisioning.revoke_tokens(app_key))
    click.echo(f"revoked {count} tokens of {app_key}")


@apps.command("reset-secret")
@click.argument("app_key")
@click.option("--secret", help="The new appSecret (default: generated).")
@database_option
def apps_reset_secret(app_key: str, secret: str | None, database: str) -> None:
    """Give an app a new secret and print it; its tokens are revoked."""
    new_secret = secret or secrets.token_urlsafe(18)
    run(settings_for(database), lambda s: s.provisioning.reset_secret(app_key, new_secret))
    click.echo(f"appKey={app_key} appSecret={new_secret}")
    click.echo("shown once (only its hash is stored); the app's earlier tokens are revoked")


@apps.command("push")
@click.argument("app_key")
@click.option("--url", required=True, help="The callback URL events are POSTed to.")
@click.option("--token", required=True, help="The callback token (signs each message).")
@click.option("--aes-key", required=True, help="The 43-character EncodingAESKey.")
@click.option("--no-check", is_flag=True, help="Store without the check_url handshake.")
@database_option
def apps_push(
    app_key: str, url: str, token: str, aes_key: str, no_check: bool, database: str
) -> None:
    """Deliver an app's events by HTTP push (after the check_url handshake)."""
    run(
        settings_for(database),
        lambda s: s.push.subscribe(app_key, url, token, aes_key, check=not no_check),
    )
    click.echo(f"app {app_key} events pushed to {url}")


@apps.command("push-off")
@click.argument("app_key")
@database_option
def apps_push_off(app_key: str, database: str) -> None:
    """Stop HTTP push for an app (its events then go to Stream sessions)."""
    run(settings_for(database), lambda s: s.push.unsubscribe(app_key))
    click.echo(f"app {app_key} no longer pushed")
