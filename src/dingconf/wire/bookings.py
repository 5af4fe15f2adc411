"""Booked-meeting endpoints (spec §4.4)."""

from starlette.requests import Request

from dingconf.model import Booking, BookingSettings, ExtensionApp
from dingconf.service.auth import TokenService
from dingconf.service.bookings import BookingService
from dingconf.wire.booking_schemas import (
    CancelScheduleBody,
    CreateScheduleBody,
    CreateScheduleReply,
    ExtensionAppOut,
    ScheduleInfoReply,
    ScheduleInstance,
    ScheduleInstancesReply,
    ScheduleSettingModel,
    ScheduleSettingsOut,
    ScheduleSettingsReply,
    SuccessReply,
    UpdateScheduleBody,
    UpdateScheduleSettingsBody,
    VirtualExtraOut,
)
from dingconf.wire.conference import TOKEN_HEADER
from dingconf.wire.http import REQUEST_ID, Reply, decode_body, header, ok, query_param
from dingconf.wire.params import paging
from dingconf.wire.routing import ApiRoute

__all__ = ["booking_routes", "spaced_room_code"]

_PARAMS = "paramsError"
_SUCCESS = SuccessReply(success=True)


def spaced_room_code(code: str) -> str:
    """The booked APIs' display form of an 11-digit roomCode: ``838 722 12345`` (spec §6)."""
    return f"{code[:3]} {code[3:6]} {code[6:]}"


def booking_settings(model: ScheduleSettingModel | None, app_id: str) -> BookingSettings:
    """The domain's settings from ``scheduleConfSettingModel``.

    Extension apps belong to the calling app (their ``appId``); an empty list
    is what the SDK sends for "not set" (spec §1.1), so it changes nothing.
    """
    if model is None:
        return BookingSettings()
    extra = model.mozi_conf_virtual_extra_setting
    record = model.mozi_conf_open_record_setting
    apps = extra.mozi_conf_extension_app_settings if extra else []
    return BookingSettings(
        host_id=model.host_union_id,
        cohost_ids=None if model.cohost_union_ids is None else tuple(model.cohost_union_ids),
        conf_allowed_corp_id=model.conf_allowed_corp_id,
        lock_room=model.lock_room,
        mute_on_join=model.mute_on_join,
        screen_share_forbidden=model.screen_share_forbidden,
        waiting_room=extra.waiting_room if extra else None,
        join_before_host=extra.join_before_host if extra else None,
        enable_chat=extra.enable_chat if extra else None,
        lock_nick=extra.lock_nick if extra else None,
        lock_media_status_mic_mute=extra.lock_media_status_mic_mute if extra else None,
        enable_web_anonymous_join=extra.enable_web_anonymous_join if extra else None,
        extension_apps=tuple(
            ExtensionApp(a.cool_app_code, app_id, a.auto_open_mode, a.extension_app_biz_data)
            for a in apps
        )
        or None,
        cloud_record_owner=extra.cloud_record_owner_union_id if extra else None,
        record_auto_start=record.record_auto_start if record else None,
        record_auto_start_type=record.record_auto_start_type if record else None,
    )


def _settings_out(b: Booking) -> ScheduleSettingsOut:
    s = b.settings
    return ScheduleSettingsOut(
        host_union_id=s.host_id or b.creator_id,
        cohost_union_ids=list(s.cohost_ids or ()),
        conf_allowed_corp_id=s.conf_allowed_corp_id,
        lock_room=s.lock_room,
        screen_share_forbidden=s.screen_share_forbidden,
        mute_on_join=s.mute_on_join,
        mozi_conf_virtual_extra_setting=VirtualExtraOut(
            mozi_conf_extension_app_settings=[
                ExtensionAppOut(a.app_code, str(a.auto_open_mode), a.biz_data, a.app_id)
                for a in s.extension_apps or ()
            ],
            waiting_room=s.waiting_room,
            join_before_host=s.join_before_host,
            enable_chat=s.enable_chat,
            lock_nick=s.lock_nick,
            lock_media_status_mic_mute=s.lock_media_status_mic_mute,
            enable_web_anonymous_join=s.enable_web_anonymous_join,
        ),
    )


def booking_routes(tokens: TokenService, bookings: BookingService) -> list[ApiRoute]:
    """The booked-meeting routes, bound to the services."""

    async def create(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, CreateScheduleBody, _PARAMS)
        booking = await bookings.create(
            principal,
            body.creator_union_id,
            body.title,
            body.start_time,
            body.end_time,
            booking_settings(body.schedule_conf_setting_model, principal.client_key),
        )
        return ok(
            CreateScheduleReply(
                request_id=request.scope[REQUEST_ID],
                schedule_conference_id=booking.schedule_conference_id,
                room_code=spaced_room_code(booking.room_code),
                url=booking.url,
                phones=[],
            )
        )

    async def update(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, UpdateScheduleBody, _PARAMS)
        await bookings.update(
            principal,
            body.creator_union_id,
            body.schedule_conference_id,
            body.title,
            body.start_time,
            body.end_time,
        )
        return ok(_SUCCESS)

    async def cancel(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, CancelScheduleBody, _PARAMS)
        await bookings.cancel(principal, body.creator_union_id, body.schedule_conference_id)
        return ok(_SUCCESS)

    async def update_settings(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, UpdateScheduleSettingsBody, _PARAMS)
        patch = booking_settings(body.schedule_conf_setting_model, principal.client_key)
        await bookings.update_settings(
            principal, body.creator_union_id, body.schedule_conference_id, patch
        )
        return ok(_SUCCESS)

    async def query(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        requester = query_param(request, "requestUnionId")
        b = await bookings.get(principal, request.path_params["scheduleConferenceId"], requester)
        return ok(
            ScheduleInfoReply(
                request_id=request.scope[REQUEST_ID],
                schedule_conference_id=b.schedule_conference_id,
                title=b.title,
                start_time=b.start_time_ms,
                end_time=b.end_time_ms,
                room_code=spaced_room_code(b.room_code),
                url=b.url,
                phones=[],
            )
        )

    async def query_instances(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        next_token, max_results = paging(request, _PARAMS)
        page = await bookings.instances(
            principal, request.path_params["scheduleConferenceId"], next_token, max_results
        )
        return ok(
            ScheduleInstancesReply(
                next_token=page.next_token,
                total_count=page.total,
                conference_list=[
                    ScheduleInstance(
                        c.conference_id,
                        c.title,
                        c.room_code,
                        int(c.status),
                        c.start_time_ms,
                        c.end_time_ms,
                    )
                    for c in page.items
                ],
            )
        )

    async def query_settings(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        booking = await bookings.settings(principal, query_param(request, "scheduleConferenceId"))
        return ok(ScheduleSettingsReply(_settings_out(booking)))

    base = "/v1.0/conference/scheduleConferences"
    return [
        ApiRoute("POST", base, "CreateScheduleConference", create),
        ApiRoute("PUT", base, "UpdateScheduleConference", update),
        ApiRoute("POST", f"{base}/cancel", "CancelScheduleConference", cancel),
        ApiRoute("GET", f"{base}/settings", "QueryScheduleConfSettings", query_settings),
        ApiRoute("PUT", f"{base}/settings", "UpdateScheduleConfSettings", update_settings),
        ApiRoute("GET", f"{base}/{{scheduleConferenceId}}/infos", "QueryScheduleConference", query),
        ApiRoute(
            "GET",
            "/v1.0/conference/videoConferences/scheduleConferences/{scheduleConferenceId}",
            "QueryScheduleConferenceInfo",
            query_instances,
        ),
    ]
