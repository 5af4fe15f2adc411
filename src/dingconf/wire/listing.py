"""Queries over many meetings (spec §4.5.6–§4.5.9)."""

from starlette.requests import Request

from dingconf.model import AttendStatus, Conference, ConferenceStatus, Participant
from dingconf.service.auth import TokenService
from dingconf.service.listing import FREE_TYPE, SCENE, HistoryFilter, ListingService
from dingconf.wire.conference import TOKEN_HEADER
from dingconf.wire.http import Reply, decode_body, header, ok, query_param
from dingconf.wire.meeting_schemas import (
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
from dingconf.wire.members import member_model
from dingconf.wire.params import bool_query, optional_query, paging, required_int_query
from dingconf.wire.routing import ApiRoute

__all__ = ["listing_routes"]

_PARAM_ERROR = "paramError"
# mediaStatus (spec §4.5.6): 0 normal, 1 mic muted, 4 forced mute-all; by mute_all 0/1/2.
_MEDIA_STATUS = {0: 0, 1: 1, 2: 4}
# micStatus: 0 init (not inside), 1 off, 2 on.
_MIC_OFF, _MIC_ON, _UNKNOWN = 1, 2, 0


def _batch_user(p: Participant) -> BatchUser:
    inside = p.attend_status == AttendStatus.ACTIVE
    mic = (_MIC_OFF if p.muted else _MIC_ON) if inside else _UNKNOWN
    # No camera is modelled: cameraStatus stays 0 ("init").
    return BatchUser(p.union_id, p.nick, int(p.attend_status), _UNKNOWN, mic)


def _ended_fields(c: Conference) -> tuple[int | None, int | None]:
    """``endTime`` and ``confDuration``, present only once the meeting ended (spec §4.1)."""
    if c.status != ConferenceStatus.ENDED or c.end_time_ms is None:
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


def _history_item(c: Conference) -> HistoryItem:
    end_time, duration = _ended_fields(c)
    return HistoryItem(
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


def listing_routes(tokens: TokenService, listing: ListingService) -> list[ApiRoute]:
    """The listing routes, bound to the services."""

    async def batch(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, BatchQueryBody, "paramsError")
        found = await listing.batch(principal, body.conference_id_list)
        return ok(
            BatchInfoReply(
                infos=[
                    BatchInfo(
                        conference_id=c.conference_id,
                        title=c.title,
                        start_time=c.start_time_ms,
                        status=int(c.status),
                        media_status=_MEDIA_STATUS[c.mute_all],
                        user_list=[_batch_user(p) for p in members],
                    )
                    for c, members in found
                ]
            )
        )

    async def by_room_code(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        next_token, max_results = paging(request, _PARAM_ERROR)
        page = await listing.by_room_code(
            principal, request.path_params.get("roomCode", ""), next_token, max_results
        )
        return ok(
            RoomCodeReply(
                next_token=page.next_token,
                has_more=page.has_more,
                total_count=page.total,
                conference_list=[_room_code_item(c) for c in page.items],
            )
        )

    async def org_conferences(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        next_token, max_results = paging(request, _PARAM_ERROR)
        page = await listing.in_progress(principal, next_token, max_results)
        return ok(
            OrgConferencesReply(
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
                        c.creator_id,
                        c.creator_nick,
                        c.biz_type,
                    )
                    for c in page.items
                ],
            )
        )

    async def user_ongoing(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        inside = await listing.user_ongoing(principal, query_param(request, "unionId"))
        models = {c.conference_id: member_model(c, p) for c, p in inside}
        return ok(OngoingReply(on_going_conf_id_list=list(models), member_model_map=models))

    async def history(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        bool_query(request, "realData", _PARAM_ERROR)  # required; every record is "real"
        where = HistoryFilter(
            start_ms=required_int_query(request, "startTime", _PARAM_ERROR),
            end_ms=required_int_query(request, "endTime", _PARAM_ERROR),
            title=optional_query(request, "title"),
            creator_nick=optional_query(request, "creatorNike"),
            free_type=optional_query(request, "freeType"),
            scene=optional_query(request, "scene"),
        )
        next_token, max_results = paging(request, _PARAM_ERROR)
        page = await listing.history(principal, where, next_token, max_results)
        return ok(
            HistoryReply(next_token=page.next_token, list=[_history_item(c) for c in page.items])
        )

    video = "/v1.0/conference/videoConferences"
    return [
        # Literal segments first: they must win over ``videoConferences/{conferenceId}``.
        ApiRoute("POST", f"{video}/query", "QueryConferenceInfoBatch", batch),
        ApiRoute("GET", f"{video}/histories/dataLists", "GetHistoryConfDataList", history),
        ApiRoute(
            "GET",
            "/v1.0/conference/roomCodes/{roomCode}/infos",
            "QueryConferenceInfoByRoomCode",
            by_room_code,
        ),
        ApiRoute(
            "GET", "/v1.0/conference/orgConferences", "QueryOrgConferenceList", org_conferences
        ),
        ApiRoute("GET", "/v1.0/conference/users/lists", "QueryUserOnGoingConference", user_ongoing),
    ]
