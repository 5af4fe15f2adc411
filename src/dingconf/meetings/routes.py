"""``conference_1.0`` meeting endpoints (spec §4.1–§4.3)."""

from collections.abc import Awaitable

from dingconf.core import errors
from dingconf.core.ids import agent_id
from dingconf.core.records import Conference
from dingconf.http.asgi import Reply, ok
from dingconf.http.operations import Call, Operation, op
from dingconf.meetings.schemas import (
    CloseReply,
    ConfInfo,
    ConfInfoReply,
    CreateVideoConferenceBody,
    CreateVideoConferenceReply,
    ExtensionAppSetting,
)
from dingconf.meetings.service import ConferenceService, CreatedConference

__all__ = ["conf_info", "conference_routes"]

_CLOSED = CloseReply(code=200, cause="success")
#: QueryConferenceInfo's parameter error (querying-video-conference-information).
_PARAM_ERROR = errors.param_error.code


def conf_info(c: Conference) -> ConfInfo:
    """Derive ``confInfo`` from a stored meeting (spec §4.1 emission rules).

    ``endTime`` and ``confDuration`` appear only once the meeting has ended;
    ``scheduleConferenceId`` only for booked meetings. ``minutesStatus`` and
    ``minutesOwnerUnionId`` are never sent: DingTalk's page says they are no
    longer returned (the console and the minutes' own reads still show the minutes).
    """
    ended = c.ended_at_ms is not None
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
            ExtensionAppSetting(agent_id(a.client_id), a.app_code, a.auto_open_mode, a.biz_data)
            for a in c.extension_apps
        ],
        end_time=c.end_time_ms if ended else None,
        conf_duration=c.end_time_ms - c.start_time_ms if ended and c.end_time_ms else None,
        schedule_conference_id=c.schedule_conference_id,
        cloud_record_owner_union_id=c.cloud_record_owner,
    )


def _created(created: CreatedConference) -> CreateVideoConferenceReply:
    c = created.conference
    return CreateVideoConferenceReply(
        conference_id=c.conference_id,
        conference_password=created.conference_password,
        host_password=created.host_password,
        external_link_url=c.external_link_url,
        room_code=c.room_code,
        phone_numbers=[],
    )


def conference_routes(conferences: ConferenceService) -> list[Operation]:
    """The meeting operations."""
    one = "/v1.0/conference/videoConferences/{conferenceId}"

    def query(c: Call[None]) -> Awaitable[Conference]:
        # The trailing-slash route has no id: the service answers missingRoomId.
        return conferences.get(c.principal, c.conference_id)

    def encode(conference: Conference) -> Reply:
        return ok(ConfInfoReply(conf_info(conference)))

    def render(conference: Conference) -> Reply:
        # A polled meeting comes back from the store's cache as the same record
        # until it changes, so its encoded reply is kept with it (~1.5 us a call).
        return conferences.derived(conference, encode)

    return [
        # The hottest call first: Starlette tries paths in order.
        op(
            f"GET {one}",
            "QueryConferenceInfo",
            query,
            render,
            returns=ConfInfoReply,
            param_error=_PARAM_ERROR,
        ),
        op(
            f"DELETE {one}",
            "CloseVideoConference",
            lambda c: conferences.close(c.principal, c.conference_id, c.query("unionId")),
            _CLOSED,
        ),
        op(
            "GET /v1.0/conference/videoConferences/",
            "QueryConferenceInfo",
            query,
            render,
            returns=ConfInfoReply,
            param_error=_PARAM_ERROR,
        ),
        op(
            "POST /v1.0/conference/videoConferences",
            "CreateVideoConference",
            lambda c: conferences.create(
                c.principal,
                c.body.user_id,
                c.body.conf_title,
                c.body.invite_user_ids,
                c.body.invite_caller,
            ),
            _created,
            body=CreateVideoConferenceBody,
        ),
    ]
