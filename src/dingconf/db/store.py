"""The storage interface every backend implements.

Reads are plain methods on :class:`Store`. Every change happens inside
``async with store.write() as tx:`` so that the service layer can read, decide
and write atomically: a transition such as "join unless already inside" and
the counters it moves commit together or not at all.
"""

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from dingconf.analytics.records import Device, NetworkSample, SessionRecord
from dingconf.content.records import Span, Utterance
from dingconf.control.console.presence_records import Presence
from dingconf.core.clock import ClockState
from dingconf.core.records import (
    AttendStatus,
    Booking,
    Conference,
    ConferenceStatus,
    Participant,
)
from dingconf.db.driver import Connection
from dingconf.events.records import (
    Delivery,
    DeliveryPosition,
    OutboxEvent,
    PushSubscription,
    StreamTicket,
)
from dingconf.listing.records import MemberKey, MemberPage
from dingconf.minutes.records import MinutesGrant
from dingconf.streams.records import ConferenceExtras, LoginLink, ShortLink, StreamOut

__all__ = [
    "ConferenceFilter",
    "Invitation",
    "RoomCodeTaken",
    "StorageUnavailable",
    "Store",
    "WriteTx",
]

#: ``(union_id, nick)`` of one invitee.
Invitation = tuple[str, str]


@dataclass(frozen=True, slots=True)
class ConferenceFilter:
    """Which meetings a listing wants; None matches anything."""

    status: ConferenceStatus | None = None
    room_code: str | None = None
    schedule_conference_id: str | None = None
    started_from_ms: int | None = None
    started_to_ms: int | None = None
    #: Substrings (case-sensitive) of the title and of the creator's nick.
    title_contains: str | None = None
    creator_nick_contains: str | None = None


class RoomCodeTaken(Exception):
    """Another meeting that has not ended already uses this roomCode."""


class StorageUnavailable(Exception):
    """The database cannot be reached or answered with an unexpected failure."""


