"""SQL for meeting minutes (闪记): explicit summaries, shares, and the minutes' end."""

from dingconf.content.records import MINUTES
from dingconf.content.tables import end_span
from dingconf.db.driver import Connection
from dingconf.db.table import Table
from dingconf.minutes.records import MINUTES_ENDED, MINUTES_PAUSED, MINUTES_RUNNING, MinutesGrant

#: A meeting's explicit minutes summary (JSON).
MINUTES_SUMMARIES = Table(
    "minutes_summaries",
    "minutesSummaries",
    ("conference_id", "summary"),
    ("conference_id",),
    True,
)

#: Who a meeting's minutes were shared with.
MINUTES_GRANTS = Table(
    "minutes_grants",
    "minutesGrants",
    ("conference_id", "union_id", "share_scope", "task_uuid", "granted_ms"),
    ("conference_id", "union_id"),
    True,
)

__all__ = [
    "MinutesWrites",
    "end_minutes",
    "select_minutes_grants",
    "select_minutes_summary",
    "upsert_minutes_grant",
    "upsert_minutes_summary",
]


async def end_minutes(conn: Connection, conference_id: str, at_ms: int) -> None:
    """The meeting ends: running minutes stop at ``at_ms`` and the minutes end for good."""
    await end_span(conn, conference_id, MINUTES, at_ms)
    await conn.execute(
        "UPDATE conferences SET minutes_status = ? WHERE conference_id = ? "
        "AND minutes_status IN (?, ?)",
        (MINUTES_ENDED, conference_id, MINUTES_RUNNING, MINUTES_PAUSED),
    )


async def upsert_minutes_summary(conn: Connection, conference_id: str, summary_json: str) -> None:
    """Store (or replace) the explicit summary of a meeting's minutes."""
    await conn.execute("DELETE FROM minutes_summaries WHERE conference_id = ?", (conference_id,))
    await conn.execute(
        "INSERT INTO minutes_summaries (conference_id, summary) VALUES (?, ?)",
        (conference_id, summary_json),
    )


async def select_minutes_summary(conn: Connection, corp_id: str, conference_id: str) -> str | None:
    """The explicit summary (JSON) of a meeting of ``corp_id``, if one was set."""
    row = await conn.fetchone(
        "SELECT s.summary FROM minutes_summaries s "
        "JOIN conferences c ON c.conference_id = s.conference_id AND c.corp_id = ? "
        "WHERE s.conference_id = ?",
        (corp_id, conference_id),
    )
    return str(row[0]) if row else None


async def upsert_minutes_grant(conn: Connection, grant: MinutesGrant) -> None:
    """Share the minutes with a person; a second share replaces the first."""
    await conn.execute(
        "DELETE FROM minutes_grants WHERE conference_id = ? AND union_id = ?",
        (grant.conference_id, grant.union_id),
    )
    await conn.execute(
        "INSERT INTO minutes_grants (conference_id, union_id, share_scope, task_uuid, granted_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        tuple(grant),
    )


async def select_minutes_grants(
    conn: Connection, corp_id: str, conference_id: str
) -> list[MinutesGrant]:
    """Who the minutes of a meeting of ``corp_id`` were shared with, by unionId."""
    rows = await conn.fetchall(
        "SELECT g.conference_id, g.union_id, g.share_scope, g.task_uuid, g.granted_ms "
        "FROM minutes_grants g "
        "JOIN conferences c ON c.conference_id = g.conference_id AND c.corp_id = ? "
        "WHERE g.conference_id = ? ORDER BY g.union_id",
        (corp_id, conference_id),
    )
    return [MinutesGrant(*row) for row in rows]


class MinutesWrites:
    """Writes of minutes summaries and who they are shared with

    One part of :class:`~dingconf.db.write_tx.SqlWriteTx`, on its connection.
    """

    _conn: Connection

    async def put_minutes_summary(self, conference_id: str, summary_json: str) -> None:
        await upsert_minutes_summary(self._conn, conference_id, summary_json)

    async def grant_minutes(self, grant: MinutesGrant) -> None:
        await upsert_minutes_grant(self._conn, grant)
