"""``dingconf serve``: the HTTP server, its start-up state and its granian workers."""

import dataclasses
import gc
import json
import os
import secrets
import threading
from pathlib import Path
from typing import Any

import click

from dingconf.app import Services, create_app
from dingconf.auth.provisioning import DEFAULT_SCOPES
from dingconf.cli.jobs import DATABASE_HELP, load_seed, read_json, run, write_state
from dingconf.control.state_tables import StateTables
from dingconf.core.config import (
    DEFAULT_DATABASE,
    DEMO_APP_KEY,
    DEMO_CORP,
    DEMO_ORG_NAME,
    DEMO_SECRET,
    DEMO_USER_IDS,
    DEMO_USERS,
    InputLimits,
    Secret,
    Settings,
)
from dingconf.http.observe import ACCESS_LOG_FORMATS
from dingconf.runtime import (
    check_port,
    check_public_url,
    env,
    granian_server,
    log_config,
    ready_notice,
    redact,
    when_ready,
)

__all__ = ["app_factory", "serve"]

#: How ``serve`` hands its settings to granian's worker processes.
_SETTINGS_ENV = "DINGCONF_SERVE_SETTINGS"
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
            "demo_secret": settings.demo_secret.reveal() if settings.demo_secret else None,
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
    demo = raw.pop("demo_secret")
    limits = InputLimits(**raw.pop("limits"))
    settings = Settings(
        **raw,
        admin_token=Secret(token) if token else None,
        demo_secret=Secret(demo) if demo else None,
        limits=limits,
    )
    return create_app(settings, on_startup=_freeze_loaded)


async def _demo(services: Services, settings: Settings) -> tuple[list[str], bool]:
    """Create the demo organisation on a first start; return lines to print and
    whether anything was stored.

    It is made in one transaction, so an interrupted start leaves none of it;
    one that an earlier version left without its app (and users) is completed.
    Its app gets the local demo secret (:attr:`Settings.local_demo_secret`),
    else a random one. A stored secret is replaced only by one set explicitly
    (``--demo-secret``): one given earlier (a random one, a reset) stays.
    """
    wanted = settings.local_demo_secret
    secret = wanted or secrets.token_urlsafe(18)
    # The well-known secret and a random one (once) are printed; one the user
    # chose is theirs to know, and is not repeated into the output.
    shown = secret if wanted in (None, DEMO_SECRET) else "(set by --demo-secret)"
    credentials = f"appKey={DEMO_APP_KEY} appSecret={shown}"
    provisioning = services.provisioning
    if await provisioning.provision_first_org(
        DEMO_CORP, DEMO_ORG_NAME, DEMO_USERS, DEMO_APP_KEY, secret, DEFAULT_SCOPES
    ):
        created = f"created demo organisation {DEMO_CORP} with users {DEMO_USER_IDS}"
        return [created, credentials], True
    answers = None if wanted is None else await provisioning.answers_to(DEMO_APP_KEY, wanted)
    if wanted is None or answers is None:
        return [], False  # nothing to tell, or no demo app (a database a seed filled)
    if answers:
        return [credentials], False
    if settings.demo_secret is not None:
        await provisioning.reset_secret(DEMO_APP_KEY, wanted)
        return [credentials], True
    return [
        f"{DEMO_APP_KEY} keeps the secret it was given earlier; for the local demo secret run "
        f"dingconf apps reset-secret {DEMO_APP_KEY} --secret {DEMO_SECRET}"
    ], False


async def _start_state(
    services: Services,
    seed: Path | None,
    state_file: Path | None,
    settings: Settings = _DEFAULTS,
) -> list[str]:
    """Seed, import, and store the baseline a reset goes back to; return lines to print.

    The demo organisation is made only when neither a seed nor a document is
    given (a document's organisations would replace it, and its secret with it).
    The baseline is taken when a seed, a document or the demo is stored, or
    when none is stored yet (a server joining a database others serve keeps theirs).
    """
    lines = await load_seed(services, seed) if seed is not None else []
    changed = seed is not None
    if seed is None and state_file is None:
        lines, changed = await _demo(services, settings)
    if state_file is not None:
        count = await services.state.import_state(read_json(state_file))
        lines.append(f"imported {count} organisations from {state_file}")
        changed = True
    if changed or await StateTables(services.store.reader).baseline() is None:
        await services.state.capture_baseline(with_meetings=state_file is not None)
    return lines


@click.command()
@click.option("--host", default="127.0.0.1", help="Address to listen on.", **env("HOST"))
@click.option("--port", default=8080, type=click.IntRange(1, 65535), **env("PORT"))
@click.option("--database", default=DEFAULT_DATABASE, help=DATABASE_HELP, **env("DATABASE"))
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
@click.option(
    "--demo-secret",
    help=f"The demo app's secret (default on loopback: {DEMO_SECRET}; elsewhere: random). "
    "Visible in the process list: prefer the variable.",
    **env("DEMO_SECRET"),
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
    demo_secret: str | None,
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
        demo_secret=Secret(demo_secret) if demo_secret else None,
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
    prepared = run(settings, lambda services: _start_state(services, seed, import_file, settings))
    click.echo(f"database {redact(database)}")
    for line in prepared:
        if "appSecret=" not in line:  # the secret waits for the notice printed once ready
            click.echo(line)
    if admin_token is None and not settings.is_loopback:
        click.echo("note: no --admin-token, so the /_dingconf control API is disabled")
    if settings.refused_secret is not None:
        click.echo(
            f"note: not bound to loopback, so the well-known secret {DEMO_SECRET!r} is refused "
            "(--demo-secret sets the demo app's own)"
        )
    notice = ready_notice(settings, prepared)
    ready = threading.Event()

    def announce() -> None:
        ready.set()
        click.echo(notice)

    when_ready(host, port, announce)
    os.environ[_SETTINGS_ENV] = _settings_to_env(settings)
    granian_server(
        "dingconf.cli.serve:app_factory",
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
        write_state(run(settings, lambda s: s.state.export()), export_on_exit)
        click.echo(f"state written to {export_on_exit}", err=True)
    if not ready.is_set():
        # Stopped (Ctrl-C, SIGTERM) before it ever answered: say so, as earlier in start-up.
        raise click.Abort()
