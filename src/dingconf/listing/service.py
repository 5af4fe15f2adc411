"""Queries over many meetings (spec §4.5.6–§4.5.9): batch, roomCode, org, user, history."""

from dataclasses import dataclass

from dingconf.analytics.records import Device
from dingconf.analytics.tables import AnalyticsTables
from dingconf.auth.service import READ, require_scope
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.digits import ascii_digits
from dingconf.core.ids import CONFERENCE_ID
from dingconf.core.paging import Page, page_of, paginate, resume_at, seek, window
from dingconf.core.records import AttendStatus, Conference, ConferenceStatus, Participant, Principal
from dingconf.db.store import Store
from dingconf.listing.pages import ConferencePages
from dingconf.listing.records import ConferenceFilter
from dingconf.listing.tables import ListingTables
from dingconf.members.service import with_live_duration
from dingconf.members.tables import MemberTables

__all__ = ["BATCH_MEETINGS", "BATCH_USERS", "FREE_TYPE", "SCENE", "HistoryFilter", "ListingService"]

_LIST_PAGE = 20  # the docs' example page size; DingTalk documents no default
_PARAM_ERROR = errors.param_error.code
#: QueryConferenceInfoBatch's bounds (DingTalk documents none): the meetings one
#: call may name, and the members of each it lists, in listing order.
BATCH_MEETINGS, BATCH_USERS = 20, 500
_UNION_ID_MAX = 64  # DingTalk's unionIds are about 30 characters
#: What GetHistoryConfDataList reports for every meeting: dingconf has no
#: billing plans or client scenes (spec §4.5.9 examples).
FREE_TYPE = "0"
SCENE = "ding_talk"


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """GetHistoryConfDataList's filters; None matches anything."""

    start_ms: int
    end_ms: int
    title: str | None = None
    creator_nick: str | None = None
    free_type: str | None = None
    scene: str | None = None