class WriteTx(Protocol):
    """The operations allowed inside one write transaction.

    Reads needed while deciding go through the transaction too: a pooled
    backend must never wait for a second connection while holding one.
    """

    @property
    def conn(self) -> Connection:
        """The connection holding this transaction, for a feature's tables."""

    @property
    def row_lock(self) -> str:
        """The clause appended to a SELECT to lock its rows for this transaction."""

    async def conference_corp(self, conference_id: str) -> str | None:
        """The organisation owning a meeting, if it exists."""

    async def booking_corp(self, schedule_conference_id: str) -> str | None:
        """The organisation owning a booking, if it exists."""

    async def list_conferences(
        self, corp_id: str | None, where: ConferenceFilter
    ) -> list[Conference]:
        """Meetings of ``corp_id`` (None: any organisation), by startTime."""

    async def insert_conference(
        self, conference: Conference, invitations: list[Invitation], invited_by: str
    ) -> None:
        """Store a new meeting and its invitations.

        Raises:
            RoomCodeTaken: the roomCode is in use by a meeting that has not ended.
        """

    async def lock_conference(self, corp_id: str, conference_id: str) -> Conference | None:
        """Read a meeting of ``corp_id`` and hold it until the transaction ends."""

    async def lock_any_conference(self, conference_id: str) -> Conference | None:
        """:meth:`lock_conference` for the control API, whatever the organisation."""

    async def get_participant(self, conference_id: str, union_id: str) -> Participant | None:
        """Read one member of a meeting."""

    async def update_conference(self, conference: Conference) -> None:
        """Write a meeting's settings and state; never its counters."""

    async def add_invitations(
        self, conference_id: str, invitations: list[Invitation], invited_by: str, at_ms: int
    ) -> int:
        """Ring people (members with attendStatus 2); count new invitees in invitedNum.

        Returns how many of them had not been invited before.
        """

    async def record_join(
        self,
        conference_id: str,
        union_id: str,
        nick: str,
        at_ms: int,
        *,
        muted: bool = False,
        outer_org: bool = False,
        maybe_starting: bool = True,
    ) -> tuple[Participant, Conference] | None:
        """Mark a person inside the meeting, open a session and move the counters.

        The counters move by what the rows did: ``activeNum`` by one,
        ``attendNum`` at the person's first stay, the member total for a row new
        to the meeting. A meeting that had not started (status 0) starts now.
        Returns the member and the meeting as the join left them; None (and
        nothing changed) when the person is inside already.
        ``maybe_starting=False`` (the caller holds the meeting and read a status
        other than 0) skips looking for a start.
        """

    async def record_leave(
        self, conference_id: str, union_id: str, at_ms: int
    ) -> tuple[Participant, Conference] | None:
        """Mark a person inside as having left, close their session and move the counters.

        Returns the member and the meeting as the leave left them; None (and
        nothing changed) when the person was not inside.
        """

    async def set_session_device(self, conference_id: str, union_id: str, device: Device) -> None:
        """Record the client of a person's latest stay in a meeting."""

    async def stay_devices(self, conference_id: str, union_ids: list[str]) -> dict[str, str]:
        """The deviceType of each person's latest stay (nobody who never joined)."""

    async def add_samples(self, conference_id: str, samples: list[NetworkSample]) -> None:
        """Append network samples reported by people's clients."""

    async def decline_call(self, conference_id: str, union_id: str, reason: str | None) -> bool:
        """An invitee being rung declines (attendStatus 2 → 4); False if not being rung."""

    async def kick_member(
        self, conference_id: str, union_id: str, at_ms: int, *, forbid_rejoin: bool
    ) -> None:
        """Put a member out (attendStatus 5), closing their session if inside."""

    async def update_member(self, member: Participant) -> None:
        """Write a member's nick and mute state."""

    async def add_phone_invitations(
        self, conference_id: str, invitations: list[Invitation], invited_by: str, at_ms: int
    ) -> int:
        """Ring ``(phoneNumber, nick)`` invitees; count new numbers in invitedNum.

        They are not members: nobody with a unionId answers a telephone call.
        Returns how many numbers had not been invited before.
        """

    async def mute_everyone(self, conference_id: str, muted: bool) -> None:
        """Mute or unmute every member of a meeting."""

    # Streams out, focus, ext info, subtitles, whitelist, links (model.extras).

    async def list_stream_outs(self, conference_id: str) -> list[StreamOut]:
        """A meeting's streams, oldest first (the caller holds the meeting's lock)."""

    async def insert_stream_out(self, stream: StreamOut) -> None:
        """Store a stream that has started."""

    async def stop_stream_outs(
        self, conference_id: str, stream_ids: list[str] | None, at_ms: int
    ) -> int:
        """Stop a meeting's running streams (all, or those listed); return how many."""

    async def get_conference_extras(self, conference_id: str) -> ConferenceExtras | None:
        """A meeting's focus, ext info and subtitle flag, if any was ever set."""

    async def put_conference_extras(self, extras: ConferenceExtras) -> None:
        """Write a meeting's focus, ext info and subtitle flag."""

    async def add_to_record_whitelist(
        self, corp_id: str, biz_type: str, union_ids: list[str], by: str, at_ms: int
    ) -> None:
        """Add accounts to an organisation's recording whitelist."""

    async def remove_from_record_whitelist(
        self, corp_id: str, biz_type: str, union_ids: list[str]
    ) -> None:
        """Remove accounts from an organisation's recording whitelist."""

    async def on_record_whitelist(self, corp_id: str, biz_type: str, union_id: str) -> bool:
        """Whether an account is on an organisation's recording whitelist."""

    async def insert_login_link(self, link: LoginLink) -> None:
        """Store an auto-login link."""

    async def get_login_link(self, token_hash: str) -> LoginLink | None:
        """An auto-login link by its token's hash."""

    async def use_login_link(self, token_hash: str, at_ms: int) -> bool:
        """Use an auto-login link once; False when it was already used."""

    async def put_presence(self, presence: Presence) -> None:
        """Store a join page's presence, replacing the person's earlier one in the meeting."""

    async def beat_presence(self, presence_hash: str, at_ms: int) -> bool:
        """Note a heartbeat at ``at_ms``; False when the presence is gone."""

    async def drop_presence(self, presence_hash: str, beat_before_ms: int | None = None) -> bool:
        """Delete a presence (only if its last beat is before ``beat_before_ms``, when
        given); True when this call deleted it, so one process acts on each."""

    async def insert_short_link(self, link: ShortLink) -> None:
        """Store a short link."""

    async def insert_booking(self, booking: Booking) -> None:
        """Store a new booking."""

    # Meeting events (model.events): written with the change they describe.

    async def set_event_origin(self, subject_id: str, app_key: str) -> None:
        """Remember the app that created a meeting or booking (its ``_target_push`` receiver)."""

    async def next_event_seq(self, conference_id: str) -> int:
        """The meeting's next statusSeqNum (the meeting is locked)."""

    async def event_context(
        self, conference_id: str, schedule_id: str | None
    ) -> tuple[int, str | None]:
        """The next statusSeqNum (meeting locked) and the creating app (or the booking's)."""

    async def add_event(self, event: OutboxEvent) -> None:
        """Put an event in the outbox with a pending delivery for each receiving app."""

    async def add_events(self, events: Sequence[OutboxEvent]) -> None:
        """:meth:`add_event` for several events at once (one change's variants)."""

    async def put_stream_ticket(self, ticket_hash: str, ticket: StreamTicket) -> None:
        """Store a Stream-mode connection ticket by its hash."""

    async def claim_deliveries(
        self, keys: Sequence[tuple[str, str]], now_ms: int, until_ms: int
    ) -> set[tuple[str, str]]:
        """Hold due deliveries (event, app) for this process until ``until_ms``: those won
        (another process holds the others)."""

    async def settle_delivery(
        self,
        event_id: str,
        app_key: str,
        *,
        delivered: bool,
        next_at_ms: int,
        error: str,
        max_attempts: int,
    ) -> None:
        """Record an attempt: delivered, or due again at ``next_at_ms``, or dead at the last."""

    async def requeue_delivery(self, event_id: str, app_key: str, now_ms: int) -> bool:
        """Make a delivery pending again with fresh attempts; False if there is none."""

    async def put_push_subscription(self, subscription: PushSubscription) -> None:
        """Set or replace an app's HTTP push subscription."""

    async def prune_settled_deliveries(self, app_key: str, before_ms: int, limit: int) -> int:
        """Delete up to ``limit`` settled rows of an app last due before ``before_ms``."""

    async def prune_events(self, before_ms: int, limit: int) -> int:
        """Delete up to ``limit`` old events without rows left, each meeting's newest kept."""

    async def bound_backlog(self, app_key: str, bound: int, now_ms: int) -> int:
        """Dead-letter an app's oldest pending rows beyond its newest ``bound``; how many."""

    async def delete_push_subscription(self, app_key: str) -> bool:
        """Drop an app's HTTP push subscription; False if it had none."""

    async def update_booking(self, booking: Booking) -> None:
        """Write a booking's fields and settings."""

    async def lock_booking(self, corp_id: str, schedule_conference_id: str) -> Booking | None:
        """Read a booking of ``corp_id`` and hold it until the transaction ends."""

    async def end_conference(self, conference_id: str, at_ms: int) -> None:
        """End a meeting: everyone still inside leaves at ``at_ms``; calls fail."""

    # Meeting content (model.content): written under the meeting's lock.

    async def add_utterance(
        self, conference_id: str, union_id: str, nick: str, text: str, at_ms: int
    ) -> Utterance:
        """Store what someone said; its ``seq`` is the meeting's next."""

    async def open_span(
        self, conference_id: str, kind: str, take: int, owner: str, at_ms: int
    ) -> None:
        """Start a span of a recording or the minutes."""

    async def close_span(self, conference_id: str, kind: str, at_ms: int) -> None:
        """End the running span of ``kind``, if one runs."""

    async def put_minutes_summary(self, conference_id: str, summary_json: str) -> None:
        """Set (or replace) the explicit summary of a meeting's minutes."""

    async def grant_minutes(self, grant: MinutesGrant) -> None:
        """Share a meeting's minutes with a person (a second share replaces the first)."""

    async def list_spans(self, conference_id: str, kind: str) -> list[Span]:
        """The spans of a meeting's recordings or minutes, by take and start."""

    async def keep_media_key(self, name: str, candidate: str) -> str:
        """The URL-signing key called ``name``, stored as ``candidate`` if there is none."""


