"""Links dingconf serves itself, and the organisation's recording whitelist.

CreateAutoLoginUrl hands out a one-time URL that lands a person in a
meeting's join link already identified; CreateCustomShortLink a short URL to
a booking's link. Both are served by :meth:`LinkService.open_login` and
:meth:`LinkService.open_short`. OptRecordWhiteAccount keeps, per
organisation, who may record (:data:`CLOUD_RECORD`, :data:`LOCAL_RECORD`).
"""

import string
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from dingconf.auth.service import WRITE, require_scope
from dingconf.auth.tables import OrgTables
from dingconf.bookings.tables import BookingTables
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.records import Principal
from dingconf.core.rng import random_below
from dingconf.core.secrets import hash_token, new_token
from dingconf.db.store import Store
from dingconf.links.tables import LinkTables
from dingconf.listing.records import ConferenceFilter
from dingconf.listing.tables import ListingTables
from dingconf.members.member_pass import MemberPasses
from dingconf.streams.records import LoginLink, ShortLink

__all__ = [
    "ADD",
    "CLOUD_RECORD",
    "LOCAL_RECORD",
    "LOGIN_TTL_MS",
    "REMOVE",
    "USER_RANGE",
    "LinkService",
    "WhitelistChange",
]

#: How long an auto-login URL stays valid (and it opens once).
LOGIN_TTL_MS = 10 * 60 * 1000
CLOUD_RECORD, LOCAL_RECORD = "cloud_record", "local_record"
#: ``operation``: add the accounts, or remove them.
ADD, REMOVE = 1, 2
#: ``settingRangeType`` of a single account (``settingRangeId`` a unionId).
USER_RANGE = 3
_SHORT_ALPHABET = string.ascii_letters + string.digits
_SHORT_LENGTH = 11  # as DingTalk's own (meeting.dingtalk.com/j/xBzQxxxY1IB)


@dataclass(frozen=True, slots=True)
class WhitelistChange:
    """OptRecordWhiteAccount's ``requestBody``."""

    union_id: str
    biz_type: str
    operation: int
    ranges: list[tuple[str, int]]  # (settingRangeId, settingRangeType)


def _with_person(url: str, union_id: str) -> str:
    """A join link that names who opens it."""
    return f"{url}{'&' if '?' in url else '?'}unionId={quote(union_id, safe='')}"


