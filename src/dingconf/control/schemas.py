"""Bodies of the control API's participant and clock operations."""

from typing import Annotated

import msgspec

from dingconf.analytics.schemas import DeviceBody
from dingconf.control.shared_clock import MAX_CLOCK_MOVE_MS
from dingconf.http.body import Body as _Body

__all__ = ["ClockBody", "JoinBody", "LeaveBody", "ParticipantView"]


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
