"""The web console's JSON (control API, ``/_dingconf``): what its pages render.

No field holds a secret or a token: apps appear by appKey and scopes only.
Times are epoch milliseconds on the server clock; absent rather than null.
"""

import msgspec

from dingconf.http.body import Body as _View
from dingconf.meetings.schemas import ConfInfoReply
from dingconf.recording.schemas import UtteranceView

__all__ = [
    "AppView",
    "CreateBody",
    "CreatedReply",
    "EventDeliveryView",
    "EventView",
    "KickBody",
    "MeetingReply",
    "MeetingRow",
    "MemberView",
    "OrgView",
    "OverviewReply",
    "SpanView",
    "StateView",
    "TimelineView",
    "UserView",
]


class AppView(_View):
    """An internal app: its key, the scopes it holds (never its secret), and how many
    event deliveries are kept for it."""

    app_key: str
    scopes: list[str]
    events: int


class UserView(_View):
    """A user of an organisation (someone the console can make join)."""

    union_id: str
    nick: str


class OrgView(_View):
    """An organisation with its apps and users."""

    corp_id: str
    name: str
    apps: list[AppView]
    users: list[UserView]


class MeetingRow(_View):
    """One meeting in the overview's list, with its live counters and who speaks now."""

    conference_id: str
    corp_id: str
    title: str
    status: int
    room_code: str
    host_id: str
    creator_nick: str
    start_time: int
    active_num: int
    attend_num: int
    invited_num: int
    cloud_record_status: int
    minutes_status: int
    end_time: int | None = None
    speaking: list[UserView] = msgspec.field(default_factory=list)


class OverviewReply(_View):
    """``GET /_dingconf/overview``: the server's time, organisations and meetings."""

    now: int
    orgs: list[OrgView]
    meetings: list[MeetingRow]


class MemberView(_View):
    """A member of a meeting: role, attend status, stays and the latest client."""

    union_id: str
    nick: str
    attend_status: int
    duration: int
    stays: int
    host: bool = False
    cohost: bool = False
    muted: bool = False
    outer_org: bool = False
    first_join_time: int | None = None
    last_join_time: int | None = None
    leave_time: int | None = None
    device_type: str | None = None
    device_version: str | None = None


class SpanView(_View):
    """A stretch of recording or minutes: its take, who started it, when."""

    take: int
    owner: str
    start: int
    end: int | None = None


class StateView(_View):
    """The recording's (``cloudRecordStatus``) or minutes' (``minutesStatus``) state."""

    status: int
    spans: list[SpanView]
    owner: str | None = None


class EventDeliveryView(_View):
    """How one event's delivery to one app stands."""

    app_key: str
    state: str
    attempts: int
    last_error: str | None = None


class EventView(_View):
    """An event of the meeting and its deliveries."""

    event_id: str
    event_type: str
    status_seq_num: int
    time: int
    deliveries: list[EventDeliveryView]


class TimelineView(_View):
    """One line of the meeting's timeline."""

    time: int
    kind: str
    text: str
    union_id: str | None = None


class MeetingReply(_View):
    """``GET /_dingconf/conferences/{conferenceId}``: the console's meeting page.

    ``queryConferenceInfo`` is the body QueryConferenceInfo answers now;
    ``speaking``: who is saying something at ``now`` (people inside only).
    """

    now: int
    corp_id: str
    host_id: str
    cohost_ids: list[str]
    locked: bool
    query_conference_info: ConfInfoReply
    members: list[MemberView]
    recording: StateView
    minutes: StateView
    utterances: list[UtteranceView]
    events: list[EventView]
    users: list[UserView]
    timeline: list[TimelineView]
    speaking: list[UserView]


class KickBody(_View):
    """Control API: the host removes members (KickMembers' rules)."""

    union_ids: list[str]
    forbid_rejoin: bool = False


class CreateBody(_View):
    """Control API: a meeting created as CreateVideoConference does, by ``hostId``
    (a user of ``corpId``), who is rung as ``inviteCaller`` does by default."""

    corp_id: str
    host_id: str
    title: str
    invite_user_ids: list[str] = msgspec.field(default_factory=list)


class CreatedReply(_View):
    """The meeting created: CreateVideoConference's ids and link (no passwords)."""

    conference_id: str
    room_code: str
    external_link_url: str
