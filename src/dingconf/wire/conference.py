"""``conference_1.0`` meeting endpoints (spec §4.1–§4.3)."""

from starlette.requests import Request

from dingconf.model import Conference, ConferenceStatus
from dingconf.service.auth import TokenService
from dingconf.service.conferences import ConferenceService
from dingconf.wire.http import Reply, decode_body, header, ok, query_param
from dingconf.wire.routing import ApiRoute
from dingconf.wire.schemas import (
    CloseReply,
    ConfInfo,
    ConfInfoReply,
    CreateVideoConferenceBody,
    CreateVideoConferenceReply,
    ExtensionAppSetting,
)

__all__ = ["conf_info", "conference_routes"]

TOKEN_HEADER = b"x-acs-dingtalk-access-token"
_CLOSED = CloseReply(code=200, cause="success")


def conf_info(c: Conference) -> ConfInfo:
    """Derive ``confInfo`` from a stored meeting (spec §4.1 emission rules).

    ``endTime`` and ``confDuration`` appear only once the meeting has ended;
    ``scheduleConferenceId`` only for booked meetings; ``minutesStatus`` and
    ``minutesOwnerUnionId`` never (DingTalk no longer returns them).
    """
    ended = c.status == ConferenceStatus.ENDED and c.end_time_ms is not None
    return ConfInfo(
        conference_id=c.conference_id,
        title=c.title,
        status=int(c.status),
        biz_type=c.biz_type,
        room_code=c.room_code,
        external_link_url=c.external_link_url,
        creator_id=c.creator_id,
        creator_nick=c.creator_nick,
        start_time=c.start_time_ms,
        active_num=c.active_num,
        attend_num=c.attend_num,
        invited_num=c.invited_num,
        cloud_record_status=c.cloud_record_status,
        extension_app_settings=[
            ExtensionAppSetting(a.app_id, a.app_code, a.auto_open_mode, a.biz_data)
            for a in c.extension_apps
        ],
        end_time=c.end_time_ms if ended else None,
        conf_duration=c.end_time_ms - c.start_time_ms if ended and c.end_time_ms else None,
        schedule_conference_id=c.schedule_conference_id,
        cloud_record_owner_union_id=c.cloud_record_owner,
    )


def conference_routes(tokens: TokenService, conferences: ConferenceService) -> list[ApiRoute]:
    """The meeting routes, bound to the services."""

    async def query_conference_info(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        # The trailing-slash route has no id: the service answers missingRoomId.
        conference_id = request.path_params.get("conferenceId", "")
        conference = await conferences.get(principal, conference_id)
        return ok(ConfInfoReply(conf_info(conference)))

    async def create_video_conference(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, CreateVideoConferenceBody, "paramsError")
        created = await conferences.create(
            principal, body.user_id, body.conf_title, body.invite_user_ids
        )
        c = created.conference
        return ok(
            CreateVideoConferenceReply(
                conference_id=c.conference_id,
                conference_password=created.conference_password,
                host_password=created.host_password,
                external_link_url=c.external_link_url,
                room_code=c.room_code,
                phone_numbers=[],
            )
        )

    async def close_video_conference(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        union_id = query_param(request, "unionId")
        await conferences.close(principal, request.path_params["conferenceId"], union_id)
        return ok(_CLOSED)

    one = "/v1.0/conference/videoConferences/{conferenceId}"
    return [
        # The hottest call first: Starlette tries paths in order.
        ApiRoute("GET", one, "QueryConferenceInfo", query_conference_info),
        ApiRoute("DELETE", one, "CloseVideoConference", close_video_conference),
        ApiRoute(
            "GET",
            "/v1.0/conference/videoConferences/",
            "QueryConferenceInfo",
            query_conference_info,
        ),
        ApiRoute(
            "POST",
            "/v1.0/conference/videoConferences",
            "CreateVideoConference",
            create_video_conference,
        ),
    ]
