"""The ``dingconf`` command: serve, and provision organisations, users and apps."""

import asyncio
import dataclasses
import gc
import json
import os
import secrets
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from dingconf.app import Services, build_services, create_app, open_store
from dingconf.config import DEFAULT_DATABASE, InputLimits, Secret, Settings
from dingconf.errors import DingError
from dingconf.runtime import (
    OneLineErrors,
    check_port,
    check_public_url,
    describe_failure,
    env,
    granian_server,
    log_config,
    ready_notice,
    redact,
    when_ready,
)
from dingconf.service.provisioning import DEFAULT_SCOPES, AppChange
from dingconf.wire.observe import ACCESS_LOG_FORMATS

__all__ = ["app_factory", "main"]

T = TypeVar("T")

#: How ``serve`` hands its settings to granian's worker processes.
_SETTINGS_ENV = "DINGCONF_SERVE_SETTINGS"
_DEMO_CORP = "dingdemo"
_DEMO_USERS = (("demo-alice", "Alice"), ("demo-bob", "Bob"), ("demo-carol", "Carol"))
#: Slow-client defences (README "Running it exposed to a network"): a slow
#: client is cut after these, and thousands of open connections still leave
#: slots for everyone else (an asyncio request slot costs a few KB).
_HEADER_TIMEOUT_S = 5.0
_MAX_REQUESTS = 4096
_LIMITS = InputLimits()
_DEFAULTS = Settings()
#: Seconds a worker has to stop before it is killed: a graceful stop takes
#: well under one; a worker that missed the request to stop would hold the
#: main process for ever.
_WORKER_STOP_TIMEOUT_S = 5


def _settings_to_env(settings: Settings) -> str:
    return json.dumps(
        {
            "host": settings.host,
            "port": settings.port,
            "database": settings.database,
            "public_base_url": settings.public_base_url,
            "admin_token": settings.admin_token.reveal() if settings.admin_token else None,
            "workers": settings.workers,
            "random_seed": settings.random_seed,
            "limits": dataclasses.asdict(settings.limits),
            "access_log": settings.access_log,
            "journal_size": settings.journal_size,
            "qps_limit": settings.qps_limit,
            "presence_timeout_s": settings.presence_timeout_s,
            "event_retention_s": settings.event_retention_s,
            "event_backlog": settings.event_backlog,
        }
    )


async def _freeze_loaded(_services: Services) -> None:
    # Everything loaded so far lives as long as the worker process; keeping it
    # out of the collector's full passes removes most of their pause, which
    # otherwise dominates the p99 latency.
    gc.freeze()


def app_factory() -> Any:
    """Build the ASGI app in a granian worker from the settings ``serve`` passed down."""
    raw = json.loads(os.environ[_SETTINGS_ENV])
    token = raw.pop("admin_token")
    limits = InputLimits(**raw.pop("limits"))
    settings = Settings(**raw, admin_token=Secret(token) if token else None, limits=limits)
    return create_app(settings, on_startup=_freeze_loaded)


def _run(settings: Settings, work: Callable[[Services], Awaitable[T]]) -> T:
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