class ListingService:
    """Read-only listings of the caller's organisation's meetings."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._pages = ConferencePages(store)

    async def batch(
        self, principal: Principal, conference_ids: list[str]
    ) -> list[tuple[Conference, list[Participant], frozenset[str]]]:
        """QueryConferenceInfoBatch: the meetings in progress among ``conference_ids``.

        Each with its first :data:`BATCH_USERS` members (in the order they
        became members) and the unionIds of those inside with their camera
        on. Meetings not in progress, unknown or of another organisation are
        left out, unless no asked meeting is in progress and one of them has
        ended: "only meetings in progress can be queried" (the doc).

        Raises:
            InvalidRequest: ``paramsError`` for an empty list, a malformed id or
                more than :data:`BATCH_MEETINGS` meetings;
                ``resourceClose`` when the asked meetings of the organisation ended.
        """
        require_scope(principal, READ)
        if not conference_ids:
            raise errors.params_error("error:conferenceIdList is empty")
        if not all(CONFERENCE_ID.fullmatch(i) for i in conference_ids):
            raise errors.params_error("error:invalid conferenceId")
        if len(set(conference_ids)) > BATCH_MEETINGS:
            raise errors.params_error(
                f"error:conferenceIdList names more than {BATCH_MEETINGS} meetings"
            )
        found = []
        ended = False
        for conference_id in dict.fromkeys(conference_ids):
            c = await self._store.get_conference(principal.corp_id, conference_id)
            if c is not None and c.status == ConferenceStatus.STARTED:
                # The first members only, read by the listing's index: the
                # whole list is QueryConferenceMembers' to page through.
                listed = await MemberTables(self._store.reader).page(
                    principal.corp_id, conference_id, 0, BATCH_USERS
                )
                members = listed.members
                stays = await AnalyticsTables(self._store.reader).current_stays(
                    principal.corp_id, conference_id, [m.union_id for m in members]
                )
                cameras = frozenset(s.union_id for s in stays if s.device.camera_on)
                found.append((c, members, cameras))
            ended = ended or (c is not None and c.ended)
        if not found and ended:
            raise errors.resource_close()
        return found

    async def by_room_code(
        self, principal: Principal, room_code: str, next_token: str | None, max_results: int | None
    ) -> Page[Conference]:
        """QueryConferenceInfoByRoomCode: every instance that used this roomCode.

        A booked roomCode maps to several instances; spaces (``838 722 12345``,
        the booked display form) are ignored.

        Raises:
            InvalidRequest: ``missingRoomCode``, ``invalidRoomCode`` (not digits, or
                a code no meeting ever used), ``paramError`` (paging).
            AccessDenied: ``noPermission`` for another organisation's roomCode.
        """
        require_scope(principal, READ)
        code = room_code.replace(" ", "")
        if not code:
            raise errors.missing_room_code()
        if not ascii_digits(code):
            raise errors.invalid_room_code()
        where = ConferenceFilter(room_code=code)
        listing = ListingTables(self._store.reader)
        found = await listing.list_conferences(principal.corp_id, where)
        if not found:
            if await listing.list_conferences(None, where):
                raise errors.no_permission()
            # "会议码无效" (api-queryconferenceinfobyroomcode): no meeting has this code.
            raise errors.invalid_room_code()
        return paginate(
            found, next_token, max_results, default_size=_LIST_PAGE, error_code=_PARAM_ERROR
        )

    async def in_progress(
        self, principal: Principal, next_token: str | None, max_results: int | None
    ) -> tuple[Page[Conference], int]:
        """QueryOrgConferenceList: the organisation's meetings in progress, by startTime.

        Returns the page and the time it was read at (their ``endTime`` so far).

        Raises:
            InvalidRequest: ``paramError`` (paging).
        """
        require_scope(principal, READ)
        page = await self._page(
            principal, ConferenceFilter(status=ConferenceStatus.STARTED), next_token, max_results
        )
        return page, self._clock.now_ms()

    async def _page(
        self,
        principal: Principal,
        where: ConferenceFilter,
        next_token: str | None,
        max_results: int | None,
    ) -> Page[Conference]:
        # A token this server issued also says where the last page ended.
        offset_token, after = seek(
            next_token, error_code=_PARAM_ERROR, valid_id=CONFERENCE_ID.fullmatch
        )
        offset, size = window(
            offset_token, max_results, default_size=_LIST_PAGE, error_code=_PARAM_ERROR
        )
        found, total = await self._pages.page(principal.corp_id, where, offset, size, after)
        last = (found[-1].start_time_ms, found[-1].conference_id) if found else None
        return resume_at(page_of(found, offset, total), last)

    async def user_ongoing(
        self, principal: Principal, union_id: str | None
    ) -> list[tuple[Conference, Participant, str]]:
        """QueryUserOnGoingConference: the running meetings this person is inside now.

        Each with the person's member row and the deviceType of their stay.

        Raises:
            InvalidRequest: ``param.error`` — ``missing.user.info`` without a
                unionId, ``param.error`` for one that cannot be a unionId.
        """
        require_scope(principal, READ)
        if union_id is None or not union_id.strip():
            raise errors.param_dot_error("missing.user.info")
        if len(union_id) > _UNION_ID_MAX or any(ch.isspace() for ch in union_id):
            raise errors.param_dot_error()
        now = self._clock.now_ms()
        inside = await ListingTables(self._store.reader).list_memberships(
            principal.corp_id, union_id, AttendStatus.ACTIVE
        )
        found = []
        for member in inside:
            c = await self._store.get_conference(principal.corp_id, member.conference_id)
            if c is not None:
                # The person's stay in progress, by key (not the meeting's every stay).
                stays = await AnalyticsTables(self._store.reader).current_stays(
                    principal.corp_id, c.conference_id, [union_id]
                )
                device = stays[0].device.device_type if stays else Device().device_type
                found.append((c, with_live_duration(member, now), device))
        return found

    async def history(
        self,
        principal: Principal,
        where: HistoryFilter,
        next_token: str | None,
        max_results: int | None,
    ) -> Page[Conference]:
        """GetHistoryConfDataList: ended meetings that started inside the time window.

        Raises:
            InvalidRequest: ``paramError`` for a window ending before it starts, or paging.
        """
        require_scope(principal, READ)
        if where.start_ms > where.end_ms:
            raise errors.param_error("error:startTime is after endTime")
        if where.free_type not in (None, FREE_TYPE) or where.scene not in (None, SCENE):
            return page_of([], 0, 0)  # every meeting has the one plan and scene
        return await self._page(
            principal,
            ConferenceFilter(
                status=ConferenceStatus.ENDED,
                started_from_ms=where.start_ms,
                started_to_ms=where.end_ms,
                title_contains=where.title,
                creator_nick_contains=where.creator_nick,
            ),
            next_token,
            max_results,
        )
