"""Meeting minutes (闪记) records: who the minutes were shared with."""

from typing import NamedTuple

__all__ = ["MINUTES_ENDED", "MINUTES_IDLE", "MINUTES_PAUSED", "MINUTES_RUNNING", "MinutesGrant"]

#: ``minutesStatus`` (spec §6): never started, running, paused (stopped), ended with the meeting.
MINUTES_IDLE, MINUTES_RUNNING, MINUTES_PAUSED, MINUTES_ENDED = 0, 1, 2, 3


class MinutesGrant(NamedTuple):
    """AddRecordPermission: a person the minutes' owner shared them with."""

    conference_id: str
    union_id: str
    share_scope: int
    task_uuid: str
    granted_ms: int
