"""SQL for the members of meetings (tables ``participants``, ``participant_sessions``,
``member_counts``): statements that each change one row, or one meeting's rows.

A join is the hottest write. Each statement here changes one row (a rejoin's
insert, none) and hands back what the caller would otherwise read again
(``RETURNING``, SQLite 3.35+ and PostgreSQL), so the counters the caller moves
follow what the rows did, never a read made before them.
"""

from dingconf.core.records import AttendStatus, Participant
from dingconf.db.driver import Connection, Row
from dingconf.db.table import Table
from dingconf.listing.records import MemberKey, MemberPage

__all__ = [
    "MEMBER_COLUMNS",
    "PARTICIPANTS",
    "PARTICIPANT_SESSIONS",
    "MemberTables",
    "participant_of",
]

#: The members of a meeting.
PARTICIPANTS = Table(
    "participants",
    "participants",
    (
        "conference_id",
        "union_id",
        "nick",
        "attend_status",
        "first_join",
        "last_join",
        "leave_time",
        "duration",
        "sessions",
        "muted",
        "rejoin_forbidden",
        "outer_org",
        "listed_at",
        "reject_description",
    ),
    ("conference_id", "union_id"),
    True,
)

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

#: The columns of ``participants`` a :class:`Participant` holds, in the order of
#: its fields (``job_number`` comes from the organisation's ``users``).
MEMBER_COLUMNS = tuple(c for c in PARTICIPANTS.columns if c not in ("sessions", "listed_at"))
_DECODE = tuple(
    (MEMBER_COLUMNS.index(column), decode)
    for column, decode in (
        ("attend_status", AttendStatus),
        ("muted", bool),
        ("rejoin_forbidden", bool),
        ("outer_org", bool),
    )
)
_JOB_NUMBER_AT = Participant._fields.index("job_number")

_COLUMNS = ", ".join(MEMBER_COLUMNS)
_OF_P = ", ".join("p." + column for column in MEMBER_COLUMNS)
_SELECT = f"SELECT {_COLUMNS} FROM participants WHERE conference_id = ? AND union_id = ?"
# A joiner: their member row, if any, their nick as a user of the meeting's
# organisation, if they are one (users.nick is never NULL), and, when asked,
# whether a user's unionId has a length in a range.
_MEMBER_AND_USER = (
    "SELECT u.nick, {near}, " + _OF_P + " FROM (SELECT 1 AS one) x "
    "LEFT JOIN participants p ON p.conference_id = ? AND p.union_id = ? "
    "LEFT JOIN users u ON u.corp_id = ? AND u.union_id = ?"
)
_NEAR_USER = (
    "EXISTS (SELECT 1 FROM users n WHERE n.corp_id = ? AND length(n.union_id) BETWEEN ? AND ?)"
)
_LIST = (
    f"SELECT {_OF_P}, u.job_number "
    "FROM participants p JOIN conferences c ON c.conference_id = p.conference_id "
    "LEFT JOIN users u ON u.corp_id = c.corp_id AND u.union_id = p.union_id "
    "WHERE p.conference_id = ? AND c.corp_id = ? ORDER BY p.listed_at, p.union_id"
)
# A join inserts the member row, or, when there is one, moves it inside; each
# returns the member's stays so far (the new stay's number).
_NEW_MEMBER = (
    "INSERT INTO participants (conference_id, union_id, nick, attend_status, "
    "first_join, last_join, sessions, muted, outer_org, listed_at) "
    "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (conference_id, union_id) DO NOTHING "
    f"RETURNING {_COLUMNS}, sessions"
)
# ... someone inside already matches nothing (and nothing moves).
_REJOIN = (
    "UPDATE participants SET nick = ?, attend_status = ?, last_join = ?, "
    "first_join = COALESCE(first_join, ?), leave_time = NULL, sessions = sessions + 1, "
    "muted = ?, outer_org = ? WHERE conference_id = ? AND union_id = ? AND attend_status <> ? "
    f"RETURNING {_COLUMNS}, sessions"
)
_OPEN_STAY = (
    "INSERT INTO participant_sessions (conference_id, union_id, seq, join_time) VALUES (?, ?, ?, ?)"
)
_COUNT_MEMBERS = (
    "INSERT INTO member_counts (conference_id, members) VALUES (?, ?) "
    "ON CONFLICT (conference_id) DO UPDATE SET members = member_counts.members + excluded.members"
)
# A leave closes the open stay, whose client the leave's event reports.
_CLOSE_STAY = (
    "UPDATE participant_sessions SET leave_time = ? "
    "WHERE conference_id = ? AND union_id = ? AND leave_time IS NULL RETURNING seq, device_type"
)
_LEAVE = (
    "UPDATE participants SET attend_status = ?, leave_time = ?, "
    "duration = duration + (? - last_join) "
    "WHERE conference_id = ? AND union_id = ? AND attend_status = ? "
    f"RETURNING {_COLUMNS}, sessions"
)
_RING = (
    "INSERT INTO participants (conference_id, union_id, nick, attend_status, listed_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (conference_id, union_id) DO NOTHING"
)
_RING_AGAIN = (
    "UPDATE participants SET attend_status = ? "
    "WHERE conference_id = ? AND union_id = ? AND attend_status <> ?"
)


