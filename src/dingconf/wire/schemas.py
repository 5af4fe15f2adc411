"""Request and response bodies, field for field as DingTalk's SDK models them.

The SDK never enforces "required" (spec §0), so a request field without a
default here is checked by the server, which answers ``Missing<field>``.
Response fields left at their default are omitted, never sent as ``null``
(spec §1.2).
"""

from typing import Annotated

import msgspec

from dingconf.service.shared_clock import MAX_CLOCK_MOVE_MS
from dingconf.wire.analytics_schemas import DeviceBody

__all__ = [
    "AccessTokenBody",
    "AccessTokenReply",
    "ClockBody",
    "CloseReply",
    "ConfInfo",
    "ConfInfoReply",
    "CorpAccessTokenBody",
    "CreateVideoConferenceBody",
    "CreateVideoConferenceReply",
    "ExtensionAppSetting",
    "JoinBody",
    "LeaveBody",
    "ParticipantView",
]


class _Body(msgspec.Struct, rename="camel", omit_defaults=True):
    pass


class AccessTokenBody(_Body):
    """GetAccessToken request (spec §3.1)."""

    app_key: str
    app_secret: str


class CorpAccessTokenBody(_Body):
    """GetCorpAccessToken request (spec §3.2)."""

    suite_key: str
    suite_secret: str
    auth_corp_id: str
    suite_ticket: str


class AccessTokenReply(_Body):
    """Both token endpoints answer this."""

    access_token: str
    expire_in: int


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


class JoinBody(_Body):
    """Control API: a participant joins, from a client (``device``, defaults when absent)."""

    union_id: str
    nick: str | None = None
    device: DeviceBody | None = None
    #: Joins as an outsider even when the unionId is close to a user's (not a typo).
    outsider: bool = False


class LeaveBody(_Body):
    """Control API: a participant leaves."""

    union_id: str


class ClockBody(_Body):
    """Control API: advance, set, freeze the clock (never back: stored times must stay ordered)."""

    advance_ms: Annotated[int, msgspec.Meta(ge=0, le=MAX_CLOCK_MOVE_MS)] | None = None
    set_ms: Annotated[int, msgspec.Meta(ge=0)] | None = None
    freeze: bool | None = None


class ParticipantView(_Body):
    """Control API: one participant's state."""

    union_id: str
    nick: str
    attend_status: int
    duration: int
    join_time: int | None = None
    leave_time: int | None = None
