"""Booked ("scheduled") meetings and their instances (spec §4.4, §6 lifecycle).

A booking owns a roomCode for life. Its meeting instance is created with it,
at status 0 (bizType "3", scheduleConferenceId set), starts (2) when the first
person joins and ends (1) when closed. Joining the roomCode again after that
opens the next instance: a new conferenceId under the same booking.
"""

from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any

from dingconf.auth.service import READ, WRITE, require_scope
from dingconf.auth.tables import OrgTables
from dingconf.bookings.tables import BookingTables
from dingconf.bookings.values import bad_setting
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.errors import ErrorCode, InvalidRequest
from dingconf.core.ids import new_conference_id, new_link_token, new_room_code
from dingconf.core.paging import Page, paginate
from dingconf.core.records import Booking, BookingSettings, Conference, ConferenceStatus, Principal
from dingconf.core.rng import random_urlsafe, random_uuid
from dingconf.db.store import RoomCodeTaken, Store, WriteTx
from dingconf.events.tables import EventTables
from dingconf.listing.records import ConferenceFilter
from dingconf.listing.tables import ListingTables
from dingconf.meetings.service import validate_title
from dingconf.meetings.tables import MeetingTables
from dingconf.meetings.transitions import end_conference, insert_conference, update_conference
from dingconf.members.service import MUTE_OFF, MUTE_ON

__all__ = ["BIZ_BOOKED", "BookingService"]

BIZ_BOOKED = "3"
_PARAMS = errors.params_error.code
_ROOM_CODE_ATTEMPTS = 20
_INSTANCES_PAGE = 20


def _instance_fields(booking: Booking) -> dict[str, Any]:
    """What a booking's settings decide about its meeting instance (spec §4.4.1)."""
    s = booking.settings
    auto_record = s.record_auto_start == 1
    return {
        "title": booking.title,
        "host_id": s.host_id or booking.creator_id,
        "cohost_ids": s.cohost_ids or (),
        "locked": s.lock_room == 1,
        # muteOnJoin -1: everyone joins muted (6, "above six people", is not modelled).
        "mute_all": MUTE_ON if s.mute_on_join == -1 else MUTE_OFF,
        "internal_only": bool(s.conf_allowed_corp_id),
        "extension_apps": s.extension_apps or (),
        "auto_record_type": (s.record_auto_start_type or 0) if auto_record else None,
        "auto_record_owner": s.cloud_record_owner if auto_record else None,
    }


def merge_settings(old: BookingSettings, patch: BookingSettings) -> BookingSettings:
    """``old`` with every field ``patch`` sets."""
    given = {f.name: getattr(patch, f.name) for f in fields(patch)}
    return replace(old, **{k: v for k, v in given.items() if v is not None})


def _unknown_booking() -> InvalidRequest:
    return errors.params_error("error:no such booking")