def participant_of(row: Row, job_number: str | None = None) -> Participant:
    """A member from a row of :data:`MEMBER_COLUMNS` (and their job number, if read)."""
    values = list(row)
    for at, decode in _DECODE:
        values[at] = decode(values[at])
    values.insert(_JOB_NUMBER_AT, job_number)
    return Participant._make(values)


class MemberTables:
    """SQL for the members of meetings and their stays."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, conference_id: str, union_id: str) -> Participant | None:
        """One member of a meeting."""
        row = await self._conn.fetchone(_SELECT, (conference_id, union_id))
        return participant_of(row) if row else None

    async def get_with_user_nick(
        self,
        corp_id: str,
        conference_id: str,
        union_id: str,
        near_lengths: tuple[int, int] | None = None,
    ) -> tuple[Participant | None, str | None, bool]:
        """One member of a meeting (None: no member row), their nick as a user of
        ``corp_id`` (None: not a user) and, with ``near_lengths`` (shortest,
        longest), whether a user of ``corp_id`` has a unionId of such a length
        (False without): one statement."""
        near: tuple[object, ...] = () if near_lengths is None else (corp_id, *near_lengths)
        sql = _MEMBER_AND_USER.format(near=_NEAR_USER if near else "0")
        row = await self._conn.fetchone(sql, (*near, conference_id, union_id, corp_id, union_id))
        if row is None:  # the one row always comes; a driver without it reads nothing
            return None, None, False
        nick = None if row[0] is None else str(row[0])
        member = participant_of(row[2:]) if row[2] is not None else None
        return member, nick, bool(row[1])

    async def list_members(self, corp_id: str, conference_id: str) -> list[Participant]:
        """The members of a meeting of ``corp_id``, in order of first join."""
        rows = await self._conn.fetchall(_LIST, (conference_id, corp_id))
        return [participant_of(row[:-1], row[-1]) for row in rows]

    async def page(
        self,
        corp_id: str,
        conference_id: str,
        offset: int,
        limit: int,
        after: MemberKey | None = None,
    ) -> MemberPage:
        """One page of a meeting's members by ``(listed_at, union_id)``, how many members
        there are, and the page's last row's key.

        One statement, so the total and the rows are of one moment: read apart,
        joins committed in between made the total exceed the rows listed. The
        total is a meeting of ``corp_id``'s kept count (``member_counts``, 0 for
        none or another organisation's), never a COUNT; a page past the end is
        one row with the total alone. With ``after`` (the key the previous page
        ended with) the page is read from there off the ``participants_listing``
        index and ``offset`` is not skipped; without it, ``offset`` rows are.
        """
        seek, bound = "", []
        if after is not None:
            seek = " AND (p.listed_at, p.union_id) > (?, ?)"
            bound = [after[0], after[1]]
            offset = 0
        rows = await self._conn.fetchall(
            f"WITH page AS (SELECT {_OF_P}, u.job_number, p.listed_at "
            "FROM participants p JOIN conferences c ON c.conference_id = p.conference_id "
            "LEFT JOIN users u ON u.corp_id = c.corp_id AND u.union_id = p.union_id "
            f"WHERE p.conference_id = ? AND c.corp_id = ?{seek} "
            "ORDER BY p.listed_at, p.union_id LIMIT ? OFFSET ?) "
            "SELECT kept.members, page.* FROM (SELECT COALESCE((SELECT m.members "
            "FROM member_counts m JOIN conferences c ON c.conference_id = m.conference_id "
            "WHERE m.conference_id = ? AND c.corp_id = ?), 0) AS members) kept "
            "LEFT JOIN page ON 1 = 1 ORDER BY page.listed_at, page.union_id",
            [conference_id, corp_id, *bound, limit, offset, conference_id, corp_id],
        )
        total = int(rows[0][0])
        listed = [row[1:] for row in rows if row[1] is not None]
        members = [participant_of(row[:-2], row[-2]) for row in listed]
        last = (int(listed[-1][-1]), str(listed[-1][1])) if listed else None
        return MemberPage(members, total, last)

    async def enter_new(
        self,
        conference_id: str,
        union_id: str,
        nick: str,
        at_ms: int,
        *,
        muted: bool,
        outer_org: bool,
    ) -> tuple[Participant, int] | None:
        """A person new to the meeting is inside (their first stay); None when they are
        a member already (nothing changed)."""
        inside = int(AttendStatus.ACTIVE)
        rows = await self._conn.fetchall(
            _NEW_MEMBER,
            (
                conference_id,
                union_id,
                nick,
                inside,
                at_ms,
                at_ms,
                int(muted),
                int(outer_org),
                at_ms,
            ),
        )
        return (participant_of(rows[0][:-1]), int(rows[0][-1])) if rows else None

    async def enter_again(
        self,
        conference_id: str,
        union_id: str,
        nick: str,
        at_ms: int,
        *,
        muted: bool,
        outer_org: bool,
    ) -> tuple[Participant, int] | None:
        """A member not inside is inside again; the member and their stays so far. None
        when they are inside already (nothing changed)."""
        inside = int(AttendStatus.ACTIVE)
        rows = await self._conn.fetchall(
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
        return (participant_of(rows[0][:-1]), int(rows[0][-1])) if rows else None

    async def open_stay(self, conference_id: str, union_id: str, seq: int, at_ms: int) -> None:
        """Start a member's stay number ``seq`` at ``at_ms``."""
        await self._conn.execute(_OPEN_STAY, (conference_id, union_id, seq, at_ms))

    async def count_members(self, conference_id: str, added: int) -> None:
        """Count ``added`` member rows just inserted (QueryConferenceMembers' total)."""
        await self._conn.execute(_COUNT_MEMBERS, (conference_id, added))

    async def leave(
        self, conference_id: str, union_id: str, at_ms: int
    ) -> tuple[Participant, str | None] | None:
        """A person inside leaves at ``at_ms``, their stay closed; None when not inside.

        Returns the member and the deviceType of their latest stay, which this
        closed (None when that stay was not open: the caller reads it).
        """
        closed = await self._conn.fetchall(_CLOSE_STAY, (at_ms, conference_id, union_id))
        rows = await self._conn.fetchall(
            _LEAVE,
            (
                int(AttendStatus.LEFT),
                at_ms,
                at_ms,
                conference_id,
                union_id,
                int(AttendStatus.ACTIVE),
            ),
        )
        if not rows:
            return None
        latest = int(rows[0][-1])
        device = next((str(stay[1]) for stay in closed if int(stay[0]) == latest), None)
        return participant_of(rows[0][:-1]), device

    async def close_stays(self, conference_id: str, at_ms: int, union_id: str | None = None) -> int:
        """Let everyone inside (or ``union_id``) leave at ``at_ms``; how many were inside."""
        who, who_params = ("AND union_id = ?", (union_id,)) if union_id is not None else ("", ())
        await self._conn.execute(
            "UPDATE participant_sessions SET leave_time = ? "
            f"WHERE conference_id = ? AND leave_time IS NULL {who}",
            (at_ms, conference_id, *who_params),
        )
        return await self._conn.execute(
            "UPDATE participants SET attend_status = ?, leave_time = ?, "
            "duration = duration + (? - last_join) "
            f"WHERE conference_id = ? AND attend_status = ? {who}",
            (
                int(AttendStatus.LEFT),
                at_ms,
                at_ms,
                conference_id,
                int(AttendStatus.ACTIVE),
                *who_params,
            ),
        )

    async def put_out(self, conference_id: str, union_id: str, *, forbid_rejoin: bool) -> None:
        """Mark a member kicked out (attendStatus 5), for good with ``forbid_rejoin``."""
        await self._conn.execute(
            "UPDATE participants SET attend_status = ?, rejoin_forbidden = ? "
            "WHERE conference_id = ? AND union_id = ?",
            (int(AttendStatus.KICKED), int(forbid_rejoin), conference_id, union_id),
        )

    async def ring(self, conference_id: str, union_id: str, nick: str, at_ms: int) -> int:
        """Ring a person (attendStatus 2): a new member, or one who left or was kicked
        called again (someone inside stays inside); 1 when the row is new."""
        calling = int(AttendStatus.CALLING)
        new = await self._conn.execute(_RING, (conference_id, union_id, nick, calling, at_ms))
        if not new:
            await self._conn.execute(
                _RING_AGAIN, (calling, conference_id, union_id, int(AttendStatus.ACTIVE))
            )
        return new

    async def fail_calls(self, conference_id: str) -> None:
        """Invitees still being rung never got in (attendStatus 2 → 6)."""
        await self._conn.execute(
            "UPDATE participants SET attend_status = ? WHERE conference_id = ? "
            "AND attend_status = ?",
            (int(AttendStatus.JOIN_FAILED), conference_id, int(AttendStatus.CALLING)),
        )

    async def update(self, member: Participant) -> None:
        """Write a member's nick and mute state."""
        await self._conn.execute(
            "UPDATE participants SET nick = ?, muted = ? WHERE conference_id = ? AND union_id = ?",
            (member.nick, int(member.muted), member.conference_id, member.union_id),
        )

    async def mute_all(self, conference_id: str, muted: bool) -> None:
        """Mute or unmute every member of a meeting."""
        await self._conn.execute(
            "UPDATE participants SET muted = ? WHERE conference_id = ?",
            (int(muted), conference_id),
        )
