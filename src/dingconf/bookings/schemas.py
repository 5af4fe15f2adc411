"""Booked-meeting bodies (spec §4.4), field for field as the SDK models them.

Every settings field is optional; absent fields leave a setting unchanged.
"""

import msgspec

from dingconf.http.body import Body as _Body

__all__ = [
    "AiSummarySetting",
    "CancelScheduleBody",
    "CreateScheduleBody",
    "CreateScheduleReply",
    "ExtensionAppIn",
    "ExtensionAppOut",
    "OpenRecordSetting",
    "ScheduleInfoReply",
    "ScheduleInstance",
    "ScheduleInstancesReply",
    "ScheduleSettingModel",
    "ScheduleSettingsOut",
    "ScheduleSettingsReply",
    "SuccessReply",
    "UpdateScheduleBody",
    "UpdateScheduleSettingsBody",
    "VirtualExtraOut",
    "VirtualExtraSetting",
]


class ExtensionAppIn(_Body):
    """``moziConfExtensionAppSettings`` item of a request."""

    cool_app_code: str
    auto_open_mode: int = 0
    extension_app_biz_data: str = ""


class VirtualExtraSetting(_Body):
    """``moziConfVirtualExtraSetting`` (the subset dingconf keeps; others are ignored)."""

    waiting_room: int | None = None
    join_before_host: int | None = None
    enable_chat: int | None = None
    lock_nick: int | None = None
    lock_media_status_mic_mute: int | None = None
    enable_web_anonymous_join: bool | None = None
    cloud_record_owner_union_id: str | None = None
    minutes_owner_union_id: str | None = None
    minutes_summary_template_type: str | None = None
    mozi_conf_extension_app_settings: list[ExtensionAppIn] = msgspec.field(default_factory=list)


class OpenRecordSetting(_Body):
    """``moziConfOpenRecordSetting``: recording auto-start and layout."""

    record_auto_start: int | None = None
    record_auto_start_type: int | None = None
    mode: str | None = None
    restrict_share_minutes_summary_only: int | None = None


class AiSummarySetting(_Body):
    """``aiAgentSummarySetting``: the AI minutes' summary."""

    value: str | None = None
    receiver_type: int | None = None
    allow_all_participants_start: int | None = None
    restrict_share_minutes_summary_only: int | None = None


class ScheduleSettingModel(_Body):
    """``scheduleConfSettingModel`` of Create/UpdateScheduleConf(Settings)."""

    host_union_id: str | None = None
    cohost_union_ids: list[str] | None = None
    conf_allowed_corp_id: str | None = None
    lock_room: int | None = None
    screen_share_forbidden: int | None = None
    mute_on_join: int | None = None
    mozi_conf_virtual_extra_setting: VirtualExtraSetting | None = None
    mozi_conf_open_record_setting: OpenRecordSetting | None = None
    ai_agent_summary_setting: AiSummarySetting | None = None


class CreateScheduleBody(_Body):
    """CreateScheduleConference request (spec §4.4.1)."""

    creator_union_id: str
    title: str
    start_time: int
    end_time: int
    schedule_conf_setting_model: ScheduleSettingModel | None = None


class CreateScheduleReply(_Body):
    """CreateScheduleConference response; ``roomCode`` in its spaced display form."""

    request_id: str
    schedule_conference_id: str
    room_code: str
    url: str
    phones: list[str]


class UpdateScheduleBody(_Body):
    """UpdateScheduleConference request (spec §4.4.2)."""

    creator_union_id: str
    schedule_conference_id: str
    title: str
    start_time: int
    end_time: int


class CancelScheduleBody(_Body):
    """CancelScheduleConference request (spec §4.4.3)."""

    creator_union_id: str
    schedule_conference_id: str


class UpdateScheduleSettingsBody(_Body):
    """UpdateScheduleConfSettings request."""

    creator_union_id: str
    schedule_conference_id: str
    #: Optional (SDK and api-updatescheduleconfsettings): without it nothing changes.
    schedule_conf_setting_model: ScheduleSettingModel | None = None


class SuccessReply(_Body):
    """``{"success": true}``."""

    success: bool


class ScheduleInfoReply(_Body):
    """QueryScheduleConference response (spec §4.4.4)."""

    request_id: str
    schedule_conference_id: str
    title: str
    start_time: int
    end_time: int
    room_code: str
    url: str
    phones: list[str]


class ScheduleInstance(_Body):
    """One ``conferenceList`` item of QueryScheduleConferenceInfo (spec §4.4.5)."""

    conference_id: str
    title: str
    room_code: str
    status: int
    start_time: int
    #: Always sent (the doc example shows it on an instance in progress).
    end_time: int


class ScheduleInstancesReply(_Body):
    """QueryScheduleConferenceInfo response; ``nextToken`` is always present."""

    next_token: str
    total_count: int
    conference_list: list[ScheduleInstance]


class ExtensionAppOut(_Body):
    """An extension app as QueryScheduleConfSettings shows it (``autoOpenMode`` a string)."""

    cool_app_code: str
    auto_open_mode: str
    extension_app_biz_data: str
    client_id: str


class VirtualExtraOut(_Body):
    """``moziConfVirtualExtraSetting`` of QueryScheduleConfSettings."""

    mozi_conf_extension_app_settings: list[ExtensionAppOut]
    waiting_room: int | None = None
    join_before_host: int | None = None
    enable_chat: int | None = None
    lock_nick: int | None = None
    lock_media_status_mic_mute: int | None = None
    enable_web_anonymous_join: bool | None = None


class ScheduleSettingsOut(_Body):
    """``scheduleConfSettingModel`` of QueryScheduleConfSettings."""

    host_union_id: str
    cohost_union_ids: list[str]
    mozi_conf_virtual_extra_setting: VirtualExtraOut
    conf_allowed_corp_id: str | None = None
    lock_room: int | None = None
    screen_share_forbidden: int | None = None
    mute_on_join: int | None = None


class ScheduleSettingsReply(_Body):
    """QueryScheduleConfSettings response."""

    schedule_conf_setting_model: ScheduleSettingsOut
