"""Booked-meeting endpoints (spec §4.4)."""

from dingconf.bookings.schemas import (
    AiSummarySetting,
    CancelScheduleBody,
    CreateScheduleBody,
    CreateScheduleReply,
    ExtensionAppOut,
    OpenRecordSetting,
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
    VirtualExtraSetting,
)
from dingconf.bookings.service import BookingService
from dingconf.core import errors
from dingconf.core.paging import Page
from dingconf.core.records import Booking, BookingSettings, Conference, ExtensionApp
from dingconf.http.asgi import REQUEST_ID
from dingconf.http.operations import Call, Operation, op

__all__ = ["booking_routes", "spaced_room_code"]

_PARAMS = errors.params_error.code
_SUCCESS = SuccessReply(success=True)


def spaced_room_code(code: str) -> str:
    """The booked APIs' display form of an 11-digit roomCode: ``838 722 12345`` (spec §6)."""
    return f"{code[:3]} {code[3:6]} {code[6:]}"


def booking_settings(model: ScheduleSettingModel | None, client_id: str) -> BookingSettings:
    """The domain's settings from ``scheduleConfSettingModel``.

    Extension apps belong to the calling app (``client_id``); an empty list
    is what the SDK sends for "not set" (spec §1.1), so it changes nothing.
    """
    if model is None:
        return BookingSettings()
    extra = model.mozi_conf_virtual_extra_setting or VirtualExtraSetting()
    record = model.mozi_conf_open_record_setting or OpenRecordSetting()
    ai = model.ai_agent_summary_setting or AiSummarySetting()
    apps = extra.mozi_conf_extension_app_settings
    return BookingSettings(
        host_id=model.host_union_id,
        cohost_ids=None if model.cohost_union_ids is None else tuple(model.cohost_union_ids),
        conf_allowed_corp_id=model.conf_allowed_corp_id,
        lock_room=model.lock_room,
        mute_on_join=model.mute_on_join,
        screen_share_forbidden=model.screen_share_forbidden,
        waiting_room=extra.waiting_room,
        join_before_host=extra.join_before_host,
        enable_chat=extra.enable_chat,
        lock_nick=extra.lock_nick,
        lock_media_status_mic_mute=extra.lock_media_status_mic_mute,
        enable_web_anonymous_join=extra.enable_web_anonymous_join,
        extension_apps=tuple(
            ExtensionApp(a.cool_app_code, client_id, a.auto_open_mode, a.extension_app_biz_data)
            for a in apps
        )
        or None,
        cloud_record_owner=extra.cloud_record_owner_union_id,
        minutes_owner=extra.minutes_owner_union_id,
        minutes_summary_template_type=extra.minutes_summary_template_type,
        record_auto_start=record.record_auto_start,
        record_auto_start_type=record.record_auto_start_type,
        record_mode=record.mode,
        record_restrict_share_summary=record.restrict_share_minutes_summary_only,
        ai_summary=ai.value,
        ai_receiver_type=ai.receiver_type,
        ai_allow_all_start=ai.allow_all_participants_start,
        ai_restrict_share_summary=ai.restrict_share_minutes_summary_only,
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
                ExtensionAppOut(a.app_code, str(a.auto_open_mode), a.biz_data, a.client_id)
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


def _instances(found: tuple[Booking, Page[Conference]]) -> ScheduleInstancesReply:
    """The instance list; ``endTime`` the real end once ended, else the booked end."""
    booking, page = found
    return ScheduleInstancesReply(
        next_token=page.next_token,
        total_count=page.total,
        conference_list=[
            ScheduleInstance(
                c.conference_id,
                c.title,
                c.room_code,
                int(c.status),
                c.start_time_ms,
                c.end_time_ms if c.end_time_ms is not None else booking.end_time_ms,
            )
            for c in page.items
        ],
    )


def booking_routes(bookings: BookingService) -> list[Operation]:
    """The booked-meeting operations."""

    async def create(c: Call[CreateScheduleBody]) -> CreateScheduleReply:
        b = c.body
        booking = await bookings.create(
            c.principal,
            b.creator_union_id,
            b.title,
            b.start_time,
            b.end_time,
            booking_settings(b.schedule_conf_setting_model, c.principal.client_key),
        )
        return CreateScheduleReply(
            request_id=c.request.scope[REQUEST_ID],
            schedule_conference_id=booking.schedule_conference_id,
            room_code=spaced_room_code(booking.room_code),
            url=booking.url,
            phones=[],
        )

    async def query(c: Call[None]) -> ScheduleInfoReply:
        b = await bookings.get(
            c.principal, c.path("scheduleConferenceId"), c.query("requestUnionId")
        )
        return ScheduleInfoReply(
            request_id=c.request.scope[REQUEST_ID],
            schedule_conference_id=b.schedule_conference_id,
            title=b.title,
            start_time=b.start_time_ms,
            end_time=b.end_time_ms,
            room_code=spaced_room_code(b.room_code),
            url=b.url,
            phones=[],
        )

    base = "/v1.0/conference/scheduleConferences"
    return [
        op(f"POST {base}", "CreateScheduleConference", create, body=CreateScheduleBody),
        op(
            f"PUT {base}",
            "UpdateScheduleConference",
            lambda c: bookings.update(
                c.principal,
                c.body.creator_union_id,
                c.body.schedule_conference_id,
                c.body.title,
                c.body.start_time,
                c.body.end_time,
            ),
            _SUCCESS,
            body=UpdateScheduleBody,
        ),
        op(
            f"POST {base}/cancel",
            "CancelScheduleConference",
            lambda c: bookings.cancel(
                c.principal, c.body.creator_union_id, c.body.schedule_conference_id
            ),
            _SUCCESS,
            body=CancelScheduleBody,
        ),
        op(
            f"GET {base}/settings",
            "QueryScheduleConfSettings",
            lambda c: bookings.settings(c.principal, c.query("scheduleConferenceId")),
            lambda booking: ScheduleSettingsReply(_settings_out(booking)),
            returns=ScheduleSettingsReply,
        ),
        op(
            f"PUT {base}/settings",
            "UpdateScheduleConfSettings",
            lambda c: bookings.update_settings(
                c.principal,
                c.body.creator_union_id,
                c.body.schedule_conference_id,
                booking_settings(c.body.schedule_conf_setting_model, c.principal.client_key),
            ),
            _SUCCESS,
            body=UpdateScheduleSettingsBody,
        ),
        op(f"GET {base}/{{scheduleConferenceId}}/infos", "QueryScheduleConference", query),
        op(
            "GET /v1.0/conference/videoConferences/scheduleConferences/{scheduleConferenceId}",
            "QueryScheduleConferenceInfo",
            lambda c: bookings.instances(
                c.principal, c.path("scheduleConferenceId"), *c.paging(_PARAMS)
            ),
            _instances,
        ),
    ]
