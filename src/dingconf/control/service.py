"""The emulator's control plane: what real DingTalk clients and time would do."""

from dataclasses import replace
from functools import partial

from dingconf.analytics.records import Device, NetworkSample
from dingconf.analytics.tables import AnalyticsTables
from dingconf.auth.tables import OrgTables
from dingconf.bookings.service import BookingService
from dingconf.bookings.tables import BookingTables
from dingconf.content.records import Utterance
from dingconf.content.service import ContentService
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.closest import closest
from dingconf.core.paging import Page, page_of, resume_at, seek, window
from dingconf.core.records import AttendStatus, Participant
from dingconf.db.store import Store, WriteTx
from dingconf.listing.records import ConferenceFilter
from dingconf.listing.tables import ListingTables
from dingconf.meetings.service import ConferenceService
from dingconf.meetings.tables import MeetingTables
from dingconf.members.tables import MemberTables
from dingconf.recording.service import RecordingService

__all__ = ["PARTICIPANTS_PAGE", "ControlService"]

#: The control API's participants page by default.
PARTICIPANTS_PAGE = 500


class ControlService:
    """Drive participants and the clock, across organisations (an operator's view)."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        conferences: ConferenceService,
        bookings: BookingService,
        recording: RecordingService,
        content: ContentService,
    ) -> None:
        self._store = store
        self._clock = clock
        self._conferences = conferences
        self._bookings = bookings
        self._recording = recording
        self._content = content

    async def _corp_of(self, conference_id: str) -> str:
        corp_id = await MeetingTables(self._store.reader).conference_corp(conference_id)
        if corp_id is None:
            raise errors.room_not_found()
        return corp_id

    async def join(
        self,
        conference_id: str,
        union_id: str,
        nick: str | None,
        device: Device | None = None,
        samples: list[NetworkSample] | None = None,
        *,
        typo_check: bool = False,
    ) -> None:
        """A person's client joins the meeting (rejoining after leaving is allowed).

        ``device`` is the client of this stay (defaults: see :class:`Device`);
        ``samples`` what it reported about the network, each ``at_ms`` counted
        from the join (None: one default sample at the join). With
        ``typo_check``, see :meth:`_refuse_typo`.
        """
        await self._join(None, conference_id, union_id, nick, device, samples, typo_check)

    async def _join(
        self,
        corp_id: str | None,
        conference_id: str,
        union_id: str,
        nick: str | None,
        device: Device | None,
        samples: list[NetworkSample] | None,
        typo_check: bool,
    ) -> None:
        """The join and the client of the stay and its samples (timed from the join).

        One transaction: one commit, and nobody sees the stay without its client.
        Without ``corp_id`` the meeting is found by id alone (the operator's view).
        With ``typo_check``, see :meth:`_refuse_typo`.
        """
        async with self._store.write() as tx:
            locked = await (
                MeetingTables(tx.conn, tx.row_lock).lock(corp_id, conference_id)
                if corp_id
                else MeetingTables(tx.conn, tx.row_lock).lock_any(conference_id)
            )
            stranger = (
                partial(self._refuse_typo, tx, locked.corp_id, union_id)
                if typo_check and locked is not None
                else None
            )
            member = await self._conferences.join(tx, locked, union_id, nick, device, stranger)
            joined = member.last_join_ms if member.last_join_ms is not None else 0
            if device is not None:  # a new stay starts with the default client
                await AnalyticsTables(tx.conn).set_session_device(conference_id, union_id, device)
            if samples is None:
                samples = [NetworkSample(union_id, 0)]
            await AnalyticsTables(tx.conn).add_samples(
                conference_id, [s._replace(at_ms=joined + s.at_ms) for s in samples]
            )

    async def _refuse_typo(self, tx: WriteTx, corp_id: str, union_id: str) -> None:
        """Refuse a ``union_id`` that is neither a member of the meeting nor a user of
        the organisation but close to a user's: a typo, most likely (an outsider with
        such an id says so).

        Called by the join under the meeting's lock, on its connection, once it
        found neither.

        Raises:
            InvalidRequest: ``unknownUser``, naming the closest user.
        """
        users = await OrgTables(tx.conn).list_users(corp_id)
        near = closest(union_id, [u.union_id for u in users])
        if near is not None:
            raise errors.unknown_user(
                f"no user {union_id!r} in {corp_id} (did you mean {near!r}?); "
                'an outsider with this id joins with "outsider": true'
            )

    async def report_network(self, conference_id: str, samples: list[NetworkSample]) -> None:
        """Clients report network samples; each person must have joined the meeting.

        Raises:
            NotFound: ``roomNotFound``.
            InvalidRequest: ``paramError`` for someone who never joined.
        """
        corp_id = await self._corp_of(conference_id)
        async with self._store.write() as tx:
            await MeetingTables(tx.conn, tx.row_lock).lock(corp_id, conference_id)
            for union_id in {s.union_id for s in samples}:
                member = await MemberTables(tx.conn).get(conference_id, union_id)
                if member is None or member.first_join_ms is None:
                    raise errors.param_error(f"{union_id} never joined the meeting")
            await AnalyticsTables(tx.conn).add_samples(conference_id, samples)

    async def decline(self, conference_id: str, union_id: str, reason: str | None) -> None:
        """An invitee declines the call ringing them (attendStatus 2 → 4).

        Raises:
            NotFound: ``roomNotFound``.
            InvalidRequest: ``paramError`` when nobody rings this person.
        """
        corp_id = await self._corp_of(conference_id)
        async with self._store.write() as tx:
            await MeetingTables(tx.conn, tx.row_lock).lock(corp_id, conference_id)
            if not await AnalyticsTables(tx.conn).decline_call(conference_id, union_id, reason):
                raise errors.param_error(
                    f"{union_id} is not being called (attendStatus {int(AttendStatus.CALLING)})"
                )

    async def join_room(
        self,
        room_code: str,
        union_id: str,
        nick: str | None,
        device: Device | None = None,
        samples: list[NetworkSample] | None = None,
        *,
        typo_check: bool = False,
    ) -> str:
        """A person dials a roomCode; return the meeting they are now in (``typo_check``:
        see :meth:`_refuse_typo`).

        The meeting using the code now, if any; otherwise, for a booking (not
        cancelled) whose last instance ended, its next instance (spec §6: a new
        conferenceId under the same scheduleConferenceId and roomCode).

        Raises:
            NotFound: ``roomNotFound`` for a code nothing uses.
        """
        code = room_code.replace(" ", "")
        used = await ListingTables(self._store.reader).list_conferences(
            None, ConferenceFilter(room_code=code)
        )
        live = [c for c in used if not c.ended]
        if live:
            conference_id, corp_id = live[0].conference_id, live[0].corp_id
        else:
            booking = await BookingTables(self._store.reader).booking_by_room_code(code)
            if booking is None:
                raise errors.room_not_found()
            conference_id = await self._bookings.open_session(booking)
            corp_id = booking.corp_id
        await self._join(corp_id, conference_id, union_id, nick, device, samples, typo_check)
        return conference_id

    async def set_record_paused(self, conference_id: str, paused: bool) -> int:
        """The recording is paused (1 → 2) or resumed (2 → 1) in the client; the new status."""
        corp_id = await self._corp_of(conference_id)
        return await self._recording.set_paused(corp_id, conference_id, paused)

    async def say(
        self, conference_id: str, union_id: str, text: str, offset_ms: int | None
    ) -> Utterance:
        """A person inside the meeting says something (see :mod:`dingconf.content.service`)."""
        corp_id = await self._corp_of(conference_id)
        return await self._content.say(corp_id, conference_id, union_id, text, offset_ms)

    async def leave(self, conference_id: str, union_id: str) -> None:
        """A person's client leaves the meeting."""
        async with self._store.write() as tx:
            await self.leave_in(tx, conference_id, union_id)

    async def leave_in(self, tx: WriteTx, conference_id: str, union_id: str) -> None:
        """:meth:`leave` inside the caller's transaction, with what else it commits.

        Raises:
            NotFound: ``roomNotFound``.
            InvalidRequest: ``resourceClose`` (ended) or ``notInConference``,
                before anything was written.
        """
        locked = await MeetingTables(tx.conn, tx.row_lock).lock_any(conference_id)
        await self._conferences.leave(tx, locked, union_id)

    async def participants(
        self, conference_id: str, next_token: str | None, max_results: int | None
    ) -> Page[Participant]:
        """One page of everyone who ever joined the meeting, with their current state.

        Pages follow QueryConferenceMembers' order and tokens (at most
        :data:`~dingconf.core.paging.MAX_PAGE` members read per page, default
        :data:`PARTICIPANTS_PAGE`). Invited people who never joined are members
        (QueryConferenceMembers lists them as rung) but not participants: they
        are read and left out, so a page may hold fewer than asked.

        Raises:
            InvalidRequest: ``paramError`` for a bad token or size.
        """
        offset_token, after = seek(next_token, error_code=errors.param_error.code, valid_id=bool)
        offset, size = window(
            offset_token,
            max_results,
            default_size=PARTICIPANTS_PAGE,
            error_code=errors.param_error.code,
        )
        corp_id = await self._corp_of(conference_id)
        found = await MemberTables(self._store.reader).page(
            corp_id, conference_id, offset, size, after
        )
        page = resume_at(page_of(found.members, offset, found.total), found.last)
        return replace(page, items=[m for m in page.items if m.first_join_ms is not None])

    def now_ms(self) -> int:
        """The server's current time."""
        return self._clock.now_ms()