class BookingService:
    """Create, change, cancel and read bookings; open their meeting instances."""

    def __init__(self, store: Store, clock: Clock, base_url: str) -> None:
        self._store = store
        self._clock = clock
        self._base_url = base_url

    async def _check_people(
        self,
        principal: Principal,
        settings: BookingSettings,
        codes: tuple[ErrorCode[InvalidRequest], ErrorCode[InvalidRequest]] | None = None,
    ) -> None:
        """Everyone named must be a user of the organisation; each value on its page's list.

        ``codes`` are the API's (unknown person, bad value) error codes, each its
        own message; by default ``paramsError`` with a detail.
        """

        def refuse(which: int, detail: str) -> InvalidRequest:
            return codes[which]() if codes else errors.params_error(f"error:{detail}")

        people = [
            settings.host_id,
            settings.cloud_record_owner,
            settings.minutes_owner,
            *(settings.cohost_ids or ()),
        ]
        accounts = OrgTables(self._store.reader)
        for union_id in people:
            if union_id and await accounts.get_user(principal.corp_id, union_id) is None:
                raise refuse(0, f"unknown user {union_id}")
        problem = bad_setting(settings)
        if problem is not None:
            raise refuse(1, problem)

    def _new_instance(self, booking: Booking, creator_nick: str, now: int) -> Conference:
        link = f"{self._base_url}/app?roomCode={booking.room_code}&token={new_link_token()}"
        return Conference(
            conference_id=new_conference_id(now),
            corp_id=booking.corp_id,
            biz_type=BIZ_BOOKED,
            status=ConferenceStatus.INITIALISED,
            room_code=booking.room_code,
            external_link_url=link,
            creator_id=booking.creator_id,
            creator_nick=creator_nick,
            # Until someone joins, startTime is the booked start.
            start_time_ms=booking.start_time_ms,
            end_time_ms=None,
            schedule_conference_id=booking.schedule_conference_id,
            active_num=0,
            attend_num=0,
            invited_num=0,
            cloud_record_status=0,
            cloud_record_owner=None,
            **_instance_fields(booking),
        )

    async def create(
        self,
        principal: Principal,
        creator_id: str,
        title: str,
        start_ms: int,
        end_ms: int,
        settings: BookingSettings,
    ) -> Booking:
        """CreateScheduleConference: a booking and its first, not yet started, instance.

        Raises:
            InvalidRequest: ``paramsError`` for an unknown creator, host, co-host,
                record or minutes owner, a setting outside its page's list, a bad
                title or a time range that ends before it starts.
        """
        require_scope(principal, WRITE)
        creator = await OrgTables(self._store.reader).get_user(principal.corp_id, creator_id)
        if creator is None:
            raise errors.params_error(f"error:unknown creatorUnionId {creator_id}")
        title = validate_title(title, "title", errors.params_error)
        if not 0 < start_ms < end_ms:
            raise errors.params_error("error:startTime must be positive and before endTime")
        await self._check_people(principal, settings)
        for _ in range(_ROOM_CODE_ATTEMPTS):
            booking = Booking(
                schedule_conference_id=str(random_uuid()),
                corp_id=principal.corp_id,
                creator_id=creator_id,
                title=title,
                start_time_ms=start_ms,
                end_time_ms=end_ms,
                room_code=new_room_code(),
                url=f"{self._base_url}/j/{random_urlsafe(8)}",
                cancelled=False,
                settings=settings,
            )
            instance = self._new_instance(booking, creator.nick, self._clock.now_ms())
            try:
                async with self._store.write() as tx:
                    await BookingTables(tx.conn).insert_booking(booking)
                    await EventTables(tx.conn).set_origin(
                        booking.schedule_conference_id, principal.client_key
                    )
                    await insert_conference(tx, instance, [], creator_id)
            except RoomCodeTaken:
                continue
            return booking
        raise errors.system_error("systemError:no free roomCode")

    async def _lock_for_change(
        self, tx: WriteTx, principal: Principal, schedule_id: str, creator_id: str
    ) -> Booking:
        """The caller's booking, changed only by its creator and only while not cancelled."""
        require_scope(principal, WRITE)
        bookings = BookingTables(tx.conn, tx.row_lock)
        booking = await bookings.lock_booking(principal.corp_id, schedule_id)
        if booking is None:
            if await bookings.booking_corp(schedule_id) is not None:
                raise errors.permission_error("permissionError:not your booking")
            raise errors.params_error(f"error:unknown scheduleConferenceId {schedule_id}")
        if booking.creator_id != creator_id:
            raise errors.permission_error("permissionError:only the creator may change it")
        if booking.cancelled:
            raise errors.resource_cancel()
        return booking

    async def _pending_instance(self, tx: WriteTx, booking: Booking) -> Conference | None:
        """The booking's instance that nobody has joined yet, locked."""
        pending = await ListingTables(tx.conn).list_conferences(
            booking.corp_id,
            ConferenceFilter(
                schedule_conference_id=booking.schedule_conference_id,
                status=ConferenceStatus.INITIALISED,
            ),
        )
        if not pending:
            return None
        return await MeetingTables(tx.conn, tx.row_lock).lock(
            booking.corp_id, pending[0].conference_id
        )

    async def _save(self, tx: WriteTx, booking: Booking, start_changed: bool) -> None:
        """Store a changed booking; a not yet started instance follows it."""
        await BookingTables(tx.conn).update_booking(booking)
        instance = await self._pending_instance(tx, booking)
        if instance is not None:
            changed = instance._replace(**_instance_fields(booking))
            if start_changed:
                changed = changed._replace(start_time_ms=booking.start_time_ms)
            await update_conference(tx, changed)

    async def update(
        self,
        principal: Principal,
        creator_id: str,
        schedule_id: str,
        title: str,
        start_ms: int,
        end_ms: int,
    ) -> None:
        """UpdateScheduleConference: new title and times, by the creator only.

        Raises:
            InvalidRequest: ``paramsError``, ``permissionError`` (not the creator or
                another organisation's booking), ``resourceCancel``.
        """
        title = validate_title(title, "title", errors.params_error)
        if not 0 < start_ms < end_ms:
            raise errors.params_error("error:startTime must be positive and before endTime")
        async with self._store.write() as tx:
            booking = await self._lock_for_change(tx, principal, schedule_id, creator_id)
            changed = replace(booking, title=title, start_time_ms=start_ms, end_time_ms=end_ms)
            await self._save(tx, changed, start_changed=True)

    async def update_settings(
        self, principal: Principal, creator_id: str, schedule_id: str, patch: BookingSettings
    ) -> None:
        """UpdateScheduleConfSettings: the given settings replace the old ones.

        Without settings (``scheduleConfSettingModel`` is optional) nothing changes.
        Every code is one of the page's table (``api-updatescheduleconfsettings``).

        Raises:
            InvalidRequest: ``scheduleConferenceIdError`` (unknown or cancelled
                booking), ``creatorUidError`` (not its creator), ``userNotInOrg``
                (a person named outside the organisation), ``paramError`` (a
                value outside its list).
            AccessDenied: ``noPermission`` for another organisation's booking.
        """
        require_scope(principal, WRITE)
        booking = await self._own_booking(principal, schedule_id)
        if booking.cancelled:
            raise errors.schedule_conference_id_error()
        if booking.creator_id != creator_id:
            raise errors.creator_uid_error()
        await self._check_people(principal, patch, (errors.user_not_in_org, errors.param_error))
        async with self._store.write() as tx:
            locked = await BookingTables(tx.conn, tx.row_lock).lock_booking(
                principal.corp_id, booking.schedule_conference_id
            )
            if locked is None or locked.cancelled:
                raise errors.schedule_conference_id_error()
            changed = replace(locked, settings=merge_settings(locked.settings, patch))
            await self._save(tx, changed, start_changed=False)

    async def cancel(self, principal: Principal, creator_id: str, schedule_id: str) -> None:
        """CancelScheduleConference: no more instances; one not yet started ends now.

        A running instance goes on until it is closed.

        Raises:
            InvalidRequest: as :meth:`update`.
        """
        async with self._store.write() as tx:
            booking = await self._lock_for_change(tx, principal, schedule_id, creator_id)
            await BookingTables(tx.conn).update_booking(replace(booking, cancelled=True))
            instance = await self._pending_instance(tx, booking)
            if instance is not None:
                now = self._clock.now_ms()
                # It never ran: it starts and ends at once (confDuration 0).
                await update_conference(tx, instance._replace(start_time_ms=now))
                await end_conference(tx, instance.conference_id, now)

    async def _own_booking(self, principal: Principal, schedule_id: str) -> Booking:
        """The caller's booking, for the settings APIs (their documented codes).

        Raises:
            InvalidRequest: ``scheduleConferenceIdError`` for an unknown booking.
            AccessDenied: ``noPermission`` for another organisation's booking.
        """
        schedule_id = schedule_id.strip()
        bookings = BookingTables(self._store.reader)
        booking = await bookings.get_booking(principal.corp_id, schedule_id)
        if booking is not None:
            return booking
        if schedule_id and await bookings.booking_corp(schedule_id) is not None:
            raise errors.no_permission()
        raise errors.schedule_conference_id_error()

    async def _own(
        self, principal: Principal, schedule_id: str, missing: Callable[[], InvalidRequest]
    ) -> Booking:
        require_scope(principal, READ)
        booking = await BookingTables(self._store.reader).get_booking(
            principal.corp_id, schedule_id.strip()
        )
        if booking is None:
            raise missing()
        return booking

    async def get(self, principal: Principal, schedule_id: str, requester: str) -> Booking:
        """QueryScheduleConference: the booking, for a user of the organisation.

        Raises:
            InvalidRequest: ``paramsError`` (unknown), ``permissionError`` (requester
                not in the organisation), ``resourceCancel``.
        """
        booking = await self._own(principal, schedule_id, _unknown_booking)
        if await OrgTables(self._store.reader).get_user(principal.corp_id, requester) is None:
            raise errors.permission_error("permissionError:unknown requestUnionId")
        if booking.cancelled:
            raise errors.resource_cancel()
        return booking

    async def settings(self, principal: Principal, schedule_id: str) -> Booking:
        """QueryScheduleConfSettings: the booking with its settings.

        Raises:
            InvalidRequest: ``scheduleConferenceIdError`` (unknown).
            AccessDenied: ``noPermission`` (another organisation's booking).
        """
        require_scope(principal, READ)
        return await self._own_booking(principal, schedule_id)

    async def instances(
        self,
        principal: Principal,
        schedule_id: str,
        next_token: str | None,
        max_results: int | None,
    ) -> tuple[Booking, Page[Conference]]:
        """QueryScheduleConferenceInfo: the booking's last meeting instance, whatever its status.

        The SDK's summary: "currently only the last meeting's information is
        returned" -- a list of one (none only if the booking has no instance).

        Raises:
            InvalidRequest: ``invalidScheduleConferenceId``, ``paramsError`` (paging).
        """
        booking = await self._own(principal, schedule_id, errors.invalid_schedule_conference_id)
        found = await ListingTables(self._store.reader).list_conferences(
            principal.corp_id,
            ConferenceFilter(schedule_conference_id=booking.schedule_conference_id),
        )
        # At most one instance has not ended, and it is the newest one.
        live = [c for c in found if not c.ended]
        return booking, paginate(
            live[-1:] or found[-1:],
            next_token,
            max_results,
            default_size=_INSTANCES_PAGE,
            error_code=_PARAMS,
        )

    async def open_session(self, booking: Booking) -> str:
        """A new, not yet started instance of a booking whose last one ended; its id.

        When another instance is live (someone opened it concurrently), that one's id.
        """
        creator = await OrgTables(self._store.reader).get_user(booking.corp_id, booking.creator_id)
        instance = self._new_instance(
            booking, creator.nick if creator else booking.creator_id, self._clock.now_ms()
        )
        try:
            async with self._store.write() as tx:
                await insert_conference(tx, instance, [], booking.creator_id)
        except RoomCodeTaken:
            live = await ListingTables(self._store.reader).list_conferences(
                booking.corp_id, ConferenceFilter(room_code=booking.room_code)
            )
            return next(c.conference_id for c in live if not c.ended)
        return instance.conference_id
