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
from dingconf.core.clock import Clock
from dingconf.core.errors import InvalidRequest
from dingconf.core.paging import Page, page_of, resume_at, seek, window
from dingconf.core.records import AttendStatus, Conference, ConferenceStatus, Participant, Principal
from dingconf.db.store import Invitation, Store, WriteTx
from dingconf.events.payloads import INVITED, KICKED, emit_members
from dingconf.meetings.access import lock_own_conference
from dingconf.meetings.service import ConferenceService

__all__ = ["MeetingSettings", "MemberService", "with_live_duration"]

MEMBERS_PAGE = 128  # maxResults default (spec §4.5.1)
MUTE_OFF, MUTE_ON, MUTE_FORCED = 0, 1, 2
_PARAMS = "paramsError"
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


def _switch(action: str, on: str, off: str, code: str = _PARAMS) -> bool:
    """An ``action`` string as a switch (e.g. ``lock``/``unlock``); else ``code``."""
    if action not in (on, off):
        message = code if code != _PARAMS else f"error:action must be {on!r} or {off!r}"
        raise InvalidRequest(code, message)
    return action == on


def _unknown_user() -> InvalidRequest:
    return InvalidRequest("unknownUserError", "unknownUserError")


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
        offset_token, after = seek(next_token, error_code="paramError", valid_id=bool)
        offset, size = window(
            offset_token, max_results, default_size=MEMBERS_PAGE, error_code="paramError"
        )
        conference = await self._conferences.get(principal, conference_id)
        now = self._clock.now_ms()
        found = await self._store.page_participants(
            principal.corp_id, conference.conference_id, offset, size, after
        )
        members = [with_live_duration(m, now) for m in found.members]
        return conference, resume_at(page_of(members, offset, found.total), found.last)

    async def _live(
        self, tx: WriteTx, principal: Principal, conference_id: str, ended: str = "resourceClose"
    ) -> Conference:
        """The caller's meeting, locked; ``ended`` is the API's code for an ended one."""
        require_scope(principal, WRITE)
        conference = await lock_own_conference(tx, principal, conference_id)
        if conference.status == ConferenceStatus.ENDED:
            message = "The meeting has ended" if ended == "resourceClose" else ended
            raise InvalidRequest(ended, message)
        return conference

    async def _members(
        self, tx: WriteTx, conference_id: str, union_ids: Iterable[str]
    ) -> list[Participant]:
        """The named members, each of whom must have been in or invited to the meeting."""
        ids = list(dict.fromkeys(union_ids))
        if not ids or not all(ids):
            raise InvalidRequest(_PARAMS, "error:userList must name at least one unionId")
        members = [await tx.get_participant(conference_id, union_id) for union_id in ids]
        if any(m is None for m in members):
            raise _unknown_user()
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
            raise InvalidRequest(_PARAMS, "error:inviteeList and phoneInviteeList are empty")
        numbers = {(n or "").strip(): nick for n, nick in phones}
        if "" in numbers:
            raise InvalidRequest(_PARAMS, "error:phoneInviteeList needs a phoneNumber")
        async with self._store.write() as tx:
            conference = await self._live(tx, principal, conference_id)
            invitations: list[Invitation] = []
            for union_id, nick in dict(invitees).items():
                user = await OrgTables(tx.conn).get_user(principal.corp_id, union_id)
                if user is None:
                    raise _unknown_user()
                invitations.append((user.union_id, (nick or "").strip() or user.nick))
            by, now = inviter or conference.host_id, self._clock.now_ms()
            if invitations:
                await tx.add_invitations(conference.conference_id, invitations, by, now)
            if numbers:
                rung = [(number, nick or number) for number, nick in numbers.items()]
                await tx.add_phone_invitations(conference.conference_id, rung, by, now)
            if invitations:
                # The members now being called (someone already inside stays inside).
                members = [
                    await tx.get_participant(conference.conference_id, u) for u, _ in invitations
                ]
                calling = [
                    m for m in members if m is not None and m.attend_status == AttendStatus.CALLING
                ]
                await emit_members(tx, conference, calling, INVITED, now)

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
                raise InvalidRequest(_PARAMS, "error:the host cannot be kicked")
            now = self._clock.now_ms()
            for member in members:
                await tx.kick_member(
                    conference.conference_id, member.union_id, now, forbid_rejoin=forbid_rejoin
                )
            kicked = [
                await tx.get_participant(conference.conference_id, m.union_id) for m in members
            ]
            after = await tx.lock_conference(principal.corp_id, conference.conference_id)
            await emit_members(
                tx, after or conference, [m for m in kicked if m is not None], KICKED, now
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
            raise InvalidRequest(_PARAMS, "error:userList must name at least one unionId")
        async with self._store.write() as tx:
            conference = await self._live(tx, principal, conference_id)
            if conference.host_id in ids:
                raise InvalidRequest(_PARAMS, "error:the host cannot be a co-host")
            for union_id in ids:
                known = await OrgTables(tx.conn).get_user(principal.corp_id, union_id)
                if known is None and await tx.get_participant(conference_id, union_id) is None:
                    raise _unknown_user()
            kept = [u for u in conference.cohost_ids if u not in ids]
            cohosts = tuple(kept + ids) if add else tuple(kept)
            await tx.update_conference(conference._replace(cohost_ids=cohosts))

    async def update_nick(
        self, principal: Principal, conference_id: str, union_id: str, nick: str
    ) -> None:
        """UpdateMemberNick: rename a member within this meeting.

        Raises:
            InvalidRequest: ``paramsError`` for an empty nick, ``unknownUserError``
                for a non-member, ``resourceClose``.
        """
        if not nick.strip():
            raise InvalidRequest(_PARAMS, "error:nick is empty")
        async with self._store.write() as tx:
            conference = await self._live(tx, principal, conference_id)
            (member,) = await self._members(tx, conference.conference_id, [union_id])
            await tx.update_member(member._replace(nick=nick))

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
            for member in await self._members(tx, conference.conference_id, union_ids):
                await tx.update_member(member._replace(muted=muted))

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
            await tx.mute_everyone(conference.conference_id, muted)
            await tx.update_conference(conference._replace(mute_all=state))

    async def lock(self, principal: Principal, conference_id: str, action: str) -> None:
        """LockConference: ``lock`` keeps new joiners out; ``unlock`` lets them in.

        Raises:
            InvalidRequest: ``commandError`` for another action, ``confClosed`` when
                ended (api-lockconference), ``paramsError`` / ``orgAccessForbidden``.
        """
        locked = _switch(action, "lock", "unlock", code="commandError")
        await self.update_settings(
            principal, conference_id, MeetingSettings(lock_conference=locked), ended="confClosed"
        )

    async def update_settings(
        self,
        principal: Principal,
        conference_id: str,
        settings: MeetingSettings,
        ended: str = "resourceClose",
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
                await tx.mute_everyone(conference.conference_id, settings.mute_all)
            await tx.update_conference(changed)
