"""Instant meetings: create, close, read, and the people who join and leave (spec §4.1–§4.3)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from dingconf.analytics.records import Device
from dingconf.auth.service import READ, WRITE, require_scope
from dingconf.auth.tables import OrgTables
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.closest import close_lengths
from dingconf.core.errors import ErrorCode, InvalidRequest
from dingconf.core.ids import (
    CONFERENCE_ID,
    new_conference_id,
    new_link_token,
    new_password,
    new_room_code,
)
from dingconf.core.records import (
    AttendStatus,
    Conference,
    ConferenceStatus,
    Invitation,
    Participant,
    Principal,
)
from dingconf.db.store import RoomCodeTaken, Store, WriteTx
from dingconf.events.payloads import CLOSED, CREATED, JOINED, LEFT, emit_meeting, emit_members
from dingconf.events.tables import EventTables
from dingconf.meetings.access import lock_own_conference
from dingconf.meetings.tables import MeetingTables
from dingconf.meetings.transitions import (
    end_conference,
    insert_conference,
    record_join,
    record_leave,
    update_conference,
)
from dingconf.members.tables import MemberTables
from dingconf.recording.service import (
    FINISHED,
    RECORDING,
    auto_started_recording,
    finish_take,
    open_take,
)

__all__ = ["BIZ_INSTANT", "ConferenceService", "CreatedConference", "validate_title"]

T = TypeVar("T")

BIZ_INSTANT = "0"
TITLE_KEPT = 50  # longer titles are truncated (spec §4.2)
TITLE_MAX = 256  # longer titles are refused
_ROOM_CODE_ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class CreatedConference:
    """What CreateVideoConference returns."""

    conference: Conference
    conference_password: str
    host_password: str


def _not_ended(conference: Conference | None) -> Conference:
    """The locked meeting a person's client acts in (the control API: any organisation's).

    Raises:
        NotFound: ``roomNotFound``.
        InvalidRequest: ``resourceClose`` when the meeting has ended.
    """
    if conference is None:
        raise errors.room_not_found()
    if conference.ended:
        raise errors.resource_close()
    return conference


def _admit(conference: Conference, member: Participant | None, union_id: str) -> None:
    """Refuse a joiner the meeting's state keeps out (spec §4.5.3 forbiddenRejoin, lock)."""
    if (
        member is not None
        and member.attend_status == AttendStatus.KICKED
        and member.rejoin_forbidden
    ):
        raise errors.forbidden_rejoin(f"{union_id} was removed and may not rejoin")
    if (
        conference.locked
        and union_id != conference.host_id
        and union_id not in conference.cohost_ids
    ):
        raise errors.conference_locked()


def validate_title(
    title: str,
    field: str = "confTitle",
    error: ErrorCode[InvalidRequest] = errors.params_title_error,
) -> str:
    """A meeting title: over 50 characters truncated, over 256 refused (spec §4.2, §4.4.1).

    Raises:
        InvalidRequest: ``error`` for an empty or too long title.
    """
    if not title.strip():
        raise error(f"error:{field} is empty")
    if len(title) > TITLE_MAX:
        raise error(f"error:{field} is longer than {TITLE_MAX}")
    return title[:TITLE_KEPT]


