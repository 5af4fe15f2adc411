"""Bodies of the remaining conference operations, field for field as the SDK models them."""

import msgspec

from dingconf.http.body import Body as _Body

__all__ = [
    "AutoLoginBody",
    "AutoLoginReply",
    "FocusBody",
    "InviteMcuBody",
    "LoginInfo",
    "ShortLinkBody",
    "ShortLinkReply",
    "ShortLinkResult",
    "StartStreamBody",
    "StopStreamBody",
    "StreamMaps",
    "StreamView",
    "StreamsView",
    "SubtitleBody",
    "WhitelistBody",
    "WhitelistRange",
]


class StartStreamBody(_Body):
    """StartStreamOut (every field required, as the SDK and the doc say)."""

    union_id: str
    need_host_join: bool
    stream_url_list: list[str]
    stream_name: str
    mode: str
    small_window_position: str


class StreamMaps(_Body):
    """StartStreamOut's reply: both maps always present (``{}`` when empty)."""

    success_stream_map: dict[str, str]
    fail_stream_map: dict[str, str]


class StopStreamBody(_Body):
    """StopStreamOut; ``streamId`` is ignored when ``stopAllStream`` is true."""

    union_id: str
    stream_id: str = ""
    stop_all_stream: bool = False


class FocusBody(_Body):
    """Focus; ``unionId`` is needed only to focus."""

    action: str
    union_id: str = ""


class InviteMcuBody(_Body):
    """InviteMcu."""

    mcu_room_code: str
    room_code: str
    union_id: str


class SubtitleBody(_Body):
    """SetSubtitleEvent."""

    enable: bool


class AutoLoginBody(_Body):
    """CreateAutoLoginUrl."""

    meeting_url: str
    union_id: str


class LoginInfo(_Body):
    """CreateAutoLoginUrl's ``loginInfo``."""

    login_url: str


class AutoLoginReply(_Body):
    """CreateAutoLoginUrl's reply."""

    login_info: LoginInfo
    success: bool


class ShortLinkBody(_Body):
    """CreateCustomShortLink."""

    creator_union_id: str
    schedule_conference_id: str
    cool_app_code: str
    extension_app_biz_data: str | None = None
    use_extension_app: bool = False


class ShortLinkResult(_Body):
    """CreateCustomShortLink's ``result``."""

    custom_short_link: str


class ShortLinkReply(_Body):
    """CreateCustomShortLink's reply."""

    result: ShortLinkResult


class WhitelistRange(_Body):
    """A ``settingRangeList`` item."""

    setting_range_id: str
    setting_range_type: int


class WhitelistBody(_Body):
    """OptRecordWhiteAccount's ``requestBody`` (the SDK sends it as JSON in the query)."""

    union_id: str
    biz_type: str
    operation: int
    setting_range_list: list[WhitelistRange] = msgspec.field(default_factory=list)


class StreamView(_Body):
    """Control API: one stream out of a meeting."""

    stream_id: str
    url: str
    stream_name: str
    mode: str
    small_window_position: str
    need_host_join: bool
    status: str
    started_by: str
    start_time: int
    stop_time: int | None = None


class StreamsView(_Body):
    """Control API: what a meeting keeps beyond DingTalk's queries."""

    conference_id: str
    subtitle_events: bool
    streams: list[StreamView]
    focus_union_id: str | None = None
    ext_info: dict[str, object] | None = None
