"""Records of the remaining in-meeting features: live streams out, focus, links, whitelists."""

from typing import NamedTuple

__all__ = ["LoginLink", "MeetingSettings", "ShortLink", "StreamOut"]


class StreamOut(NamedTuple):
    """One live stream pushed out of a meeting to an RTMP address (StartStreamOut).

    It runs from ``started_at_ms`` until stopped (``stopped_at_ms``) or until
    the meeting ends.
    """

    stream_id: str  # the ``liveId`` of ``successStreamMap``
    conference_id: str
    url: str
    name: str
    mode: str  # grid, speech or full_screen
    window_position: str  # smallWindowPosition
    need_host_join: bool
    started_by: str
    started_at_ms: int
    stopped_at_ms: int | None


class MeetingSettings(NamedTuple):
    """Per-meeting state no query of DingTalk's returns: focus, ext info, subtitle events."""

    conference_id: str
    #: Whom everyone watches (Focus), or None.
    focus_union_id: str | None = None
    #: The last ext info object stored by UpdateVideoConferenceExtInfo, as JSON text.
    ext_info: str | None = None
    #: Whether subtitle events are subscribed (SetSubtitleEvent).
    subtitle_events: bool = False


class LoginLink(NamedTuple):
    """An auto-login URL (CreateAutoLoginUrl); stored by the hash of its token."""

    token_hash: str
    corp_id: str
    union_id: str
    target: str  # the meeting's join link
    expires_at_ms: int
    used_at_ms: int | None


class ShortLink(NamedTuple):
    """A booking's custom short link (CreateCustomShortLink)."""

    code: str
    corp_id: str
    schedule_conference_id: str
    creator_id: str
    cool_app_code: str
    biz_data: str | None
    use_extension_app: bool
    target: str
    created_at_ms: int
