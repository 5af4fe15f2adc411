"""Bodies of the join page's JSON endpoints and of the data the page is served with."""

from dingconf.http.body import Body as _Body

__all__ = [
    "JoinPageBody",
    "JoinPageData",
    "JoinPageJoined",
    "JoinPageMeeting",
    "JoinPagePerson",
    "JoinPageState",
    "PresenceBody",
]


class JoinPageBody(_Body):
    """Join: the link, and a user's unionId with their own member pass, or a guest's
    name (with the guest id kept)."""

    room_code: str
    token: str
    union_id: str | None = None
    nick: str | None = None
    member_pass: str | None = None


class PresenceBody(_Body):
    """Heartbeat and leave: the link and the presence id handed out at the join."""

    room_code: str
    token: str
    presence_id: str


class JoinPageMeeting(_Body):
    """What the page shows of the meeting."""

    title: str
    #: ``confInfo.status``: 0 not started, 1 ended, 2 in progress.
    status: int
    locked: bool
    active_num: int
    #: The meeting is being recorded (a cloud recording running or paused).
    recording: bool


class JoinPagePerson(_Body):
    """The user of the meeting's organisation whose own pass the page was opened with."""

    union_id: str
    nick: str


class JoinPageData(_Body):
    """Embedded in the page: the meeting, the page's timings, and the person its member
    pass names (none: a guest's join alone). Nothing about anyone else."""

    meeting: JoinPageMeeting
    heartbeat_ms: int
    timeout_ms: int
    member: JoinPagePerson | None = None


class JoinPageJoined(_Body):
    """A join's answer: who the page is inside as, and its presence id (a secret)."""

    presence_id: str
    union_id: str
    nick: str
    guest: bool
    heartbeat_ms: int
    meeting: JoinPageMeeting


class JoinPageState(_Body):
    """A heartbeat's or a leave's answer: ``inside``, ``kicked``, ``left`` or ``ended``."""

    state: str
    meeting: JoinPageMeeting