class LinkService:
    """Auto-login URLs, custom short links and the recording whitelist."""

    def __init__(self, store: Store, clock: Clock, base_url: str) -> None:
        self._store = store
        self._clock = clock
        self._base_url = base_url
        self._passes = MemberPasses(store)

    async def create_login_url(self, principal: Principal, meeting_url: str, union_id: str) -> str:
        """CreateAutoLoginUrl: a one-time URL landing ``union_id`` in the meeting.

        ``meeting_url`` must be the join link of a meeting of the caller's
        organisation that has not ended (its ``externalLinkUrl``) or of a
        booking not cancelled (its ``url``). The URL is valid for
        :data:`LOGIN_TTL_MS` on the server clock; only its token's hash is kept.

        Raises:
            InvalidRequest: ``paramsError`` (not such a join link),
                ``unknownUserError`` (not a user of the organisation),
                ``resourceClose`` (the meeting has ended), ``resourceCancel``
                (the booking was cancelled).
        """
        require_scope(principal, WRITE)
        if await OrgTables(self._store.reader).get_user(principal.corp_id, union_id) is None:
            raise errors.unknown_user()
        await self._check_meeting_url(principal.corp_id, meeting_url)
        token = new_token()
        link = LoginLink(
            token_hash=hash_token(token),
            corp_id=principal.corp_id,
            union_id=union_id,
            target=_with_person(meeting_url, union_id),
            expires_at_ms=self._clock.now_ms() + LOGIN_TTL_MS,
            used_at_ms=None,
        )
        async with self._store.write() as tx:
            await LinkTables(tx.conn).insert_login_link(link)
        return f"{self._base_url}/autoLogin/{token}"

    async def _check_meeting_url(self, corp_id: str, meeting_url: str) -> None:
        """Accept a join link of the organisation's meetings: an instance's or a booking's.

        Raises:
            InvalidRequest: ``paramsError`` for any other URL, ``resourceClose``
                for an ended meeting or a cancelled booking.
        """
        booking = await BookingTables(self._store.reader).booking_by_url(corp_id, meeting_url)
        if booking is not None:
            if booking.cancelled:
                raise errors.resource_cancel()
            return
        codes = parse_qs(urlsplit(meeting_url).query).get("roomCode", [])
        where = ConferenceFilter(room_code=codes[0]) if codes else None
        found = [
            c
            for c in (
                await ListingTables(self._store.reader).list_conferences(corp_id, where)
                if where
                else []
            )
            if c.external_link_url == meeting_url
        ]
        if not found:
            raise errors.params_error("error:meetingUrl is not a meeting's join link")
        if found[-1].ended:
            raise errors.resource_close()

    async def open_login(self, token: str) -> str:
        """Where an auto-login URL leads (once, before it expires): the join link naming
        its person, with their member pass when it is a meeting's.

        Raises:
            NotFound: ``loginUrlNotFound`` for an unknown, used or expired URL.
        """
        gone = errors.login_url_not_found()
        token_hash = hash_token(token)
        async with self._store.write() as tx:
            links = LinkTables(tx.conn)
            link = await links.get_login_link(token_hash)
            now = self._clock.now_ms()
            if link is None or link.expires_at_ms <= now:
                raise gone
            if not await links.use_login_link(token_hash, now):
                raise gone
        # The join page admits the person only with their pass (service.member_pass),
        # bound to the meeting's room code (a booking's link names none).
        codes = parse_qs(urlsplit(link.target).query).get("roomCode")
        if not codes:
            return link.target
        member_pass = await self._passes.issue(link.corp_id, codes[0], link.union_id, now)
        return f"{link.target}&memberPass={quote(member_pass, safe='')}"

    async def create_short_link(
        self,
        principal: Principal,
        creator_id: str,
        schedule_id: str,
        cool_app_code: str,
        biz_data: str | None,
        use_extension_app: bool,
    ) -> str:
        """CreateCustomShortLink: a short URL to a booking's link, for its creator.

        The link stays valid while the booking is not cancelled.

        Raises:
            InvalidRequest: ``paramError`` (empty fields), ``userNotInOrg``,
                ``scheduleConferenceIdError`` (unknown or cancelled booking),
                ``creatorUidError`` (not the booking's creator).
            AccessDenied: ``noPermission`` for another organisation's booking.
        """
        require_scope(principal, WRITE)
        if not (creator_id and schedule_id and cool_app_code):
            raise errors.param_error(
                "paramError:creatorUnionId, scheduleConferenceId and coolAppCode are required"
            )
        if await OrgTables(self._store.reader).get_user(principal.corp_id, creator_id) is None:
            raise errors.user_not_in_org()
        bookings = BookingTables(self._store.reader)
        booking = await bookings.get_booking(principal.corp_id, schedule_id)
        if booking is None:
            if await bookings.booking_corp(schedule_id) is not None:
                raise errors.no_permission()
            raise errors.schedule_conference_id_error()
        if booking.cancelled:
            raise errors.schedule_conference_id_error()
        if booking.creator_id != creator_id:
            raise errors.creator_uid_error()
        code = "".join(
            _SHORT_ALPHABET[random_below(len(_SHORT_ALPHABET))] for _ in range(_SHORT_LENGTH)
        )
        async with self._store.write() as tx:
            await LinkTables(tx.conn).insert_short_link(
                ShortLink(
                    code=code,
                    corp_id=principal.corp_id,
                    schedule_conference_id=schedule_id,
                    creator_id=creator_id,
                    cool_app_code=cool_app_code,
                    biz_data=biz_data,
                    use_extension_app=use_extension_app,
                    target=booking.url,
                    created_at_ms=self._clock.now_ms(),
                )
            )
        return f"{self._base_url}/s/{code}"

    async def open_short(self, code: str) -> str:
        """Where a short link leads.

        Raises:
            NotFound: ``shortLinkNotFound`` for an unknown link or a cancelled booking.
        """
        link = await LinkTables(self._store.reader).get_short_link(code)
        booking = link and await BookingTables(self._store.reader).get_booking(
            link.corp_id, link.schedule_conference_id
        )
        if not link or not booking or booking.cancelled:
            raise errors.short_link_not_found()
        return link.target

    async def change_whitelist(self, principal: Principal, change: WhitelistChange) -> None:
        """OptRecordWhiteAccount: add accounts to, or remove them from, a recording whitelist.

        Raises:
            InvalidRequest: ``paramError`` (bizType, operation or a range type not
                known), ``unknownUserError`` (the operator or a listed account is
                not a user of the organisation).
        """
        require_scope(principal, WRITE)
        if change.biz_type not in (CLOUD_RECORD, LOCAL_RECORD):
            raise errors.param_error("paramError:bizType must be cloud_record or local_record")
        if change.operation not in (ADD, REMOVE):
            raise errors.param_error("paramError:operation must be 1 (add) or 2 (remove)")
        if any(kind != USER_RANGE for _, kind in change.ranges):
            raise errors.param_error(
                f"paramError:settingRangeType must be {USER_RANGE} (an account)"
            )
        accounts = list(dict.fromkeys(rid for rid, _ in change.ranges))
        for union_id in [change.union_id, *accounts]:
            if await OrgTables(self._store.reader).get_user(principal.corp_id, union_id) is None:
                raise errors.unknown_user()
        async with self._store.write() as tx:
            whitelist = LinkTables(tx.conn)
            if change.operation == ADD:
                await whitelist.add_to_record_whitelist(
                    principal.corp_id,
                    change.biz_type,
                    accounts,
                    change.union_id,
                    self._clock.now_ms(),
                )
            else:
                await whitelist.remove_from_record_whitelist(
                    principal.corp_id, change.biz_type, accounts
                )

    async def whitelist(self, corp_id: str, biz_type: str) -> list[str]:
        """Control API: who is on an organisation's recording whitelist."""
        return await LinkTables(self._store.reader).record_whitelist(corp_id, biz_type)
