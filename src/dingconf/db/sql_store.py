"""The store, written once in portable SQL over a :class:`~.driver.Database`.

SQLite and PostgreSQL differ only in their drivers; every query lives in this
module (reads), :mod:`.sql_tx` (writes) and :mod:`.sql_rows` (row mapping), so
both backends behave the same.
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from dingconf.analytics.records import NetworkSample, SessionRecord
from dingconf.analytics.tables import (
    select_current_stays,
    select_samples,
    select_sessions,
)
from dingconf.auth.tables import TokenTables
from dingconf.content.records import Span, Utterance
from dingconf.content.tables import select_spans, select_utterances
from dingconf.control.console.presence_records import Presence
from dingconf.control.console.presence_tables import select_presence, select_stale_presences
from dingconf.control.console.tables import select_latest_conferences
from dingconf.control.state_tables import StateTables
from dingconf.core.clock import ClockState
from dingconf.core.records import (
    AttendStatus,
    Booking,
    Conference,
    ConferenceStatus,
    Participant,
)
from dingconf.db.driver import Connection, Database
from dingconf.db.kept_rows import KeptRows
from dingconf.db.live_counts import select_live_counts
from dingconf.db.request_reads import RequestReads, read_clock_epoch_meeting
from dingconf.db.rows import (
    BOOKING_COLUMNS,
    PARTICIPANT_COLUMNS,
    SELECT_BOOKING,
    SELECT_CONFERENCE,
    booking_of,
    conference_of,
    participant_of,
    select_booking_corp,
    select_conference_corp,
    select_conferences,
)
from dingconf.db.store import ConferenceFilter, Store, WriteTx
from dingconf.db.write_tx import SqlWriteTx
from dingconf.events.records import Delivery, DeliveryPosition, PushSubscription, StreamTicket
from dingconf.events.tables import (
    select_deliveries,
    select_due_deliveries,
    select_push_subscriptions,
    select_stream_ticket,
)
from dingconf.listing.records import MemberKey, MemberPage
from dingconf.listing.tables import SELECT_MEMBERSHIPS, ListingTotals, select_member_page
from dingconf.minutes.records import MinutesGrant
from dingconf.minutes.tables import select_minutes_grants, select_minutes_summary
from dingconf.streams.records import ConferenceExtras, ShortLink, StreamOut
from dingconf.streams.tables import (
    select_extras,
    select_short_link,
    select_stream_outs,
    select_whitelist,
)

__all__ = ["SqlStore"]

# Meetings kept per process (each until a commit changes it): the polled set of a
# busy deployment, about 0.7 KB each (35 MB at 50,000).
_CONFERENCE_CACHE_LIMIT = 50_000


class SqlStore(Store):
    """A :class:`~dingconf.db.store.Store` over any :class:`Database` driver."""

    _read: Connection  # set by open()

    def __init__(self, database: Database) -> None:
        self._db = database
        # What the request running now read at its start (the change marker;
        # without one, PostgreSQL, the auth epoch and the meeting it names).
        self._request = RequestReads()
        # Meetings (QueryConferenceInfo is polled far more often than meetings
        # change), the clock and the auth epoch, kept until a commit changes them.
        self._kept = KeptRows(_CONFERENCE_CACHE_LIMIT)
        # Org listing totals, counted once per listing generation.
        self._totals = ListingTotals()

    @property
    def database(self) -> Database:
        """The driver this store runs on."""
        return self._db

    async def open(self) -> None:
        await self._db.connect()
        self._read = self._db.reader

    async def close(self) -> None:
        await self._db.disconnect()

    @property
    def reader(self) -> Connection:
        return self._read

    @asynccontextmanager
    async def write(self) -> AsyncIterator[WriteTx]:
        async with self._db.transaction() as conn:
            yield SqlWriteTx(conn, self._db.row_lock)
        # Our own commits do not move every driver's change marker (SQLite's
        # data_version fallback ignores them), so forget what they may change.
        self._request.forget()
        self._kept.forget()
        self._totals.clear()

    async def _marker(self) -> int | None:
        """The change marker, as the current request first read it.

        A request reads it once (:meth:`clock_state`, at its start) and its
        later lookups reuse that: what they return was current when the
        request began, which is all a caller can tell apart, since any commit
        it has seen came before it sent the request. This process's own
        commits forget the reading (:meth:`write`).
        """
        read, marker = self._request.marker()
        return marker if read else await self._db.change_marker()

    async def auth_epoch(self) -> int:
        read_with_clock = self._request.take_epoch()
        if read_with_clock is not None:
            return read_with_clock
        marker = await self._marker()
        epoch = self._kept.epoch if await self._kept.current(self._read, marker) else None
        if epoch is None:
            epoch = await TokenTables(self._read).epoch()
            self._kept.keep_epoch(marker, epoch)
        return epoch

    async def get_stream_ticket(self, ticket_hash: str) -> StreamTicket | None:
        return await select_stream_ticket(self._read, ticket_hash)

    async def due_deliveries(self, app_keys: list[str], now_ms: int, limit: int) -> list[Delivery]:
        return await select_due_deliveries(self._read, app_keys, now_ms, limit)

    async def list_deliveries(
        self,
        app_key: str,
        state: str | None,
        after: DeliveryPosition | None = None,
        limit: int | None = None,
    ) -> list[Delivery]:
        return await select_deliveries(self._read, app_key, state, after, limit)

    async def push_subscriptions(self) -> list[PushSubscription]:
        return await select_push_subscriptions(self._read)

    async def change_marker(self) -> int | None:
        return await self._db.change_marker()

    async def get_conference(self, corp_id: str, conference_id: str) -> Conference | None:
        read, found = self._request.take_meeting(conference_id)
        if read:  # with the clock, whatever its organisation
            return found if found is not None and found.corp_id == corp_id else None
        marker = await self._marker()
        if await self._kept.current(self._read, marker):
            kept = self._kept.meeting(conference_id)
            if kept is not None:
                return kept if kept.corp_id == corp_id else None
        row = await self._read.fetchone(SELECT_CONFERENCE, (conference_id, corp_id))
        if row is None:
            return None
        conference = conference_of(row)
        self._kept.keep_meeting(marker, conference)
        return conference

    async def conference_corp(self, conference_id: str) -> str | None:
        return await select_conference_corp(self._read, conference_id)

    async def list_participants(self, corp_id: str, conference_id: str) -> list[Participant]:
        rows = await self._read.fetchall(
            f"SELECT {', '.join('p.' + c for c in PARTICIPANT_COLUMNS.split(', '))}, "
            "u.job_number "
            "FROM participants p JOIN conferences c ON c.conference_id = p.conference_id "
            "LEFT JOIN users u ON u.corp_id = c.corp_id AND u.union_id = p.union_id "
            "WHERE p.conference_id = ? AND c.corp_id = ? ORDER BY p.listed_at, p.union_id",
            (conference_id, corp_id),
        )
        return [participant_of(row[:-1])._replace(job_number=row[-1]) for row in rows]

    async def page_participants(
        self,
        corp_id: str,
        conference_id: str,
        offset: int,
        limit: int,
        after: MemberKey | None = None,
    ) -> MemberPage:
        # The total is kept by the write transactions: read with the page, in
        # the same statement, with one primary-key lookup, never a COUNT.
        return MemberPage(
            *await select_member_page(self._read, corp_id, conference_id, offset, limit, after)
        )

    async def list_sessions(self, corp_id: str, conference_id: str) -> list[SessionRecord]:
        return await select_sessions(self._read, corp_id, conference_id)

    async def current_stays(
        self, corp_id: str, conference_id: str, union_ids: Sequence[str]
    ) -> list[SessionRecord]:
        return await select_current_stays(self._read, corp_id, conference_id, union_ids)

    async def list_samples(
        self, corp_id: str, conference_id: str, union_ids: list[str] | None = None
    ) -> list[NetworkSample]:
        return await select_samples(self._read, corp_id, conference_id, union_ids)

    async def get_booking(self, corp_id: str, schedule_conference_id: str) -> Booking | None:
        row = await self._read.fetchone(SELECT_BOOKING, (schedule_conference_id, corp_id))
        return booking_of(row) if row else None

    async def booking_corp(self, schedule_conference_id: str) -> str | None:
        return await select_booking_corp(self._read, schedule_conference_id)

    async def booking_by_room_code(self, room_code: str) -> Booking | None:
        row = await self._read.fetchone(
            f"SELECT {BOOKING_COLUMNS} FROM bookings WHERE room_code = ? AND cancelled = 0",
            (room_code,),
        )
        return booking_of(row) if row else None

    async def list_stream_outs(self, corp_id: str, conference_id: str) -> list[StreamOut]:
        return await select_stream_outs(self._read, conference_id, corp_id)

    async def get_conference_extras(
        self, corp_id: str, conference_id: str
    ) -> ConferenceExtras | None:
        return await select_extras(self._read, conference_id, corp_id)

    async def record_whitelist(self, corp_id: str, biz_type: str) -> list[str]:
        return await select_whitelist(self._read, corp_id, biz_type)

    async def get_short_link(self, code: str) -> ShortLink | None:
        return await select_short_link(self._read, code)

    async def get_presence(self, presence_hash: str) -> Presence | None:
        return await select_presence(self._read, presence_hash)

    async def stale_presences(self, beat_before_ms: int, limit: int) -> list[Presence]:
        return await select_stale_presences(self._read, beat_before_ms, limit)

    async def booking_by_url(self, corp_id: str, url: str) -> Booking | None:
        row = await self._read.fetchone(
            f"SELECT {BOOKING_COLUMNS} FROM bookings WHERE url = ? AND corp_id = ?", (url, corp_id)
        )
        return booking_of(row) if row else None

    async def list_conferences(
        self, corp_id: str | None, where: ConferenceFilter
    ) -> list[Conference]:
        return await select_conferences(self._read, corp_id, where)

    async def page_conferences(
        self,
        corp_id: str,
        where: ConferenceFilter,
        offset: int,
        limit: int,
        after: tuple[int, str] | None = None,
    ) -> tuple[list[Conference], int]:
        window = (0 if after else offset, limit)
        page = await select_conferences(self._read, corp_id, where, window, after)
        return page, await self._totals.total(self._db, self._read, corp_id, where)

    async def list_memberships(
        self, corp_id: str, union_id: str, status: AttendStatus
    ) -> list[Participant]:
        rows = await self._read.fetchall(
            SELECT_MEMBERSHIPS, (corp_id, int(ConferenceStatus.STARTED), union_id, int(status))
        )
        return [participant_of(row) for row in rows]

    async def list_utterances(self, corp_id: str, conference_id: str) -> list[Utterance]:
        return await select_utterances(self._read, corp_id, conference_id)

    async def get_minutes_summary(self, corp_id: str, conference_id: str) -> str | None:
        return await select_minutes_summary(self._read, corp_id, conference_id)

    async def list_minutes_grants(self, corp_id: str, conference_id: str) -> list[MinutesGrant]:
        return await select_minutes_grants(self._read, corp_id, conference_id)

    async def list_spans(self, corp_id: str, conference_id: str, kind: str) -> list[Span]:
        return await select_spans(self._read, conference_id, kind, corp_id)

    async def live_counts(self) -> tuple[int, int]:
        return await select_live_counts(self._read)

    async def latest_conferences(self, limit: int) -> list[Conference]:
        return await select_latest_conferences(self._read, limit)

    async def clock_state(self, prefetch: str | None = None) -> ClockState:
        marker = await self._db.change_marker()
        if marker is None:
            # Nothing can be kept between requests, so what this one will
            # need is read at once: one round trip.
            clock, epoch, meeting = await read_clock_epoch_meeting(self._read, prefetch)
            self._request.started(None, epoch, prefetch, meeting)
            return clock
        self._request.started(marker)
        state = self._kept.clock if await self._kept.current(self._read, marker) else None
        if state is None:
            state = await StateTables(self._read).clock()
            self._kept.keep_clock(marker, state)
        return state
