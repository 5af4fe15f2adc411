"""People inside a meeting through its join page, while the page is open.

A meeting's ``externalLinkUrl`` (``/app?roomCode=…&token=…``) is a join page.
Holding the link is what authorises it: the room code and the link's token
must be those of a meeting. The page joins as a guest with a name, or as a
user of the meeting's organisation with that user's own member pass
(:mod:`dingconf.members.member_pass`, from an auto-login URL), through the
control API's join (so counters move and events fire as for any client), and
is handed a presence id, a secret whose hash alone is stored. The page then
beats; a person whose page stopped beating for the presence timeout is made to
leave by a sweep that any process may run: a conditional DELETE decides which
process performs each leave.
"""

import asyncio
import hmac
import logging
import re
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from dingconf.analytics.records import Device
from dingconf.auth.tables import OrgTables
from dingconf.control.console.presence_records import Presence
from dingconf.control.console.presence_tables import PresenceTables
from dingconf.control.service import ControlService
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.errors import InvalidRequest, NotFound
from dingconf.core.records import AttendStatus, Conference, User
from dingconf.core.rng import random_hex
from dingconf.core.secrets import hash_token, new_token
from dingconf.db.store import Store
from dingconf.listing.records import ConferenceFilter
from dingconf.listing.tables import ListingTables
from dingconf.members.member_pass import MemberPasses
from dingconf.members.tables import MemberTables

__all__ = [
    "GUEST_ID",
    "NICK_MAX",
    "WEB_CLIENT",
    "Joined",
    "PresenceService",
    "PresenceState",
]

log = logging.getLogger("dingconf.presence")

#: A guest's unionId: generated once, then kept by the page.
GUEST_ID = re.compile(r"guest-[0-9a-f]{16}")
NICK_MAX = 64
#: The client a join page is, as QueryConferenceMembers and the analytics report it.
WEB_CLIENT = Device("Web")
#: The page beats this often, or three times per timeout if that is shorter.
_HEARTBEAT_MS = 2000
_SWEEP_BATCH = 100


class PresenceState(StrEnum):
    """What a join page's person is now."""

    INSIDE = "inside"
    #: Removed by the host (KickMembers).
    KICKED = "kicked"
    #: Out of the meeting: left, timed out, or joined again from another page.
    LEFT = "left"
    ENDED = "ended"


class Joined(NamedTuple):
    """A join page's successful join."""

    presence_id: str
    union_id: str
    nick: str
    #: Not a user of the organisation: joined with a name.
    guest: bool
    conference: Conference


def _link_token(conference: Conference) -> str:
    tokens = parse_qs(urlsplit(conference.external_link_url).query).get("token", [""])
    return tokens[0]


def _guest_nick(nick: str | None) -> str:
    name = " ".join((nick or "").split())
    if not name or len(name) > NICK_MAX:
        raise errors.param_error(f"a guest needs a name of 1 to {NICK_MAX} characters")
    return name


