"""Queries over many meetings (spec §4.5.6–§4.5.9): batch, roomCode, org, user, history."""

from dataclasses import dataclass

from dingconf.clock import Clock
from dingconf.errors import AccessDenied, InvalidRequest
from dingconf.model import AttendStatus, Conference, ConferenceStatus, Participant, Principal
from dingconf.service.auth import READ, require_scope
from dingconf.service.ids import CONFERENCE_ID
from dingconf.service.members import with_live_duration
from dingconf.service.paging import Page, paginate
from dingconf.storage.base import ConferenceFilter, Store

__all__ = ["FREE_TYPE", "SCENE", "HistoryFilter", "ListingService"]

_LIST_PAGE = 20  # the docs' example page size; DingTalk documents no default
_PARAM_ERROR = "paramError"
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

    def matches(self, c: Conference) -> bool:
        """Whether an ended meeting passes the text filters (substring, exact)."""
        return (
            (self.title is None or self.title in c.title)
            and (self.creator_nick is None or self.creator_nick in c.creator_nick)
            and self.free_type in (None, FREE_TYPE)
            and self.scene in (None, SCENE)
        )


class ListingService:
    """Read-only listings of the caller's organisation's meetings."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def batch(
        self, principal: Principal, conference_ids: list[str]
    ) -> list[tuple[Conference, list[Participant]]]:
        """QueryConferenceInfoBatch: the meetings in progress among ``conference_ids``.

        Meetings not in progress, unknown or of another organisation are left out.

        Raises:
            InvalidRequest: ``paramsError`` for an empty list or a malformed id.
        """
        require_scope(principal, READ)
        if not conference_ids:
            raise InvalidRequest("paramsError", "error:conferenceIdList is empty")
        if not all(CONFERENCE_ID.fullmatch(i) for i in conference_ids):
            raise InvalidRequest("paramsError", "error:invalid conferenceId")
        found = []
        for conference_id in dict.fromkeys(conference_ids):
            c = await self._store.get_conference(principal.corp_id, conference_id)
            if c is not None and c.status == ConferenceStatus.STARTED:
                members = await self._store.list_participants(principal.corp_id, conference_id)
                found.append((c, members))
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
            raise InvalidRequest("missingRoomCode", "missingRoomCode")
        if not code.isdigit():
            raise InvalidRequest("invalidRoomCode", "invalidRoomCode")
        where = ConferenceFilter(room_code=code)
        found = await self._store.list_conferences(principal.corp_id, where)
        if not found:
            if await self._store.list_conferences(None, where):
                raise AccessDenied("noPermission", "noPermission")
            # "会议码无效" (api-queryconferenceinfobyroomcode): no meeting has this code.
            raise InvalidRequest("invalidRoomCode", "invalidRoomCode")
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
        found = await self._store.list_conferences(
            principal.corp_id, ConferenceFilter(status=ConferenceStatus.STARTED)
        )
        page = paginate(
            found, next_token, max_results, default_size=_LIST_PAGE, error_code=_PARAM_ERROR
        )
        return page, self._clock.now_ms()

    async def user_ongoing(
        self, principal: Principal, union_id: str
    ) -> list[tuple[Conference, Participant]]:
        """QueryUserOnGoingConference: the running meetings this person is inside now."""
        require_scope(principal, READ)
        now = self._clock.now_ms()
        inside = await self._store.list_memberships(
            principal.corp_id, union_id, AttendStatus.ACTIVE
        )
        found = []
        for member in inside:
            c = await self._store.get_conference(principal.corp_id, member.conference_id)
            if c is not None:
                found.append((c, with_live_duration(member, now)))
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
            raise InvalidRequest(_PARAM_ERROR, "error:startTime is after endTime")
        found = await self._store.list_conferences(
            principal.corp_id,
            ConferenceFilter(
                status=ConferenceStatus.ENDED,
                started_from_ms=where.start_ms,
                started_to_ms=where.end_ms,
            ),
        )
        return paginate(
            [c for c in found if where.matches(c)],
            next_token,
            max_results,
            default_size=_LIST_PAGE,
            error_code=_PARAM_ERROR,
        )
