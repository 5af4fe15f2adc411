"""The remaining conference operations: streams out, focus, MCU, ext info, subtitles, links.

Also the two links dingconf serves itself (``/autoLogin/{token}``,
``/s/{code}``, open to anyone holding them) and the control API's view of
what these operations keep.
"""

from typing import Any

import msgspec

from dingconf.bookings.schemas import SuccessReply
from dingconf.core import errors
from dingconf.http.asgi import Reply, redirect
from dingconf.http.operations import Call, Operation, op
from dingconf.links.service import CLOUD_RECORD, LinkService, WhitelistChange
from dingconf.members.schemas import CodeReply, SettingReply
from dingconf.streams.schemas import (
    AutoLoginBody,
    AutoLoginReply,
    FocusBody,
    InviteMcuBody,
    LoginInfo,
    ShortLinkBody,
    ShortLinkReply,
    ShortLinkResult,
    StartStreamBody,
    StopStreamBody,
    StreamMaps,
    StreamsView,
    StreamView,
    SubtitleBody,
    WhitelistBody,
)
from dingconf.streams.service import StreamRequest, StreamService, StreamStart, stream_status
from dingconf.streams.service import StreamsView as Extras

__all__ = ["streams_routes"]

_SUCCESS = SuccessReply(success=True)
_CODE_200 = CodeReply(code="200")
_SETTING_DONE = SettingReply(code="200", case="success")


def _maps(start: StreamStart) -> StreamMaps:
    return StreamMaps(success_stream_map=start.started, fail_stream_map=start.failed)


def _view(v: Extras) -> StreamsView:
    x = v.settings
    return StreamsView(
        conference_id=v.conference.conference_id,
        subtitle_events=x.subtitle_events,
        focus_union_id=x.focus_union_id,
        ext_info=None if x.ext_info is None else msgspec.json.decode(x.ext_info),
        streams=[
            StreamView(
                stream_id=s.stream_id,
                url=s.url,
                stream_name=s.name,
                mode=s.mode,
                small_window_position=s.window_position,
                need_host_join=s.need_host_join,
                status=stream_status(s, v.conference, v.host_inside),
                started_by=s.started_by,
                start_time=s.started_at_ms,
                stop_time=s.stopped_at_ms,
            )
            for s in v.streams
        ],
    )


async def _ext_info(c: Call[None]) -> str | None:
    """The optional JSON object body of UpdateVideoConferenceExtInfo (the SDK sends none)."""
    document = await c.json_body(dict[str, Any], errors.params_error.code)
    return None if document is None else msgspec.json.encode(document).decode()


def _whitelist_change(c: Call[None]) -> WhitelistChange:
    """OptRecordWhiteAccount's ``requestBody`` query parameter (JSON, as the SDK sends it)."""
    body = c.json_query("requestBody", WhitelistBody, errors.param_error.code)
    return WhitelistChange(
        union_id=body.union_id,
        biz_type=body.biz_type,
        operation=body.operation,
        ranges=[(r.setting_range_id, r.setting_range_type) for r in body.setting_range_list],
    )


def streams_routes(streams: StreamService, links: LinkService) -> list[Operation]:
    """The remaining operations, the served links and their control views."""

    def stream_request(b: StartStreamBody) -> StreamRequest:
        return StreamRequest(
            union_id=b.union_id,
            urls=b.stream_url_list,
            name=b.stream_name,
            mode=b.mode,
            window_position=b.small_window_position,
            need_host_join=b.need_host_join,
        )

    async def stop(c: Call[StopStreamBody]) -> None:
        b = c.body
        await streams.stop_streams(
            c.principal, c.conference_id, b.union_id, b.stream_id, b.stop_all_stream
        )

    async def ext_info(c: Call[None]) -> None:
        await streams.set_ext_info(c.principal, c.conference_id, await _ext_info(c))

    async def auto_login(c: Call[AutoLoginBody]) -> str:
        return await links.create_login_url(c.principal, c.body.meeting_url, c.body.union_id)

    async def short_link(c: Call[ShortLinkBody]) -> str:
        b = c.body
        return await links.create_short_link(
            c.principal,
            b.creator_union_id,
            b.schedule_conference_id,
            b.cool_app_code,
            b.extension_app_biz_data,
            b.use_extension_app,
        )

    async def whitelist(c: Call[None]) -> list[str]:
        return await links.whitelist(c.path("corpId"), c.optional("bizType") or CLOUD_RECORD)

    def to(location: str) -> Reply:
        return redirect(location)

    video = "/v1.0/conference/videoConferences"
    one = f"{video}/{{conferenceId}}"
    return [
        # Literal paths first: none may be taken for a conference id.
        op(
            f"POST {video}/mcus/invite",
            "InviteMcu",
            lambda c: streams.invite_mcu(
                c.principal, c.body.room_code, c.body.mcu_room_code, c.body.union_id
            ),
            _SUCCESS,
            body=InviteMcuBody,
        ),
        op(
            f"POST {video}/createAutoLoginUrl",
            "CreateAutoLoginUrl",
            auto_login,
            lambda url: AutoLoginReply(login_info=LoginInfo(login_url=url), success=True),
            body=AutoLoginBody,
            returns=AutoLoginReply,
        ),
        op(
            f"POST {video}/enterpriseSetting/record/whiteAccount",
            "OptRecordWhiteAccount",
            lambda c: links.change_whitelist(c.principal, _whitelist_change(c)),
            _CODE_200,
        ),
        op(
            "POST /v1.0/conference/customShortLinks",
            "CreateCustomShortLink",
            short_link,
            lambda url: ShortLinkReply(result=ShortLinkResult(custom_short_link=url)),
            body=ShortLinkBody,
            returns=ShortLinkReply,
            param_error=errors.param_error.code,
        ),
        op(
            f"POST {one}/streamOuts/start",
            "StartStreamOut",
            lambda c: streams.start_streams(c.principal, c.conference_id, stream_request(c.body)),
            _maps,
            body=StartStreamBody,
        ),
        op(f"POST {one}/streamOuts/stop", "StopStreamOut", stop, _CODE_200, body=StopStreamBody),
        op(
            f"POST {one}/focus",
            "Focus",
            lambda c: streams.focus(c.principal, c.conference_id, c.body.action, c.body.union_id),
            _SUCCESS,
            body=FocusBody,
        ),
        op(f"PUT {one}/extInfo", "UpdateVideoConferenceExtInfo", ext_info, _SETTING_DONE),
        op(
            f"POST {one}/subtitleEvents",
            "SetSubtitleEvent",
            lambda c: streams.set_subtitle_events(c.principal, c.conference_id, c.body.enable),
            _SUCCESS,
            body=SubtitleBody,
        ),
        # The links dingconf serves: whoever holds one may open it.
        op(
            "GET /autoLogin/{token}",
            "OpenAutoLoginUrl",
            lambda c: links.open_login(c.path("token")),
            to,
            guard="open",
        ),
        op(
            "GET /s/{code}",
            "OpenShortLink",
            lambda c: links.open_short(c.path("code")),
            to,
            guard="open",
        ),
        # Control API views.
        op(
            "GET /_dingconf/conferences/{conferenceId}/extras",
            "ConferenceExtras",
            lambda c: streams.view(c.conference_id),
            _view,
            guard="admin",
        ),
        op(
            "GET /_dingconf/orgs/{corpId}/recordWhitelist",
            "RecordWhitelist",
            whitelist,
            lambda ids: {"unionIds": ids},
            guard="admin",
        ),
    ]
