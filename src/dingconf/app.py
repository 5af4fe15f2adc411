"""Composition: settings → store → services → ASGI app.

The only module that names a concrete storage backend.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import TextIO

from starlette.types import ASGIApp, Receive, Scope, Send

from dingconf.analytics.routes import analytics_routes
from dingconf.analytics.service import AnalyticsService
from dingconf.auth.guards import guards, page_guard
from dingconf.auth.provisioning import ProvisioningService
from dingconf.auth.routes import oauth_routes
from dingconf.auth.service import TokenService
from dingconf.bookings.routes import booking_routes
from dingconf.bookings.service import BookingService
from dingconf.content.service import ContentService
from dingconf.control.console.join_page import join_page_operations, join_page_routes
from dingconf.control.console.landing import browser_not_found, landing_route
from dingconf.control.console.pages import console_pages
from dingconf.control.console.presence import PresenceService
from dingconf.control.console.routes import console_routes
from dingconf.control.console.service import ConsoleService
from dingconf.control.faults import Faults
from dingconf.control.routes import analytics_control_routes, control_routes
from dingconf.control.service import ControlService
from dingconf.control.shared_clock import SharedClock
from dingconf.control.state import StateService
from dingconf.control.state_routes import state_routes
from dingconf.control.toolkit import Toolkit, toolkit_routes
from dingconf.core.clock import Clock
from dingconf.core.config import Settings
from dingconf.core.ids import CONFERENCE_ID
from dingconf.core.rng import IdSource, use_ids
from dingconf.db.driver import Database
from dingconf.db.sqlite import SQLiteDatabase, sqlite_path
from dingconf.db.store import MeetingRows, Store
from dingconf.delivery.dispatcher import Dispatcher
from dingconf.delivery.push import PushSender
from dingconf.delivery.stream import StreamHub
from dingconf.events.gateway import GatewayService
from dingconf.events.gateway_routes import gateway_routes, stream_routes
from dingconf.events.log import EventLogService
from dingconf.events.push import PushService
from dingconf.events.retention import EventRetention
from dingconf.events.routes import event_log_routes
from dingconf.http.asgi import wire_errors
from dingconf.http.errors import RequestIds
from dingconf.http.journal import Journal
from dingconf.http.metrics import Metrics, metrics_routes
from dingconf.http.observe import observe
from dingconf.http.openapi import docs_routes, openapi_routes
from dingconf.http.operations import Operation, bind
from dingconf.http.routing import ApiRoute, build_router
from dingconf.http.stats import StatsService
from dingconf.links.service import LinkService
from dingconf.links.signing import LinkSigner
from dingconf.listing.routes import listing_routes
from dingconf.listing.service import ListingService
from dingconf.meetings.routes import conference_routes
from dingconf.meetings.service import ConferenceService
from dingconf.meetings.tables import CONFERENCE_COLUMNS, conference_of
from dingconf.members.routes import member_routes
from dingconf.members.service import MemberService
from dingconf.minutes.reader import MinutesReader
from dingconf.minutes.routes import minutes_media_routes, minutes_routes
from dingconf.minutes.service import MinutesService
from dingconf.recording.files_routes import record_routes
from dingconf.recording.files_service import CloudRecordService
from dingconf.recording.media import MediaSigner
from dingconf.recording.media_routes import media_routes
from dingconf.recording.service import RecordingService
from dingconf.streams.routes import streams_routes
from dingconf.streams.service import StreamService

__all__ = [
    "FEATURES",
    "Services",
    "api_operations",
    "api_routes",
    "build_services",
    "create_app",
    "open_store",
    "store_over",
]


def store_over(database: Database) -> Store:
    """The store over a database driver, reading meetings as the meetings feature maps them."""
    return Store(database, MeetingRows(CONFERENCE_COLUMNS, conference_of))


def open_store(database_url: str) -> Store:
    """The store for a database URL (not yet opened)."""
    if database_url.startswith("sqlite:"):
        return store_over(SQLiteDatabase(sqlite_path(database_url)))
    if database_url.startswith(("postgresql:", "postgres:", "postgresql+psycopg:")):
        try:
            # Imported here: psycopg is the optional ``postgres`` extra.
            from dingconf.db.postgres import PostgresDatabase
        except ImportError as missing:
            raise ImportError(
                f"PostgreSQL needs {missing.name or 'psycopg'}, which dingconf's postgres extra "
                "installs: pip install 'dingconf[postgres]'"
            ) from None
        return store_over(PostgresDatabase(database_url))
    raise ValueError(
        f"unsupported database URL {database_url!r} "
        "(expected sqlite:///PATH or postgresql://USER@HOST:PORT/DB)"
    )


@dataclass(frozen=True, slots=True)
class Services:
    """Everything the adapters call into."""

    store: Store
    clock: Clock
    tokens: TokenService
    conferences: ConferenceService
    members: MemberService
    recording: RecordingService
    records: CloudRecordService
    media: MediaSigner
    content: ContentService
    bookings: BookingService
    listing: ListingService
    control: ControlService
    analytics: AnalyticsService
    provisioning: ProvisioningService
    gateway: GatewayService
    event_log: EventLogService
    push: PushService
    streams: StreamService
    links: LinkService
    minutes: MinutesService
    minutes_reader: MinutesReader
    shared_clock: SharedClock
    state: StateService
    console: ConsoleService
    presence: PresenceService


def build_services(settings: Settings, store: Store) -> Services:
    """Wire the domain services around one store and one clock."""
    # Runs by the database's clock from the first request on (control.shared_clock).
    clock = Clock()
    conferences = ConferenceService(store, clock, settings.base_url)
    recording = RecordingService(store, clock)
    bookings = BookingService(store, clock, settings.base_url)
    media = MediaSigner(store, clock, settings.base_url)
    content = ContentService(store, clock)
    provisioning = ProvisioningService(store)
    members = MemberService(store, clock, conferences)
    control = ControlService(store, clock, conferences, bookings, recording, content)
    return Services(
        store=store,
        clock=clock,
        tokens=TokenService(store, clock, settings.token_ttl_s, settings.refused_secret),
        conferences=conferences,
        members=members,
        recording=recording,
        records=CloudRecordService(store, clock, media),
        media=media,
        content=content,
        bookings=bookings,
        listing=ListingService(store, clock),
        control=control,
        analytics=AnalyticsService(store, clock, conferences),
        gateway=GatewayService(store, clock, settings.refused_secret),
        event_log=EventLogService(store, clock),
        push=PushService(store, PushSender(clock).check_url),
        streams=StreamService(store, clock),
        links=LinkService(store, clock, settings.base_url),
        minutes=MinutesService(store, clock),
        minutes_reader=MinutesReader(
            store, clock, conferences, LinkSigner(store, settings.base_url)
        ),
        provisioning=provisioning,
        shared_clock=SharedClock(store, clock),
        state=StateService(store, provisioning),
        console=ConsoleService(store, conferences, members, recording),
        presence=PresenceService(store, clock, control, int(settings.presence_timeout_s * 1000)),
    )


#: Each feature's operations, declared from the services, in matching order. A
#: new feature adds one line here (and its service to :class:`Services`).
#: Listing first: its literal paths (``videoConferences/query``) must win over
#: ``videoConferences/{conferenceId}`` (build_router tries well-formed
#: conference ids before all of these).
FEATURES: tuple[Callable[[Services, Toolkit], list[Operation]], ...] = (
    lambda s, _: streams_routes(s.streams, s.links),
    lambda s, _: listing_routes(s.listing, s.analytics),
    lambda s, _: conference_routes(s.conferences),
    lambda s, _: member_routes(s.members, s.recording),
    lambda s, _: record_routes(s.records),
    lambda s, _: booking_routes(s.bookings),
    lambda s, _: oauth_routes(s.tokens),
    lambda s, _: gateway_routes(s.gateway),
    lambda s, _: control_routes(s.control),
    lambda s, _: console_routes(s.console, s.clock.now_ms),
    lambda s, _: join_page_operations(s.presence),
    lambda s, _: event_log_routes(s.event_log, s.push),
    lambda s, t: state_routes(s.state, s.shared_clock, t.forget),
    lambda s, _: analytics_routes(s.analytics),
    lambda s, _: analytics_control_routes(s.control),
    lambda s, _: minutes_routes(s.minutes, s.minutes_reader),
    lambda s, t: toolkit_routes(t, s.provisioning, s.clock.now_ms),
)


def api_operations(services: Services, toolkit: Toolkit | None = None) -> list[Operation]:
    """Every operation the server declares, in matching order, ``GET /openapi.json``
    describing them last (``toolkit``: this process's journal and faults; empty ones
    by default)."""
    toolkit = toolkit or Toolkit(Journal(0, services.clock.now_ms), Faults(services.clock.now_ms))
    operations = [operation for declare in FEATURES for operation in declare(services, toolkit)]
    return [*operations, *openapi_routes(operations)]


def api_routes(
    settings: Settings, services: Services, toolkit: Toolkit | None = None
) -> list[ApiRoute]:
    """Every route the server answers, in matching order (``toolkit``: this process's
    journal and faults; by default fresh ones as ``settings`` configure them)."""
    toolkit = toolkit or Toolkit.of(settings, services.clock.now_ms)
    operations = api_operations(services, toolkit)
    toolkit.faults.know_actions(o.action for o in operations if o.gated)
    toolkit.journal.know_operations((o.method, o.path) for o in operations if o.gated)
    return bind(
        operations,
        {
            **guards(services.tokens, settings.admin_token, settings.is_loopback),
            "page": page_guard(settings.base_url),
        },
        settings.limits,
        gate=toolkit.faults,
    )


def create_app(
    settings: Settings,
    on_startup: Callable[[Services], Awaitable[None]] | None = None,
    access_log_stream: TextIO | None = None,
) -> ASGIApp:
    """The ASGI application; the store opens (and migrates) at lifespan start-up.

    It keeps all its state to itself (ids, metrics, journal), so several apps
    can run in one process. The access log goes to ``access_log_stream``
    (default: this process's stderr).
    """
    ids = IdSource(settings.random_seed)
    request_ids = RequestIds(ids)
    services = build_services(settings, open_store(settings.database))
    hub = StreamHub(services.clock)
    metrics = Metrics()
    dispatcher = Dispatcher(
        services.store,
        services.clock,
        hub,
        PushSender(services.clock),
        on_settled=metrics.count_event_delivery,
    )
    retention = EventRetention(
        services.store,
        services.clock,
        int(settings.event_retention_s * 1000),
        settings.event_backlog,
    )

    @asynccontextmanager
    async def lifespan(_app: object) -> AsyncIterator[None]:
        await services.store.open()
        if on_startup is not None:
            await on_startup(services)
        dispatcher.start()
        sweepers = [
            asyncio.create_task(services.presence.sweep_forever(services.shared_clock.refresh)),
            asyncio.create_task(retention.sweep_forever(services.shared_clock.refresh)),
        ]
        try:
            yield
        finally:
            for sweeper in sweepers:
                sweeper.cancel()
                with suppress(asyncio.CancelledError):
                    await sweeper
            await dispatcher.stop()
            await hub.disconnect_all()
            await services.store.close()

    toolkit = Toolkit.of(settings, services.clock.now_ms)
    routes = api_routes(settings, services, toolkit)
    admit = guards(services.tokens, settings.admin_token, settings.is_loopback)["admin"]
    raw = [
        *media_routes(services.media),
        *minutes_media_routes(services.minutes_reader),
        *stream_routes(services.gateway, hub),
        *metrics_routes(metrics, StatsService(services.store), admit),
        *docs_routes(),
        *console_pages(),
        landing_route(settings, services.console, services.provisioning, services.store),
        *join_page_routes(services.presence, page_guard(settings.base_url)),
    ]
    router = build_router(routes, lifespan, raw=raw)
    not_found = browser_not_found([(r.method, r.path) for r in routes])
    app = wire_errors(router, request_ids, not_found, _shared_clock(services.shared_clock))
    # Off, the journal is not handed over: no bodies are collected for it.
    journal = toolkit.journal if settings.journal_size else None
    observed = observe(app, metrics, settings.access_log, journal, access_log_stream)
    # Unseeded, it may draw from the CSPRNG all share: there is no sequence to keep apart.
    return observed if settings.random_seed is None else _drawing_ids_from(ids, observed)


def _drawing_ids_from(ids: IdSource, app: ASGIApp) -> ASGIApp:
    """Run every call of ``app`` (its lifespan too, so the tasks it starts) on its own ids."""

    async def drawing(scope: Scope, receive: Receive, send: Send) -> None:
        token = use_ids(ids)
        try:
            await app(scope, receive, send)
        finally:
            token.var.reset(token)

    return drawing


_MEETING_PATH = "/v1.0/conference/videoConferences/"


def _named_meeting(scope: Scope) -> str | None:
    """The well-formed meeting id a GET request's path names, if any."""
    path: str = scope["path"]
    if scope["method"] != "GET" or not path.startswith(_MEETING_PATH):
        return None
    conference_id = path[len(_MEETING_PATH) : len(_MEETING_PATH) + 24]
    rest = path[len(_MEETING_PATH) + 24 :]
    if (rest and rest[0] != "/") or not CONFERENCE_ID.fullmatch(conference_id):
        return None
    return conference_id


def _shared_clock(clock: SharedClock) -> Callable[[Scope], Awaitable[None]]:
    """Run each request by the clock every process on the database shares.

    A read naming a meeting has it read along with the clock where that takes
    a round trip anyway (PostgreSQL), so that QueryConferenceInfo costs one;
    the path is looked at only there.
    """

    async def refresh(scope: Scope) -> None:
        await clock.refresh(lambda: _named_meeting(scope))

    return refresh
