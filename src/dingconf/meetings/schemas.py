"""Request and response bodies, field for field as DingTalk's SDK models them.

The SDK never enforces "required" (spec §0), so a request field without a
default here is checked by the server, which answers ``Missing<field>``.
Response fields left at their default are omitted, never sent as ``null``
(spec §1.2).
"""

import msgspec

from dingconf.http.body import Body as _Body

__all__ = [
    "CloseReply",
    "ConfInfo",
    "ConfInfoReply",
    "CreateVideoConferenceBody",
    "CreateVideoConferenceReply",
    "ExtensionAppSetting",
]


class CreateVideoConferenceBody(_Body):
    """CreateVideoConference request (spec §4.2); ``userId`` is the creator's unionId."""

    user_id: str
    conf_title: str
    invite_user_ids: list[str] = msgspec.field(default_factory=list)
    #: Whether to ring the creator (default true): rung, they are a member at attendStatus 2.
    invite_caller: bool = True


class CreateVideoConferenceReply(_Body):
    """CreateVideoConference response."""

    conference_id: str
    conference_password: str
    host_password: str
    external_link_url: str
    room_code: str
    phone_numbers: list[str]


class CloseReply(_Body):
    """CloseVideoConference response: ``code`` is a number here (spec §4.3)."""

    code: int
    cause: str


class ExtensionAppSetting(_Body):
    """One ``extensionAppSettings`` item."""

    app_id: str
    app_code: str
    auto_open_mode: int
    extension_app_biz_data: str


class ConfInfo(_Body):
    """``confInfo`` of QueryConferenceInfo (spec §4.1)."""

    conference_id: str
    title: str
    status: int
    biz_type: str
    room_code: str
    external_link_url: str
    creator_id: str
    creator_nick: str
    start_time: int
    active_num: int
    attend_num: int
    invited_num: int
    cloud_record_status: int
    extension_app_settings: list[ExtensionAppSetting]
    end_time: int | None = None
    conf_duration: int | None = None
    schedule_conference_id: str | None = None
    cloud_record_owner_union_id: str | None = None


class ConfInfoReply(_Body):
    """QueryConferenceInfo response."""

    conf_info: ConfInfo
