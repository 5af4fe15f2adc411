"""Queries over many meetings (spec §4.5.6–§4.5.9)."""

import msgspec

from dingconf.analytics.service import AnalyticsService
from dingconf.core import errors
from dingconf.core.paging import Page
from dingconf.core.records import AttendStatus, Conference, Participant
from dingconf.http.operations import Call, Operation, op
from dingconf.http.params import bool_query, required_int_query
from dingconf.listing.service import FREE_TYPE, SCENE, HistoryFilter, ListingService
from dingconf.members.routes import member_model
from dingconf.members.schemas import (
    BatchInfo,
    BatchInfoReply,
    BatchQueryBody,
    BatchUser,
    HistoryItem,
    HistoryReply,
    OngoingReply,
    OrgConference,
    OrgConferencesReply,
    RoomCodeConference,
    RoomCodeReply,
)

__all__ = ["listing_routes"]

_PARAM_ERROR = errors.param_error.code
# mediaStatus (spec §4.5.6): 0 normal, 1 mic muted, 4 forced mute-all; by mute_all 0/1/2.
_MEDIA_STATUS = {0: 0, 1: 1, 2: 4}
# micStatus and cameraStatus: 0 init (not inside), 1 off, 2 on.
_OFF, _ON, _UNKNOWN = 1, 2, 0
_MIC_OFF, _MIC_ON = _OFF, _ON


def _batch_user(p: Participant, cameras: frozenset[str]) -> BatchUser:
    inside = p.attend_status == AttendStatus.ACTIVE
    mic = (_MIC_OFF if p.muted else _MIC_ON) if inside else _UNKNOWN
    camera = (_ON if p.union_id in cameras else _OFF) if inside else _UNKNOWN
    return BatchUser(
        p.union_id, p.nick, int(p.attend_status), camera, mic, p.reject_description or None
    )


def _ended_fields(c: Conference) -> tuple[int | None, int | None]:
    """``endTime`` and ``confDuration``, present only once the meeting ended (spec §4.1)."""
    if not c.ended or c.end_time_ms is None:
        return None, None
    return c.end_time_ms, c.end_time_ms - c.start_time_ms


def _room_code_item(c: Conference) -> RoomCodeConference:
    end_time, duration = _ended_fields(c)
    return RoomCodeConference(
        conference_id=c.conference_id,
        title=c.title,
        room_code=c.room_code,
        external_link_url=c.external_link_url,
        status=int(c.status),
        start_time=c.start_time_ms,
        creator_id=c.creator_id,
        creator_nick=c.creator_nick,
        biz_type=c.biz_type,
        end_time=end_time,
        conf_duration=duration,
        schedule_conference_id=c.schedule_conference_id,
    )


def _history_item(c: Conference, dept_name: str | None) -> HistoryItem:
    end_time, duration = _ended_fields(c)
    return HistoryItem(
        dept_name=dept_name,
        conference_id=c.conference_id,
        title=c.title,
        creator_id=c.creator_id,
        creator_nick=c.creator_nick,
        start_time=c.start_time_ms,
        end_time=end_time or c.start_time_ms,
        time_length=duration or 0,
        user_count=c.attend_num,
        free_type=FREE_TYPE,
        scene=SCENE,
    )


def _batch(found: list[tuple[Conference, list[Participant], frozenset[str]]]) -> BatchInfoReply:
    return BatchInfoReply(
        infos=[
            BatchInfo(
                conference_id=c.conference_id,
                title=c.title,
                start_time=c.start_time_ms,
                status=int(c.status),
                media_status=_MEDIA_STATUS[c.mute_all],
                user_list=[_batch_user(p, cameras) for p in members],
            )
            for c, members, cameras in found
        ]
    )


def _room_codes(page: Page[Conference]) -> RoomCodeReply:
    return RoomCodeReply(
        next_token=page.next_token,
        has_more=page.has_more,
        total_count=page.total,
        conference_list=[_room_code_item(c) for c in page.items],
    )


def _org_conferences(listed: tuple[Page[Conference], int]) -> OrgConferencesReply:
    page, now = listed
    return OrgConferencesReply(
        next_token=page.next_token,
        has_more=page.has_more,
        total_count=page.total,
        on_going_conf_list=[
            OrgConference(
                c.conference_id,
                c.title,
                c.room_code,
                int(c.status),
                c.start_time_ms,
                now,  # in progress: it has lasted until the query's time
                c.creator_id,
                c.creator_nick,
                c.biz_type,
            )
            for c in page.items
        ],
    )


def _ongoing(inside: list[tuple[Conference, Participant, str]]) -> OngoingReply:
    # Here outerOrgMember is always present (the doc's example shows false).
    models = {
        c.conference_id: msgspec.structs.replace(
            member_model(c, p), outer_org_member=p.outer_org, device_type=device_type
        )
        for c, p, device_type in inside
    }
    return OngoingReply(on_going_conf_id_list=list(models), member_model_map=models)


def _history(found: tuple[Page[Conference], dict[str, str | None]]) -> HistoryReply:
    page, departments = found
    return HistoryReply(
        next_token=page.next_token,
        list=[_history_item(c, departments[c.creator_id]) for c in page.items],
    )


def listing_routes(listing: ListingService, analytics: AnalyticsService) -> list[Operation]:
    """The listing operations."""

    async def history(c: Call[None]) -> tuple[Page[Conference], dict[str, str | None]]:
        bool_query(c.request, "realData", _PARAM_ERROR)  # required; every record is "real"
        where = HistoryFilter(
            start_ms=required_int_query(c.request, "startTime", _PARAM_ERROR),
            end_ms=required_int_query(c.request, "endTime", _PARAM_ERROR),
            title=c.optional("title"),
            creator_nick=c.optional("creatorNike"),
            free_type=c.optional("freeType"),
            scene=c.optional("scene"),
        )
        page = await listing.history(c.principal, where, *c.paging(_PARAM_ERROR))
        departments: dict[str, str | None] = {}
        for conference in page.items:
            if conference.creator_id not in departments:
                departments[conference.creator_id] = await analytics.department(
                    c.principal, conference
                )
        return page, departments

    video = "/v1.0/conference/videoConferences"
    return [
        # Literal segments first: they must win over ``videoConferences/{conferenceId}``.
        op(
            f"POST {video}/query",
            "QueryConferenceInfoBatch",
            lambda c: listing.batch(c.principal, c.body.conference_id_list),
            _batch,
            body=BatchQueryBody,
        ),
        op(
            f"GET {video}/histories/dataLists",
            "GetHistoryConfDataList",
            history,
            _history,
            param_error=_PARAM_ERROR,
        ),
        op(
            "GET /v1.0/conference/roomCodes/{roomCode}/infos",
            "QueryConferenceInfoByRoomCode",
            lambda c: listing.by_room_code(
                c.principal, c.path("roomCode"), *c.paging(_PARAM_ERROR)
            ),
            _room_codes,
            param_error=_PARAM_ERROR,
        ),
        op(
            "GET /v1.0/conference/orgConferences",
            "QueryOrgConferenceList",
            lambda c: listing.in_progress(c.principal, *c.paging(_PARAM_ERROR)),
            _org_conferences,
            param_error=_PARAM_ERROR,
        ),
        op(
            "GET /v1.0/conference/users/lists",
            "QueryUserOnGoingConference",
            lambda c: listing.user_ongoing(c.principal, c.optional("unionId")),
            _ongoing,
            param_error=_PARAM_ERROR,
        ),
    ]