class Store(Protocol):
    """A dingconf database."""

    async def open(self) -> None:
        """Connect and bring the schema up to date."""

    async def close(self) -> None:
        """Release connections."""

    def write(self) -> AbstractAsyncContextManager[WriteTx]:
        """Begin a write transaction, committed when the block exits normally."""

    @property
    def reader(self) -> Connection:
        """The connection for reads outside a transaction, for a feature's tables."""

    async def get_stream_ticket(self, ticket_hash: str) -> StreamTicket | None:
        """A Stream-mode ticket by its hash (expired ones too)."""

    async def due_deliveries(self, app_keys: list[str], now_ms: int, limit: int) -> list[Delivery]:
        """Deliveries of these apps to attempt now, the first undelivered one per meeting."""

    async def list_deliveries(
        self,
        app_key: str,
        state: str | None,
        after: DeliveryPosition | None = None,
        limit: int | None = None,
    ) -> list[Delivery]:
        """An app's deliveries, optionally in one state, by meeting and statusSeqNum.

        ``after`` starts past that row's position; ``limit`` caps the rows.
        """

    async def push_subscriptions(self) -> list[PushSubscription]:
        """Every app's HTTP push subscription."""

    async def change_marker(self) -> int | None:
        """A number that moves whenever anything commits, in any process; None when the
        backend has no cheap one (then callers poll)."""

    async def auth_epoch(self) -> int:
        """A number that changes whenever a live token's meaning may have changed.

        Scope and secret changes, revocations and suite authorisations move it,
        in this process or any other sharing the database. Token caches compare
        it on every use.
        """

    async def get_conference(self, corp_id: str, conference_id: str) -> Conference | None:
        """Read a meeting of ``corp_id``; another organisation's meeting is invisible."""

    async def conference_corp(self, conference_id: str) -> str | None:
        """The organisation owning a meeting, to tell "not yours" from "no such meeting"."""

    async def list_participants(self, corp_id: str, conference_id: str) -> list[Participant]:
        """The members of a meeting of ``corp_id``, in order of first join."""

    async def list_sessions(self, corp_id: str, conference_id: str) -> list[SessionRecord]:
        """Every stay in a meeting of ``corp_id``, by join time."""

    async def current_stays(
        self, corp_id: str, conference_id: str, union_ids: Sequence[str]
    ) -> list[SessionRecord]:
        """The stays in progress of ``union_ids`` in a meeting of ``corp_id`` (any order).

        Read by key: the cost follows ``union_ids``, not the meeting's size.
        """

    async def list_samples(
        self, corp_id: str, conference_id: str, union_ids: list[str] | None = None
    ) -> list[NetworkSample]:
        """The network samples of a meeting of ``corp_id`` (of ``union_ids``), by time."""

    async def get_booking(self, corp_id: str, schedule_conference_id: str) -> Booking | None:
        """Read a booking of ``corp_id``."""

    async def booking_corp(self, schedule_conference_id: str) -> str | None:
        """The organisation owning a booking."""

    async def booking_by_room_code(self, room_code: str) -> Booking | None:
        """The booking (not cancelled) that owns a roomCode, in any organisation."""

    async def list_stream_outs(self, corp_id: str, conference_id: str) -> list[StreamOut]:
        """The streams of a meeting of ``corp_id``, oldest first."""

    async def get_conference_extras(
        self, corp_id: str, conference_id: str
    ) -> ConferenceExtras | None:
        """The focus, ext info and subtitle flag of a meeting of ``corp_id``."""

    async def record_whitelist(self, corp_id: str, biz_type: str) -> list[str]:
        """The accounts on an organisation's recording whitelist, by unionId."""

    async def get_short_link(self, code: str) -> ShortLink | None:
        """A short link by its code."""

    async def get_presence(self, presence_hash: str) -> Presence | None:
        """A join page's presence by its id's hash."""

    async def stale_presences(self, beat_before_ms: int, limit: int) -> list[Presence]:
        """Presences whose last heartbeat is older than ``beat_before_ms``, oldest first."""

    async def booking_by_url(self, corp_id: str, url: str) -> Booking | None:
        """The booking of ``corp_id`` whose share link is ``url``."""

    async def list_conferences(
        self, corp_id: str | None, where: ConferenceFilter
    ) -> list[Conference]:
        """Meetings of ``corp_id`` (None: any organisation), by startTime."""

    async def page_conferences(
        self,
        corp_id: str,
        where: ConferenceFilter,
        offset: int,
        limit: int,
        after: tuple[int, str] | None = None,
    ) -> tuple[list[Conference], int]:
        """One page of ``list_conferences`` and how many match in all, cut by the database.

        ``after`` is the ``(startTime, conferenceId)`` the previous page ended
        with: the page then starts right after it, found through the index,
        and ``offset`` is not skipped.
        """

    async def page_participants(
        self,
        corp_id: str,
        conference_id: str,
        offset: int,
        limit: int,
        after: MemberKey | None = None,
    ) -> MemberPage:
        """One page of ``list_participants`` and how many members there are, cut by the database.

        ``after`` is the key the previous page ended with (:attr:`MemberPage.last`):
        the page then starts right after it, found through the index, and
        ``offset`` is not skipped. The total is kept by the writes, not counted.
        """

    async def list_memberships(
        self, corp_id: str, union_id: str, status: AttendStatus
    ) -> list[Participant]:
        """A person's member rows in ``status`` across the running meetings of ``corp_id``."""

    async def list_utterances(self, corp_id: str, conference_id: str) -> list[Utterance]:
        """What was said in a meeting of ``corp_id``, in order."""

    async def get_minutes_summary(self, corp_id: str, conference_id: str) -> str | None:
        """The explicit minutes summary (JSON) of a meeting of ``corp_id``, if set."""

    async def list_minutes_grants(self, corp_id: str, conference_id: str) -> list[MinutesGrant]:
        """Who the minutes of a meeting of ``corp_id`` were shared with."""

    async def list_spans(self, corp_id: str, conference_id: str, kind: str) -> list[Span]:
        """The recording or minutes spans of a meeting of ``corp_id``, by take and start."""

    async def live_counts(self) -> tuple[int, int]:
        """Meetings running now (all organisations) and the people inside them."""

    async def latest_conferences(self, limit: int) -> list[Conference]:
        """The ``limit`` meetings of every organisation started last, newest first."""

    async def clock_state(self, prefetch: str | None = None) -> ClockState:
        """The clock every process on the database shares (cheap: read per request).

        ``prefetch``: the meeting the request names, if it only reads; a
        backend that must ask the database for the clock may read that meeting
        in the same round trip, for the request's :meth:`get_conference`.
        """
