"""SQL for join-page presences (:mod:`dingconf.control.console.presence_records`)."""

from dingconf.control.console.presence_records import Presence
from dingconf.db.driver import Connection, Row
from dingconf.db.table import Table

__all__ = ["PRESENCES", "PresenceTables"]

#: In :class:`Presence`'s order.
PRESENCES = Table(
    "presences",
    "presences",
    (
        "presence_hash",
        "conference_id",
        "corp_id",
        "union_id",
        "nick",
        "joined_at_ms",
        "last_beat_ms",
    ),
    ("presence_hash",),
    False,
)
_COLUMNS = ", ".join(PRESENCES.columns)
_VALUES = ", ".join("?" * len(PRESENCES.columns))


def _presence_of(row: Row) -> Presence:
    return Presence(
        str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), int(row[5]), int(row[6])
    )


class PresenceTables:
    """SQL for join pages open now (table ``presences``)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def put_presence(self, presence: Presence) -> None:
        """Store a join page's presence, replacing the person's earlier one in the meeting."""
        await self._conn.execute(
            "DELETE FROM presences WHERE conference_id = ? AND union_id = ?",
            (presence.conference_id, presence.union_id),
        )
        await self._conn.execute(
            f"INSERT INTO presences ({_COLUMNS}) VALUES ({_VALUES})",
            tuple(presence),
        )

    async def beat_presence(self, presence_hash: str, at_ms: int) -> bool:
        """Note a heartbeat at ``at_ms``; False when the presence is gone."""
        changed = await self._conn.execute(
            "UPDATE presences SET last_beat_ms = ? WHERE presence_hash = ?",
            (at_ms, presence_hash),
        )
        return changed > 0

    async def drop_presence(self, presence_hash: str, beat_before_ms: int | None = None) -> bool:
        """Delete a presence (only if its last beat is before ``beat_before_ms``, when
        given); True when this call deleted it, so one process acts on each."""
        if beat_before_ms is None:
            changed = await self._conn.execute(
                "DELETE FROM presences WHERE presence_hash = ?", (presence_hash,)
            )
        else:
            # Only while still stale: a beat that came in meanwhile keeps the row.
            changed = await self._conn.execute(
                "DELETE FROM presences WHERE presence_hash = ? AND last_beat_ms < ?",
                (presence_hash, beat_before_ms),
            )
        return changed > 0

    async def get_presence(self, presence_hash: str) -> Presence | None:
        """A join page's presence by its id's hash."""
        row = await self._conn.fetchone(
            f"SELECT {_COLUMNS} FROM presences WHERE presence_hash = ?", (presence_hash,)
        )
        return _presence_of(row) if row else None

    async def stale_presences(self, beat_before_ms: int, limit: int) -> list[Presence]:
        """Presences whose last heartbeat is older than ``beat_before_ms``, oldest first."""
        rows = await self._conn.fetchall(
            f"SELECT {_COLUMNS} FROM presences WHERE last_beat_ms < ? "
            "ORDER BY last_beat_ms, presence_hash LIMIT ?",
            (beat_before_ms, limit),
        )
        return [_presence_of(row) for row in rows]
