"""SQL for joins and leaves: one statement per row they change, each returning the row.

A join is the hottest write. Each statement here changes one row and hands
back what the caller would otherwise read again (``RETURNING``, SQLite 3.35+
and PostgreSQL), and the meeting's counters move without naming a column
that an index of ``conferences`` covers, unless the meeting starts: naming
``status`` or ``start_time`` would rewrite those indexes' pages at every join.
"""

from dingconf.model import AttendStatus, Conference, ConferenceStatus, Participant
from dingconf.storage.driver import Connection
from dingconf.storage.sql_rows import (
    CONFERENCE_COLUMNS,
    PARTICIPANT_COLUMNS,
    conference_of,
    participant_of,
)

__all__ = ["insert_join", "select_any_conference", "update_leave"]

_ANY_CONFERENCE = f"SELECT {CONFERENCE_COLUMNS} FROM conferences WHERE conference_id = ?"

_JOIN_MEMBER = (
    "INSERT INTO participants (conference_id, union_id, nick, attend_status, "
    "first_join, last_join, sessions, muted, outer_org, listed_at) "
    "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?) "
    "ON CONFLICT (conference_id, union_id) DO UPDATE SET nick = excluded.nick, "
    "attend_status = excluded.attend_status, last_join = excluded.last_join, "
    "first_join = COALESCE(participants.first_join, excluded.first_join), "
    "leave_time = NULL, sessions = participants.sessions + 1, "
    "muted = excluded.muted, outer_org = excluded.outer_org "
    f"RETURNING {PARTICIPANT_COLUMNS}, sessions"
)
_OPEN_SESSION = (
    "INSERT INTO participant_sessions (conference_id, union_id, seq, join_time) VALUES (?, ?, ?, ?)"
)
# The meeting's counters as a join moves them: the common case, a meeting
# already running (the WHERE makes it match nothing otherwise)...
_JOIN_COUNTS = (
    "UPDATE conferences SET active_num = active_num + 1, attend_num = attend_num + ? "
    f"WHERE conference_id = ? AND status <> ? RETURNING {CONFERENCE_COLUMNS}"
)
# ... and a booked instance starting (0 -> 2) at its first join, its startTime.
_JOIN_STARTS = (
    "UPDATE conferences SET active_num = active_num + 1, attend_num = attend_num + ?, "
    f"status = ?, start_time = ? WHERE conference_id = ? RETURNING {CONFERENCE_COLUMNS}"
)
_CLOSE_SESSION = (
    "UPDATE participant_sessions SET leave_time = ? "
    "WHERE conference_id = ? AND union_id = ? AND leave_time IS NULL"
)
_LEAVE_MEMBER = (
    "UPDATE participants SET attend_status = ?, leave_time = ?, "
    "duration = duration + (? - last_join) "
    "WHERE conference_id = ? AND union_id = ? AND attend_status = ? "
    f"RETURNING {PARTICIPANT_COLUMNS}"
)
_LEAVE_COUNTS = (
    "UPDATE conferences SET active_num = active_num - ? WHERE conference_id = ? "
    f"RETURNING {CONFERENCE_COLUMNS}"
)


async def select_any_conference(
    conn: Connection, conference_id: str, row_lock: str
) -> Conference | None:
    """A meeting by id alone (the control API's view), locked with ``row_lock``."""
    row = await conn.fetchone(_ANY_CONFERENCE + row_lock, (conference_id,))
    return conference_of(row) if row else None


async def insert_join(
    conn: Connection,
    conference_id: str,
    union_id: str,
    nick: str,
    at_ms: int,
    *,
    first_time: bool,
    muted: bool,
    outer_org: bool,
) -> tuple[Participant, Conference]:
    """Mark a person inside, open their stay, move the counters; both rows as left.

    The caller holds the meeting's lock, and the meeting exists.
    """
    member = (
        await conn.fetchall(
            _JOIN_MEMBER,
            (
                conference_id,
                union_id,
                nick,
                int(AttendStatus.ACTIVE),
                at_ms,
                at_ms,
                int(muted),
                int(outer_org),
                at_ms,
            ),
        )
    )[0]
    # The stay's number is the member's session count the upsert returned.
    await conn.execute(_OPEN_SESSION, (conference_id, union_id, member[-1], at_ms))
    attended = 1 if first_time else 0
    rows = await conn.fetchall(
        _JOIN_COUNTS, (attended, conference_id, int(ConferenceStatus.INITIALISED))
    )
    if not rows:
        rows = await conn.fetchall(
            _JOIN_STARTS, (attended, int(ConferenceStatus.STARTED), at_ms, conference_id)
        )
    return participant_of(member), conference_of(rows[0])


async def update_leave(
    conn: Connection, conference_id: str, union_id: str, at_ms: int
) -> tuple[Participant, Conference] | None:
    """A person inside leaves: stay closed, counters moved; both rows as left.

    None when the person was not inside (nothing changes then).
    """
    await conn.execute(_CLOSE_SESSION, (at_ms, conference_id, union_id))
    member = await conn.fetchall(
        _LEAVE_MEMBER,
        (
            int(AttendStatus.LEFT),
            at_ms,
            at_ms,
            conference_id,
            union_id,
            int(AttendStatus.ACTIVE),
        ),
    )
    rows = await conn.fetchall(_LEAVE_COUNTS, (len(member), conference_id))
    if not member or not rows:
        return None
    return participant_of(member[0]), conference_of(rows[0])