class PresenceService:
    """Join pages: check the link, join, beat, leave, and sweep the silent ones out."""

    def __init__(
        self, store: Store, clock: Clock, control: ControlService, timeout_ms: int
    ) -> None:
        self._store = store
        self._clock = clock
        self._control = control
        self._passes = MemberPasses(store)
        self.timeout_ms = timeout_ms
        #: How often a page beats: well within the timeout.
        self.heartbeat_ms = min(_HEARTBEAT_MS, timeout_ms // 3)

    async def meeting(self, room_code: str, token: str) -> Conference:
        """The meeting whose join link has this room code and token.

        Raises:
            NotFound: ``linkNotFound`` when no meeting's link has both.
        """
        if not room_code or not token:
            raise errors.link_not_found()
        used = await ListingTables(self._store.reader).list_conferences(
            None, ConferenceFilter(room_code=room_code)
        )
        for conference in reversed(used):  # the newest instance of a booking first
            if hmac.compare_digest(_link_token(conference).encode(), token.encode()):
                return conference
        raise errors.link_not_found()

    async def member(
        self, conference: Conference, union_id: str | None, member_pass: str | None
    ) -> User | None:
        """The user of the meeting's organisation whose own pass this is (None if it is
        not one: then the page offers a guest's join alone)."""
        # The pass first: a unionId is looked up only once it is one dingconf
        # issued a pass for (the page's query is not checked as API input is).
        if union_id is None or not await self._holds_pass(conference, union_id, member_pass):
            return None
        return await OrgTables(self._store.reader).get_user(conference.corp_id, union_id)

    async def _holds_pass(
        self, conference: Conference, union_id: str, member_pass: str | None
    ) -> bool:
        return await self._passes.admits(
            conference.corp_id, conference.room_code, union_id, member_pass, self._clock.now_ms()
        )

    async def join(
        self,
        room_code: str,
        token: str,
        union_id: str | None,
        nick: str | None,
        member_pass: str | None = None,
    ) -> Joined:
        """Join as a user of the meeting's organisation (``union_id``, with their own
        ``member_pass``), or as a guest: ``nick`` with the guest id the page kept
        (``union_id``) or none yet (a new one).

        Raises:
            NotFound: ``linkNotFound``.
            AccessDenied: ``memberPassRequired`` for a user without their pass
                (holding the link lets anyone in as a guest, as nobody else).
            InvalidRequest: ``paramError`` (neither a user nor a guest id; a guest
                without a name), and the join's own refusals: ``resourceClose``,
                ``conferenceLocked``, ``forbiddenRejoin``, ``internalOnly``.
        """
        conference = await self.meeting(room_code, token)
        user = None
        if union_id is not None:
            user = await OrgTables(self._store.reader).get_user(conference.corp_id, union_id)
            if user is None and not GUEST_ID.fullmatch(union_id):
                raise errors.param_error(
                    "unionId is neither a user of the organisation nor a guest id"
                )
        if user is not None:
            if not await self._holds_pass(conference, user.union_id, member_pass):
                raise errors.member_pass_required()
            person, name = user.union_id, user.nick
        else:
            person, name = union_id or f"guest-{random_hex(8)}", _guest_nick(nick)
        await self._control.join(
            conference.conference_id, person, None if user else name, WEB_CLIENT
        )
        presence_id = new_token()
        now = self._clock.now_ms()
        async with self._store.write() as tx:
            await PresenceTables(tx.conn).put_presence(
                Presence(
                    hash_token(presence_id),
                    conference.conference_id,
                    conference.corp_id,
                    person,
                    name,
                    now,
                    now,
                )
            )
        # Re-read: the join moved the counters (and started a booking's instance).
        fresh = await self._store.get_conference(conference.corp_id, conference.conference_id)
        return Joined(presence_id, person, name, user is None, fresh or conference)

    async def _presence(self, conference: Conference, presence_id: str) -> Presence | None:
        presence = await PresenceTables(self._store.reader).get_presence(hash_token(presence_id))
        if presence is None or presence.conference_id != conference.conference_id:
            return None
        return presence

    async def beat(
        self, room_code: str, token: str, presence_id: str
    ) -> tuple[PresenceState, Conference]:
        """A heartbeat: still inside, or why not (the presence ends unless inside).

        Raises:
            NotFound: ``linkNotFound``.
        """
        conference = await self.meeting(room_code, token)
        presence = await self._presence(conference, presence_id)
        if presence is None:
            return PresenceState.LEFT, conference
        async with self._store.write() as tx:
            presences = PresenceTables(tx.conn)
            member = await MemberTables(tx.conn).get(conference.conference_id, presence.union_id)
            if conference.ended:
                state = PresenceState.ENDED
            elif member is not None and member.attend_status == AttendStatus.KICKED:
                state = PresenceState.KICKED
            elif member is None or member.attend_status != AttendStatus.ACTIVE:
                state = PresenceState.LEFT
            elif await presences.beat_presence(presence.presence_hash, self._clock.now_ms()):
                return PresenceState.INSIDE, conference
            else:  # swept out meanwhile
                return PresenceState.LEFT, conference
            await presences.drop_presence(presence.presence_hash)
        return state, conference

    async def leave(self, room_code: str, token: str, presence_id: str) -> Conference:
        """The page closes or its person leaves; nothing happens for a presence already gone.

        Raises:
            NotFound: ``linkNotFound``.
        """
        conference = await self.meeting(room_code, token)
        presence = await self._presence(conference, presence_id)
        if presence is not None and await self._leave(presence):
            # Re-read: the leave moved the counters.
            fresh = await self._store.get_conference(conference.corp_id, conference.conference_id)
            return fresh or conference
        return conference

    async def _leave(self, presence: Presence, beat_before_ms: int | None = None) -> bool:
        """End the presence and make its person leave, unless they already did (kicked,
        left, meeting ended); False when the presence was gone (or beat since
        ``beat_before_ms``).

        One transaction: a crash, or a failure of the leave, keeps the presence,
        so a later sweep makes the person leave; they are never left inside
        without one.
        """
        async with self._store.write() as tx:
            if not await PresenceTables(tx.conn).drop_presence(
                presence.presence_hash, beat_before_ms
            ):
                return False
            try:
                await self._control.leave_in(tx, presence.conference_id, presence.union_id)
            except (InvalidRequest, NotFound) as gone:  # refused before writing anything
                log.debug("presence of %s ended without a leave: %s", presence.union_id, gone.code)
        return True

    async def sweep(self) -> int:
        """Make everyone whose page stopped beating leave; return how many this process did.

        Each stale presence is claimed by a DELETE conditional on its last beat
        still being stale, in the transaction of the leave: of several processes
        sweeping at once, one wins it, and a beat that arrived meanwhile keeps
        the person inside.
        """
        cutoff = self._clock.now_ms() - self.timeout_ms
        done = 0
        stale = await PresenceTables(self._store.reader).stale_presences(cutoff, _SWEEP_BATCH)
        for presence in stale:
            done += await self._leave(presence, cutoff)
        return done

    async def sweep_forever(self, refresh: Callable[[], Awaitable[None]]) -> None:
        """Sweep a few times per timeout until cancelled, by the clock ``refresh`` reads."""
        interval_s = max(0.2, self.timeout_ms / 4000)
        while True:
            await asyncio.sleep(interval_s)
            try:
                await refresh()
                await self.sweep()
            except Exception:
                # A database outage must not end the loop: the next round retries.
                log.warning("presence sweep failed; retrying", exc_info=True)