def _read_seed(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise click.ClickException(f"seed {path}: {detail}") from None


async def _load_seed(services: Services, seed: Path) -> list[str]:
    """Load a seed file; return the line to print."""
    summary = await services.provisioning.load_seed(_read_seed(seed))
    return [
        f"seed {seed}: {summary.orgs} orgs, {summary.users} users, "
        f"{summary.apps} apps, {summary.suites} suites"
    ]


async def _demo(services: Services) -> list[str]:
    """Create the demo organisation on a first start; return lines to print.

    It is made in one transaction, so an interrupted start leaves none of it;
    one that an earlier version left without its app (and users) is completed.
    """
    secret = secrets.token_urlsafe(18)
    if not await services.provisioning.provision_first_org(
        _DEMO_CORP, "Demo Org", _DEMO_USERS, "demo-app", secret, DEFAULT_SCOPES
    ):
        return []
    return [
        f"created demo organisation {_DEMO_CORP} with users demo-alice, demo-bob, demo-carol",
        f"appKey=demo-app appSecret={secret}",
    ]


async def _start_state(services: Services, seed: Path | None, state_file: Path | None) -> list[str]:
    """Seed, import, and store the baseline a reset goes back to; return lines to print.

    The demo organisation is made only when neither a seed nor a document is
    given (a document's organisations would replace it, and its secret with it).
    The baseline is taken when a seed, a document or the demo is loaded, or
    when none is stored yet (a server joining a database others serve keeps theirs).
    """
    lines = await _load_seed(services, seed) if seed is not None else []
    if seed is None and state_file is None:
        lines = await _demo(services)
    if state_file is not None:
        count = await services.state.import_state(_read_json(state_file))
        lines.append(f"imported {count} organisations from {state_file}")
    if lines or await services.store.baseline() is None:
        await services.state.capture_baseline(with_meetings=state_file is not None)
    return lines


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise click.ClickException(f"{path}: not JSON ({error})") from None


def _write_state(document: object, path: Path | None) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if path is None:
        click.echo(text, nl=False)
    else:
        path.write_text(text, encoding="utf-8")


@click.group(
    cls=OneLineErrors,
    context_settings={"help_option_names": ["-h", "--help"], "show_default": True},
)
@click.version_option(package_name="dingconf")
def main() -> None:
    """dingconf: DingTalk's video-conference open API, self-hosted.

    Every command's database defaults to a SQLite file in the user data
    directory ($DINGCONF_DATA_DIR, else $XDG_DATA_HOME/dingconf or
    ~/.local/share/dingconf), whatever the current directory.
    """


_DATABASE_HELP = "sqlite:///PATH or postgresql://USER:PASSWORD@HOST:PORT/DB."


@main.command()
@click.option("--host", default="127.0.0.1", help="Address to listen on.", **env("HOST"))
@click.option("--port", default=8080, type=click.IntRange(1, 65535), **env("PORT"))
@click.option("--database", default=DEFAULT_DATABASE, help=_DATABASE_HELP, **env("DATABASE"))
@click.option(
    "--seed",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML or JSON seed file to load at start.",
    **env("SEED"),
)
@click.option(
    "--public-url",
    help="Base of join links (default: the server's own address).",
    **env("PUBLIC_URL"),
)
@click.option(
    "--admin-token",
    help="Protects /_dingconf. Visible in the process list: prefer the variable or the file.",
    **env("ADMIN_TOKEN"),
)
@click.option(
    "--admin-token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file whose first line is the admin token (kept out of the process list).",
    **env("ADMIN_TOKEN_FILE"),
)
@click.option("--workers", default=1, type=click.IntRange(1, 64), **env("WORKERS"))
@click.option(
    "--log-level",
    default="info",
    type=click.Choice(["debug", "info", "warning", "error"]),
    **env("LOG_LEVEL"),
)
@click.option(
    "--access-log",
    default="text",
    type=click.Choice(ACCESS_LOG_FORMATS),
    help="One line per request on stderr: key=value text, JSON, or none.",
    **env("ACCESS_LOG"),
)
@click.option(
    "--max-body-bytes",
    default=_LIMITS.max_body_bytes,
    type=click.IntRange(1),
    **env("MAX_BODY_BYTES"),
    help="Largest request body; larger ones are refused unread (413).",
)
@click.option(
    "--body-timeout",
    default=_LIMITS.body_timeout_s,
    type=click.FloatRange(0.1),
    **env("BODY_TIMEOUT"),
    help="Seconds a client may take to send a body.",
)
@click.option(
    "--header-timeout",
    default=_HEADER_TIMEOUT_S,
    type=click.FloatRange(0.1),
    **env("HEADER_TIMEOUT"),
    help="Seconds a client may take to send request headers (also closes idle keep-alives).",
)
@click.option(
    "--max-requests",
    default=_MAX_REQUESTS,
    type=click.IntRange(1),
    **env("MAX_REQUESTS"),
    help="Requests in progress per worker; more wait for a slot.",
)
@click.option(
    "--random-seed",
    type=int,
    **env("RANDOM_SEED"),
    help="Seed ids and tokens: the same calls get the same ones on every run (one worker).",
)
@click.option(
    "--import",
    "import_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Load a state document (dingconf export) at start; resets go back to it.",
    **env("IMPORT"),
)
@click.option(
    "--export-on-exit",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the state document to this file when the server stops.",
    **env("EXPORT_ON_EXIT"),
)
@click.option(
    "--journal-size",
    default=1000,
    type=click.IntRange(0),
    help="Calls the request journal keeps per worker, oldest dropped (0: no journal).",
    **env("JOURNAL_SIZE"),
)
@click.option(
    "--qps-limit",
    default=0,
    is_flag=False,
    flag_value=20,
    type=click.IntRange(0),
    help="DingTalk's per-app per-API QPS limit (bare flag: 20, DingTalk's; 0: off).",
    **env("QPS_LIMIT"),
)
@click.option(
    "--presence-timeout",
    default=15.0,
    type=click.FloatRange(1, 3600),
    help="Seconds a person on a meeting's join page stays inside without a heartbeat.",
    **env("PRESENCE_TIMEOUT"),
)
@click.option(
    "--event-retention",
    default=_DEFAULTS.event_retention_s,
    type=click.FloatRange(1),
    help="Seconds (server clock) delivered and dead events stay listed after their last attempt.",
    **env("EVENT_RETENTION"),
)
@click.option(
    "--event-backlog",
    default=_DEFAULTS.event_backlog,
    type=click.IntRange(1),
    help="Pending events an app may be owed; older ones beyond it are dead-lettered.",
    **env("EVENT_BACKLOG"),
)
def serve(
    host: str,
    port: int,
    database: str,
    seed: Path | None,
    public_url: str | None,
    admin_token: str | None,
    admin_token_file: Path | None,
    workers: int,
    log_level: str,
    access_log: str,
    max_body_bytes: int,
    body_timeout: float,
    header_timeout: float,
    max_requests: int,
    random_seed: int | None,
    import_file: Path | None,
    export_on_exit: Path | None,
    journal_size: int,
    qps_limit: int,
    presence_timeout: float,
    event_retention: float,
    event_backlog: int,
) -> None:
    """Serve the API (and the /_dingconf control API) over HTTP."""
    if random_seed is not None and workers > 1:
        raise click.UsageError("--random-seed needs --workers 1: workers would repeat each other")
    from granian.constants import Interfaces, Loops
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    if admin_token_file is not None:
        if admin_token:
            raise click.UsageError("give --admin-token or --admin-token-file, not both")
        try:
            lines = admin_token_file.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            # Not the decoder's message: it quotes a byte of the file.
            raise click.UsageError(f"{admin_token_file} holds no UTF-8 text") from None
        admin_token = lines[0].strip() if lines else ""
        if not admin_token:
            raise click.UsageError(f"{admin_token_file} holds no admin token on its first line")
    settings = Settings(
        host=host,
        port=port,
        database=database,
        public_base_url=public_url,
        admin_token=Secret(admin_token) if admin_token else None,
        workers=workers,
        limits=InputLimits(max_body_bytes=max_body_bytes, body_timeout_s=body_timeout),
        access_log=access_log,
        random_seed=random_seed,
        journal_size=journal_size,
        qps_limit=qps_limit,
        presence_timeout_s=presence_timeout,
        event_retention_s=event_retention,
        event_backlog=event_backlog,
    )
    check_public_url(public_url)
    check_port(host, port)
    prepared = _run(settings, lambda services: _start_state(services, seed, import_file))
    click.echo(f"database {redact(database)}")
    for line in prepared:
        if "appSecret=" not in line:  # the secret waits for the notice printed once ready
            click.echo(line)
    if admin_token is None and not settings.is_loopback:
        click.echo("note: no --admin-token, so the /_dingconf control API is disabled")
    notice = ready_notice(settings, prepared)
    ready = threading.Event()

    def announce() -> None:
        ready.set()
        click.echo(notice)

    when_ready(host, port, announce)
    os.environ[_SETTINGS_ENV] = _settings_to_env(settings)
    granian_server(
        "dingconf.cli:app_factory",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        loop=Loops.uvloop,
        log_level=LogLevels(log_level),
        log_dictconfig=log_config(log_level),
        log_access=False,
        backlog=max_requests,
        backpressure=max_requests,
        workers_kill_timeout=_WORKER_STOP_TIMEOUT_S,
        http1_settings=HTTP1Settings(header_read_timeout=int(header_timeout * 1000)),
    ).serve()
    if export_on_exit is not None:
        _write_state(_run(settings, lambda s: s.state.export()), export_on_exit)
        click.echo(f"state written to {export_on_exit}", err=True)
    if not ready.is_set():
        # Stopped (Ctrl-C, SIGTERM) before it ever answered: say so, as earlier in start-up.
        raise click.Abort()


_database_option = click.option(
    "--database", default=DEFAULT_DATABASE, help=_DATABASE_HELP, **env("DATABASE")
)


def _settings(database: str) -> Settings:
    return Settings(database=database)


@main.command()
@click.argument("seed_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_database_option
def seed(seed_file: Path, database: str) -> None:
    """Load a YAML or JSON seed file (idempotent)."""
    for line in _run(_settings(database), lambda s: _load_seed(s, seed_file)):
        click.echo(line)


@main.group()
def orgs() -> None:
    """Organisations."""


@orgs.command("add")
@click.argument("corp_id")
@click.option("--name", help="Display name (default: the corpId).")
@_database_option
def orgs_add(corp_id: str, name: str | None, database: str) -> None:
    """Create or rename an organisation."""
    _run(_settings(database), lambda s: s.provisioning.add_org(corp_id, name or corp_id))
    click.echo(f"org {corp_id}")


@orgs.command("list")
@_database_option
def orgs_list(database: str) -> None:
    """List organisations."""
    for org in _run(_settings(database), lambda s: s.store.list_orgs()):
        click.echo(f"{org.corp_id}\t{org.name}")


@main.group()
def users() -> None:
    """Users of an organisation."""


@users.command("add")
@click.argument("corp_id")
@click.argument("union_id")
@click.option("--nick", help="Display name (default: the unionId).")
@click.option("--user-id")
@click.option("--job-number")
@click.option("--dept-name", help="The user's department (GetHistoryConfDataList deptName).")
@_database_option
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
    _run(
        _settings(database),
        lambda s: s.provisioning.add_user(
            corp_id, union_id, nick or union_id, user_id, job_number, dept_name
        ),
    )
    click.echo(f"user {union_id} in {corp_id}")


@users.command("list")
@click.argument("corp_id")
@_database_option
def users_list(corp_id: str, database: str) -> None:
    """List the users of an organisation."""
    for user in _run(_settings(database), lambda s: s.store.list_users(corp_id)):
        click.echo(f"{user.union_id}\t{user.nick}")


@main.group()
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
@_database_option
def apps_add(
    corp_id: str, app_key: str, secret: str | None, scopes: tuple[str, ...], database: str
) -> None:
    """Create or update an internal app; say what changed."""

    async def work(s: Services) -> tuple[AppChange, str | None]:
        # A new app without --secret gets one; an existing app keeps its own.
        exists = await s.store.get_app(app_key) is not None
        generated = None if secret is not None or exists else secrets.token_urlsafe(18)
        change = await s.provisioning.add_app(corp_id, app_key, secret or generated, scopes or None)
        return change, generated

    change, generated = _run(_settings(database), work)
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
@click.argument("corp_id")
@_database_option
def apps_list(corp_id: str, database: str) -> None:
    """List the apps of an organisation."""
    for app in _run(_settings(database), lambda s: s.store.list_apps(corp_id)):
        click.echo(f"{app.app_key}\t{' '.join(sorted(app.scopes))}")


@apps.command("revoke-tokens")
@click.argument("app_key")
@_database_option
def apps_revoke(app_key: str, database: str) -> None:
    """Revoke every access token of an app."""
    count = _run(_settings(database), lambda s: s.provisioning.revoke_tokens(app_key))
    click.echo(f"revoked {count} tokens of {app_key}")


@apps.command("reset-secret")
@click.argument("app_key")
@click.option("--secret", help="The new appSecret (default: generated).")
@_database_option
def apps_reset_secret(app_key: str, secret: str | None, database: str) -> None:
    """Give an app a new secret and print it; its tokens are revoked."""
    new_secret = secret or secrets.token_urlsafe(18)
    _run(_settings(database), lambda s: s.provisioning.reset_secret(app_key, new_secret))
    click.echo(f"appKey={app_key} appSecret={new_secret}")
    click.echo("shown once (only its hash is stored); the app's earlier tokens are revoked")


@apps.command("push")
@click.argument("app_key")
@click.option("--url", required=True, help="The callback URL events are POSTed to.")
@click.option("--token", required=True, help="The callback token (signs each message).")
@click.option("--aes-key", required=True, help="The 43-character EncodingAESKey.")
@click.option("--no-check", is_flag=True, help="Store without the check_url handshake.")
@_database_option
def apps_push(
    app_key: str, url: str, token: str, aes_key: str, no_check: bool, database: str
) -> None:
    """Deliver an app's events by HTTP push (after the check_url handshake)."""
    _run(
        _settings(database),
        lambda s: s.push.subscribe(app_key, url, token, aes_key, check=not no_check),
    )
    click.echo(f"app {app_key} events pushed to {url}")


@apps.command("push-off")
@click.argument("app_key")
@_database_option
def apps_push_off(app_key: str, database: str) -> None:
    """Stop HTTP push for an app (its events then go to Stream sessions)."""
    _run(_settings(database), lambda s: s.push.unsubscribe(app_key))
    click.echo(f"app {app_key} no longer pushed")


@main.command("events")
@click.argument("app_key")
@click.option("--state", type=click.Choice(["pending", "delivered", "dead"]))
@_database_option
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

    _run(_settings(database), every_page)


@main.command()
@click.option("--corp", "corp_id", help="Reset this organisation only.")
@click.option(
    "--seed",
    "seed_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Then load this seed (and, for every organisation, make it the new baseline).",
)
@_database_option
def reset(corp_id: str | None, seed_file: Path | None, database: str) -> None:
    """Go back to the seed the server started with: delete meetings and all that hangs off them."""

    async def work(s: Services) -> list[str]:
        await s.state.reset(corp_id)
        lines = [f"reset {corp_id or 'every organisation'}"]
        if seed_file is not None:
            lines += await _load_seed(s, seed_file)
            if corp_id is None:
                await s.state.capture_baseline()
        return lines

    for line in _run(_settings(database), work):
        click.echo(line)


@main.command()
@click.option("--corp", "corp_id", help="Export this organisation only.")
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout."
)
@_database_option
def export(corp_id: str | None, output: Path | None, database: str) -> None:
    """Write the state as a dingconf-state JSON document (docs/state-format.md); no tokens."""
    _write_state(_run(_settings(database), lambda s: s.state.export(corp_id)), output)


@main.command("import")
@click.argument("state_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--replace-all", is_flag=True, help="Delete every organisation first, not only those it holds."
)
@_database_option
def import_(state_file: Path, replace_all: bool, database: str) -> None:
    """Load a dingconf-state document: its organisations replace those with the same corpId."""
    document = _read_json(state_file)
    count = _run(
        _settings(database), lambda s: s.state.import_state(document, replace_all=replace_all)
    )
    click.echo(f"imported {count} organisations from {state_file}")
