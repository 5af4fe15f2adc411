"""SQL for meeting minutes (闪记): explicit summaries, shares, and the minutes' end."""

from dingconf.content.records import MINUTES
from dingconf.content.tables import ContentTables
from dingconf.db.driver import Connection
from dingconf.db.table import Table
from dingconf.minutes.records import MINUTES_ENDED, MINUTES_PAUSED, MINUTES_RUNNING, MinutesGrant

__all__ = ["MINUTES_GRANTS", "MINUTES_SUMMARIES", "MinutesTables"]

MINUTES_SUMMARIES = Table(
    "minutes_summaries",
    "minutesSummaries",
    ("conference_id", "summary"),
    ("conference_id",),
    True,
)
MINUTES_GRANTS = Table(
    "minutes_grants",
    "minutesGrants",
    ("conference_id", "union_id", "share_scope", "task_uuid", "granted_ms"),
    ("conference_id", "union_id"),
    True,
)


class MinutesTables:
    """SQL for minutes summaries, who they are shared with, and their end
    (tables minutes_summaries, minutes_grants)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def end_minutes(self, conference_id: str, at_ms: int) -> None:
        """The meeting ends: running minutes stop at ``at_ms`` and the minutes end for good."""
        await ContentTables(self._conn).close_span(conference_id, MINUTES, at_ms)
        await self._conn.execute(
            "UPDATE conferences SET minutes_status = ? WHERE conference_id = ? "
            "AND minutes_status IN (?, ?)",
            (MINUTES_ENDED, conference_id, MINUTES_RUNNING, MINUTES_PAUSED),
        )

    async def put_minutes_summary(self, conference_id: str, summary_json: str) -> None:
        """Set (or replace) the explicit summary of a meeting's minutes."""
        await self._conn.execute(
            "DELETE FROM minutes_summaries WHERE conference_id = ?", (conference_id,)
        )
        await self._conn.execute(
            f"INSERT INTO minutes_summaries ({', '.join(MINUTES_SUMMARIES.columns)}) VALUES (?, ?)",
            (conference_id, summary_json),
        )

    async def get_minutes_summary(self, corp_id: str, conference_id: str) -> str | None:
        """The explicit summary (JSON) of a meeting of ``corp_id``, if one was set."""
        row = await self._conn.fetchone(
            "SELECT s.summary FROM minutes_summaries s "
            "JOIN conferences c ON c.conference_id = s.conference_id AND c.corp_id = ? "
            "WHERE s.conference_id = ?",
            (corp_id, conference_id),
        )
        return str(row[0]) if row else None

    async def grant_minutes(self, grant: MinutesGrant) -> None:
        """Share a meeting's minutes with a person (a second share replaces the first)."""
        await self._conn.execute(
            "DELETE FROM minutes_grants WHERE conference_id = ? AND union_id = ?",
            (grant.conference_id, grant.union_id),
        )
        await self._conn.execute(
            f"INSERT INTO minutes_grants ({', '.join(MINUTES_GRANTS.columns)}) "
            "VALUES (?, ?, ?, ?, ?)",
            tuple(grant),
        )

    async def list_minutes_grants(self, corp_id: str, conference_id: str) -> list[MinutesGrant]:
        """Who the minutes of a meeting of ``corp_id`` were shared with, by unionId."""
        rows = await self._conn.fetchall(
            f"SELECT {', '.join('g.' + c for c in MINUTES_GRANTS.columns)} FROM minutes_grants g "
            "JOIN conferences c ON c.conference_id = g.conference_id AND c.corp_id = ? "
            "WHERE g.conference_id = ? ORDER BY g.union_id",
            (corp_id, conference_id),
        )
        return [MinutesGrant(*row) for row in rows]