class ConferenceService:
    """The rules of an instant meeting's life."""

    def __init__(self, store: Store, clock: Clock, base_url: str) -> None:
        self._store = store
        self._clock = clock
        self._base_url = base_url

    def derived(self, conference: Conference, derive: Callable[[Conference], T]) -> T:
        """``derive(conference)``, kept with the record while the store keeps it."""
        return self._store.derived(conference, derive)

    async def get(self, principal: Principal, conference_id: str) -> Conference:
        """QueryConferenceInfo: a meeting of the caller's organisation.

        Raises:
            InvalidRequest: ``missingRoomId`` (empty id), ``paramError`` (malformed id).
            AccessDenied: ``noPermission`` for another organisation's meeting.
            NotFound: ``roomNotFound``.
        """
        require_scope(principal, READ)
        conference_id = conference_id.strip()
        if not conference_id:
            raise errors.missing_room_id()
        if not CONFERENCE_ID.fullmatch(conference_id):
            raise errors.param_error("PARAM ERROR")
        conference = await self._store.get_conference(principal.corp_id, conference_id)
        if conference is not None:
            return conference
        if await MeetingTables(self._store.reader).conference_corp(conference_id) is not None:
            raise errors.no_permission("NO PERMISSION")
        raise errors.room_not_found()

    async def create(
        self,
        principal: Principal,
        creator_union_id: str,
        title: str,
        invitee_ids: list[str],
        invite_caller: bool = True,
    ) -> CreatedConference:
        """CreateVideoConference: an instant meeting, live at once, the creator its host.

        The creator is rung (a member at attendStatus 2) when ``invite_caller``
        (``inviteCaller``, default true), else not a member until they join; either
        way nobody is inside, so the counters start at zero. ``invitedNum``
        counts the distinct invitees other than the creator.

        Raises:
            InvalidRequest: ``unknownUserError`` when the creator or an invitee is
                not in the caller's organisation, ``paramsTitleError`` for a bad title.
        """
        require_scope(principal, WRITE)
        title = validate_title(title)
        creator = await OrgTables(self._store.reader).get_user(principal.corp_id, creator_union_id)
        if creator is None:
            raise errors.unknown_user()
        invitations: list[Invitation] = []
        for union_id in dict.fromkeys(invitee_ids):
            if union_id == creator_union_id:
                continue
            invitee = await OrgTables(self._store.reader).get_user(principal.corp_id, union_id)
            if invitee is None:
                raise errors.unknown_user()
            invitations.append((invitee.union_id, invitee.nick))
        invited_num = len(invitations)
        if invite_caller:
            # Rung first, so listed first; the row's invitedNum leaves them out.
            invitations.insert(0, (creator.union_id, creator.nick))

        for _ in range(_ROOM_CODE_ATTEMPTS):
            now = self._clock.now_ms()
            room_code = new_room_code()
            conference = Conference(
                conference_id=new_conference_id(now),
                corp_id=principal.corp_id,
                title=title,
                biz_type=BIZ_INSTANT,
                status=ConferenceStatus.STARTED,
                room_code=room_code,
                external_link_url=(
                    f"{self._base_url}/app?roomCode={room_code}&token={new_link_token()}"
                ),
                creator_id=creator.union_id,
                creator_nick=creator.nick,
                host_id=creator.union_id,
                start_time_ms=now,
                end_time_ms=None,
                schedule_conference_id=None,
                active_num=0,
                attend_num=0,
                invited_num=invited_num,
                cloud_record_status=0,
                cloud_record_owner=None,
                extension_apps=(),
            )
            try:
                async with self._store.write() as tx:
                    await insert_conference(tx, conference, invitations, creator.union_id)
                    await EventTables(tx.conn).set_origin(
                        conference.conference_id, principal.client_key
                    )
                    await emit_meeting(tx.conn, conference, CREATED, now)
            except RoomCodeTaken:
                continue
            # The passwords are shown once, to the creator, and nothing checks
            # them later, so they are not kept.
            return CreatedConference(conference, new_password(), new_password())
        raise errors.system_error("systemError:no free roomCode")

    async def close(self, principal: Principal, conference_id: str, union_id: str) -> None:
        """CloseVideoConference: only the host; everyone inside leaves at the end time.

        Raises:
            InvalidRequest: ``paramsError`` (bad or unknown id), ``orgAccessForbidden``
                (another organisation's meeting), ``resourceClose`` (already ended).
            NotFound: ``permissionError`` when the caller is not the host.
        """
        require_scope(principal, WRITE)
        async with self._store.write() as tx:
            conference = await lock_own_conference(tx, principal, conference_id)
            if conference.host_id != union_id:
                raise errors.close_permission_error()
            if conference.ended:
                raise errors.resource_close()
            now = self._clock.now_ms()
            # A recording still running or paused finishes with the meeting.
            if conference.cloud_record_status in RECORDING:
                await update_conference(tx, conference._replace(cloud_record_status=FINISHED))
                await finish_take(tx, conference, now)
            await end_conference(tx, conference.conference_id, now)
            ended = await MeetingTables(tx.conn, tx.row_lock).lock(
                principal.corp_id, conference.conference_id
            )
            if ended is not None:
                await emit_meeting(tx.conn, ended, CLOSED, now)

    async def join(
        self,
        tx: WriteTx,
        locked: Conference | None,
        union_id: str,
        nick: str | None,
        device: Device | None = None,
        stranger: Callable[[], Awaitable[None]] | None = None,
    ) -> Participant:
        """A person enters the meeting the caller locked; the member as the join left them.

        ``device``: the client the join declared (None: the default one), which
        the ``user_join`` event reports; the caller records it with the stay.
        ``stranger`` is awaited first, before the meeting's state is checked,
        for a person who is neither a member of the meeting nor a user of its
        organisation while a user's unionId could be a typo of theirs (its
        length is within :func:`~dingconf.core.closest.close_lengths`): it may
        refuse them.

        Joining while inside changes nothing. A meeting that had not started (a
        booking's instance) starts now; an invitee being rung (attendStatus 2) is
        now inside (3).

        Raises:
            NotFound: ``roomNotFound``.
            InvalidRequest: ``resourceClose`` when the meeting has ended,
                ``forbiddenRejoin`` for someone kicked out for good,
                ``conferenceLocked`` in a locked meeting (host and co-hosts excepted),
                ``internalOnly`` for an outsider when only the organisation may join.
        """
        if locked is None:
            raise errors.room_not_found()
        conference_id = locked.conference_id
        # The member row, the user and whether a typo is possible in one read.
        near = close_lengths(union_id) if stranger is not None else None
        member, user_nick, near_user = await MemberTables(tx.conn).get_with_user_nick(
            locked.corp_id, conference_id, union_id, near
        )
        if stranger is not None and member is None and user_nick is None and near_user:
            await stranger()
        conference = _not_ended(locked)
        if member is not None and member.attend_status == AttendStatus.ACTIVE:
            return member
        _admit(conference, member, union_id)
        if user_nick is None and conference.internal_only:
            raise errors.internal_only()
        if nick is None:
            nick = user_nick if user_nick is not None else member.nick if member else union_id
        now = self._clock.now_ms()
        # The join returns what it moved (status, startTime, counters): no re-read.
        recorded = await record_join(
            tx,
            conference,
            union_id,
            nick,
            now,
            muted=conference.mute_all != 0,
            outer_org=user_nick is None,
            member_row=member is not None,
        )
        if recorded is None:
            # The store found them inside, which the read above, under the
            # meeting's lock, ruled out.
            raise errors.system_error(f"systemError:{union_id} is inside already")
        joined_member, joined = recorded
        recording = auto_started_recording(joined, union_id)
        if recording:
            await update_conference(tx, recording)
            await open_take(tx, conference_id, recording.cloud_record_owner or union_id, now)
            joined = recording
        if conference.status == ConferenceStatus.INITIALISED:
            # A booking's instance comes to life with its first joiner.
            await emit_meeting(tx.conn, joined, CREATED, now)
        client = {union_id: (device or Device()).device_type}
        await emit_members(tx.conn, joined, [joined_member], JOINED, now, client)
        return joined_member

    async def leave(self, tx: WriteTx, locked: Conference | None, union_id: str) -> None:
        """A person inside the meeting the caller locked leaves it.

        Raises:
            NotFound: ``roomNotFound``.
            InvalidRequest: ``resourceClose`` (ended) or ``notInConference``.
        """
        conference_id = _not_ended(locked).conference_id
        now = self._clock.now_ms()
        # The leave itself finds whether the person is inside (None when not),
        # instead of a read before it; raising rolls back what it ran.
        left = await record_leave(tx, conference_id, union_id, now)
        if left is None:
            raise errors.not_in_conference(f"{union_id} is not in the meeting")
        member, meeting, device_type = left
        # The stay the leave closed names its client: no read of it.
        client = None if device_type is None else {union_id: device_type}
        await emit_members(tx.conn, meeting, [member], LEFT, now, client)
