"""The people in a meeting and the host's controls (spec §4.5.1–§4.5.3, Appendix A).

Operations whose request names no operator (KickMembers, Cohosts, the mute
and lock calls, UpdateVideoConferenceSetting) act with the calling app's
authority over its organisation's meetings; every one of them is refused for
another organisation's meeting.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dingconf.auth.service import WRITE, require_scope
from dingconf.auth.tables import OrgTables
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.errors import ErrorCode, InvalidRequest
from dingconf.core.paging import Page, page_of, resume_at, seek, window
from dingconf.core.records import (
    AttendStatus,
    Conference,
    Invitation,
    Participant,
    Principal,
)
from dingconf.db.store import Store, WriteTx
from dingconf.events.payloads import INVITED, KICKED, emit_members
from dingconf.meetings.access import lock_own_conference
from dingconf.meetings.service import ConferenceService
from dingconf.meetings.tables import MeetingTables
from dingconf.meetings.transitions import (
    add_invitations,
    add_phone_invitations,
    kick_member,
    update_conference,
)
from dingconf.members.tables import MemberTables

__all__ = ["MeetingSettings", "MemberService", "with_live_duration"]

MEMBERS_PAGE = 128  # maxResults default (spec §4.5.1)
MUTE_OFF, MUTE_ON, MUTE_FORCED = 0, 1, 2
_PARAMS = errors.params_error.code
# The mute calls' actions (mute-all-staff-or-unmute-all-staff): "un_mute", not "unmute".
_MUTE, _UN_MUTE = "mute", "un_mute"


@dataclass(frozen=True, slots=True)
class MeetingSettings:
    """UpdateVideoConferenceSetting: the settings dingconf keeps (None = unchanged)."""

    lock_conference: bool | None = None
    mute_all: bool | None = None
    only_internal_employees_join: bool | None = None


def with_live_duration(member: Participant, now_ms: int) -> Participant:
    """A member whose ``duration`` includes the stay still going on."""
    if member.attend_status != AttendStatus.ACTIVE or member.last_join_ms is None:
        return member
    return member._replace(duration_ms=member.duration_ms + now_ms - member.last_join_ms)


def _switch(
    action: str, on: str, off: str, error: ErrorCode[InvalidRequest] = errors.params_error
) -> bool:
    """An ``action`` string as a switch (e.g. ``lock``/``unlock``); else ``error``."""
    if action not in (on, off):
        detail = f"error:action must be {on!r} or {off!r}"
        raise error(detail if error is errors.params_error else None)
    return action == on


class MemberService:
    """Members of a meeting: listing, inviting, kicking, co-hosts, nicks, mute, lock."""

    def __init__(self, store: Store, clock: Clock, conferences: ConferenceService) -> None:
        self._store = store
        self._clock = clock
        self._conferences = conferences

    async def page(
        self,
        principal: Principal,
        conference_id: str,
        next_token: str | None,
        max_results: int | None,
    ) -> tuple[Conference, Page[Participant]]:
        """QueryConferenceMembers: one page of members, in the order they became members.

        Raises:
            The errors of QueryConferenceInfo (spec §4.5.1), and ``paramError``
            for bad paging.
        """
        # ``offset.listedAt.unionId`` from this server: the offset counts for
        # the total, the key is where the next page is read from (an index seek).
        offset_token, after = seek(next_token, error_code=errors.param_error.code, valid_id=bool)
        offset, size = window(
            offset_token, max_results, default_size=MEMBERS_PAGE, error_code=errors.param_error.code
        )
        conference = await self._conferences.get(principal, conference_id)
        now = self._clock.now_ms()
        found = await MemberTables(self._store.reader).page(
            principal.corp_id, conference.conference_id, offset, size, after
        )
        members = [with_live_duration(m, now) for m in found.members]
        return conference, resume_at(page_of(members, offset, found.total), found.last)

    async def _live(
        self,
        tx: WriteTx,
        principal: Principal,
        conference_id: str,
        ended: ErrorCode[InvalidRequest] = errors.resource_close,
    ) -> Conference:
        """The caller's meeting, locked; ``ended`` is the API's code for an ended one."""
        require_scope(principal, WRITE)
        conference = await lock_own_conference(tx, principal, conference_id)
        if conference.ended:
            raise ended()
        return conference

    async def _members(
        self, tx: WriteTx, conference_id: str, union_ids: Iterable[str]
    ) -> list[Participant]:
        """The named members, each of whom must have been in or invited to the meeting."""
        ids = list(dict.fromkeys(union_ids))
        if not ids or not all(ids):
            raise errors.params_error("error:userList must name at least one unionId")
        table = MemberTables(tx.conn)
        members = [await table.get(conference_id, union_id) for union_id in ids]
        if any(m is None for m in members):
            raise errors.unknown_user()
        return [m for m in members if m is not None]

    async def invite(
        self,
        principal: Principal,
        conference_id: str,
        inviter: str | None,
        invitees: list[tuple[str, str | None]],
        phones: Sequence[tuple[str | None, str | None]] = (),
    ) -> None:
        """InviteUsers: ring users of the organisation and telephone numbers.

        ``invitees`` are ``(unionId, nick)``: each becomes a member at attendStatus 2
        under the nick given (their own name when none is). ``phones`` are
        ``(phoneNumber, nick)``: rung, counted in ``invitedNum``, not members.
        Someone already inside is left alone; inviting again counts once.

        Raises:
            InvalidRequest: ``paramsError`` without anyone to invite or with an empty
                phone number, ``unknownUserError`` for someone outside the
                organisation, ``resourceClose`` when ended.
        """
        if not invitees and not phones:
            raise errors.params_error("error:inviteeList and phoneInviteeList are empty")
        numbers = {(n or "").strip(): nick for n, nick in phones}
        if "" in numbers:
            raise errors.params_error("error:phoneInviteeList needs a phoneNumber")
        async with self._store.write() as tx:
            conference = await self._live(tx, principal, conference_id)
            invitations: list[Invitation] = []
            for union_id, nick in dict(invitees).items():
                user = await OrgTables(tx.conn).get_user(principal.corp_id, union_id)
                if user is None:
                    raise errors.unknown_user()
                invitations.append((user.union_id, (nick or "").strip() or user.nick))
            by, now = inviter or conference.host_id, self._clock.now_ms()
            if invitations:
                await add_invitations(tx, conference.conference_id, invitations, by, now)
            if numbers:
                rung = [(number, nick or number) for number, nick in numbers.items()]
                await add_phone_invitations(tx, conference.conference_id, rung, by, now)
            if invitations:
                # The members now being called (someone already inside stays inside).
                table = MemberTables(tx.conn)
                members = [await table.get(conference.conference_id, u) for u, _ in invitations]
                calling = [
                    m for m in members if m is not None and m.attend_status == AttendStatus.CALLING
                ]
                await emit_members(tx.conn, conference, calling, INVITED, now)

    async def kick(
        self, principal: Principal, conference_id: str, union_ids: list[str], forbid_rejoin: bool
    ) -> None:
        """KickMembers: members become attendStatus 5; those inside leave now.

        Raises:
            InvalidRequest: ``unknownUserError`` for a non-member, ``paramsError``
                for an empty list or the host, ``resourceClose`` when ended.
        """
        async with self._store.write() as tx:
            conference = await self._live(tx, principal, conference_id)
            members = await self._members(tx, conference.conference_id, union_ids)
            if any(m.union_id == conference.host_id for m in members):
                raise errors.params_error("error:the host cannot be kicked")
            now = self._clock.now_ms()
            for member in members:
                await kick_member(
                    tx, conference.conference_id, member.union_id, now, forbid_rejoin=forbid_rejoin
                )
            table = MemberTables(tx.conn)
            kicked = [await table.get(conference.conference_id, m.union_id) for m in members]
            after = await MeetingTables(tx.conn, tx.row_lock).lock(
                principal.corp_id, conference.conference_id
            )
            await emit_members(
                tx.conn, after or conference, [m for m in kicked if m is not None], KICKED, now
            )

    async def set_cohosts(
        self, principal: Principal, conference_id: str, action: str, union_ids: list[str]
    ) -> None:
        """Cohosts: ``add`` or ``remove`` co-hosts (users of the organisation or members).

        Raises:
            InvalidRequest: ``paramsError`` for a bad action, an empty list or the
                host, ``unknownUserError`` for an unknown person, ``resourceClose``.
        """
        add = _switch(action, "add", "remove")
        ids = list(dict.fromkeys(union_ids))
        if not ids or not all(ids):
            raise errors.params_error("error:userList must name at least one unionId")
        async with self._store.write() as tx:
            conference = await self._live(tx, principal, conference_id)
            if conference.host_id in ids:
                raise errors.params_error("error:the host cannot be a co-host")
            for union_id in ids:
                known = await OrgTables(tx.conn).get_user(principal.corp_id, union_id)
                if (
                    known is None
                    and await MemberTables(tx.conn).get(conference.conference_id, union_id) is None
                ):
                    raise errors.unknown_user()
            kept = [u for u in conference.cohost_ids if u not in ids]
            cohosts = tuple(kept + ids) if add else tuple(kept)
            await update_conference(tx, conference._replace(cohost_ids=cohosts))

    async def update_nick(
        self, principal: Principal, conference_id: str, union_id: str, nick: str
    ) -> None:
        """UpdateMemberNick: rename a member within this meeting.

        Raises:
            InvalidRequest: ``paramsError`` for an empty nick, ``unknownUserError``
                for a non-member, ``resourceClose``.
        """
        if not nick.strip():
            raise errors.params_error("error:nick is empty")
        async with self._store.write() as tx:
            conference = await self._live(tx, principal, conference_id)
            (member,) = await self._members(tx, conference.conference_id, [union_id])
            await MemberTables(tx.conn).update(member._replace(nick=nick))

    async def mute_members(
        self, principal: Principal, conference_id: str, action: str, union_ids: list[str]
    ) -> None:
        """MuteMembers: ``mute`` or ``un_mute`` members' microphones.

        Raises:
            InvalidRequest: ``paramsError``, ``unknownUserError``, ``resourceClose``.
        """
        muted = _switch(action, _MUTE, _UN_MUTE)
        async with self._store.write() as tx:
            conference = await self._live(tx, principal, conference_id)
            table = MemberTables(tx.conn)
            for member in await self._members(tx, conference.conference_id, union_ids):
                await table.update(member._replace(muted=muted))

    async def mute_all(
        self, principal: Principal, conference_id: str, action: str, force: bool
    ) -> None:
        """MuteAll: mute (optionally forced) or unmute everyone, and later joiners.

        Raises:
            InvalidRequest: ``paramsError``, ``resourceClose``.
        """
        muted = _switch(action, _MUTE, _UN_MUTE)
        state = (MUTE_FORCED if force else MUTE_ON) if muted else MUTE_OFF
        async with self._store.write() as tx:
            conference = await self._live(tx, principal, conference_id)
            await MemberTables(tx.conn).mute_all(conference.conference_id, muted)
            await update_conference(tx, conference._replace(mute_all=state))

    async def lock(self, principal: Principal, conference_id: str, action: str) -> None:
        """LockConference: ``lock`` keeps new joiners out; ``unlock`` lets them in.

        Raises:
            InvalidRequest: ``commandError`` for another action, ``confClosed`` when
                ended (api-lockconference), ``paramsError`` / ``orgAccessForbidden``.
        """
        locked = _switch(action, "lock", "unlock", errors.command_error)
        await self.update_settings(
            principal,
            conference_id,
            MeetingSettings(lock_conference=locked),
            ended=errors.conf_closed,
        )

    async def update_settings(
        self,
        principal: Principal,
        conference_id: str,
        settings: MeetingSettings,
        ended: ErrorCode[InvalidRequest] = errors.resource_close,
    ) -> None:
        """UpdateVideoConferenceSetting: change the lock, mute-all and internal-only switches.

        Raises:
            InvalidRequest: ``paramsError`` / ``orgAccessForbidden``, ``ended`` (by
                default ``resourceClose``) when the meeting has ended.
        """
        async with self._store.write() as tx:
            conference = await self._live(tx, principal, conference_id, ended)
            changed = conference
            if settings.lock_conference is not None:
                changed = changed._replace(locked=settings.lock_conference)
            if settings.only_internal_employees_join is not None:
                changed = changed._replace(internal_only=settings.only_internal_employees_join)
            if settings.mute_all is not None:
                changed = changed._replace(mute_all=MUTE_ON if settings.mute_all else MUTE_OFF)
                await MemberTables(tx.conn).mute_all(conference.conference_id, settings.mute_all)
            await update_conference(tx, changed)
