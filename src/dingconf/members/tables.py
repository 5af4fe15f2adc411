"""SQL for joins and leaves: statements that each change one row and return it.

A join is the hottest write. Each statement here changes one row (a rejoin's
insert, none) and hands back what the caller would otherwise read again
(``RETURNING``, SQLite 3.35+ and PostgreSQL), and the meeting's counters move
by what those statements changed, without naming a column
that an index of ``conferences`` covers, unless the meeting starts: naming
``status`` or ``start_time`` would rewrite those indexes' pages at every join.
"""

from dingconf.core.records import AttendStatus, Conference, ConferenceStatus, Participant
from dingconf.db.driver import Connection
from dingconf.db.rows import (
    CONFERENCE_COLUMNS,
    PARTICIPANT_COLUMNS,
    conference_of,
    participant_of,
)
from dingconf.db.table import Table

#: Each stay of a member in a meeting.
PARTICIPANT_SESSIONS = Table(
    "participant_sessions",
    "participantSessions",
    (
        "conference_id",
        "union_id",
        "seq",
        "join_time",
        "leave_time",
        "device_type",
        "client_version",
        "camera_on",
    ),
    ("conference_id", "union_id", "seq"),
    True,
)

__all__ = ["count_members", "insert_join", "select_any_conference", "update_leave"]

_ANY_CONFERENCE = f"SELECT {CONFERENCE_COLUMNS} FROM conferences WHERE conference_id = ?"

# A join inserts the member row, or, when there is one, moves it inside. Each
# statement's own result says what changed (a row new to the meeting, a first
# stay), so the counts follow the rows and never a read made before them.
_NEW_MEMBER = (
    "INSERT INTO participants (conference_id, union_id, nick, attend_status, "
    "first_join, last_join, sessions, muted, outer_org, listed_at) "
    "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (conference_id, union_id) DO NOTHING "
    f"RETURNING {PARTICIPANT_COLUMNS}, sessions"
)
# ... someone inside already matches nothing (and nothing moves).
_REJOIN = (
    "UPDATE participants SET nick = ?, attend_status = ?, last_join = ?, "
    "first_join = COALESCE(first_join, ?), leave_time = NULL, sessions = sessions + 1, "
    "muted = ?, outer_org = ? WHERE conference_id = ? AND union_id = ? AND attend_status <> ? "
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
_COUNT_MEMBERS = (
    "INSERT INTO member_counts (conference_id, members) VALUES (?, ?) "
    "ON CONFLICT (conference_id) DO UPDATE SET members = member_counts.members + excluded.members"
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


async def count_members(conn: Connection, conference_id: str, added: int) -> None:
    """Count ``added`` member rows the caller's statements just inserted (QueryConferenceMembers'
    total)."""
    await conn.execute(_COUNT_MEMBERS, (conference_id, added))


async def insert_join(
    conn: Connection,
    conference_id: str,
    union_id: str,
    nick: str,
    at_ms: int,
    *,
    muted: bool,
    outer_org: bool,
) -> tuple[Participant, Conference] | None:
    """Mark a person inside, open their stay, move the counters; both rows as left.

    None, and nothing changed, when the person is inside already. The caller
    holds the meeting's lock, and the meeting exists.
    """
    inside = int(AttendStatus.ACTIVE)
    new = await conn.fetchall(
        _NEW_MEMBER,
        (conference_id, union_id, nick, inside, at_ms, at_ms, int(muted), int(outer_org), at_ms),
    )
    if new:
        await count_members(conn, conference_id, 1)
    else:
        new = await conn.fetchall(
            _REJOIN,
            (
                nick,
                inside,
                at_ms,
                at_ms,
                int(muted),
                int(outer_org),
                conference_id,
                union_id,
                inside,
            ),
        )
        if not new:
            return None
    member = new[0]
    # The stay's number is the member's session count the statement returned;
    # the first stay is what makes them count in attendNum.
    await conn.execute(_OPEN_SESSION, (conference_id, union_id, member[-1], at_ms))
    attended = 1 if member[-1] == 1 else 0
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
