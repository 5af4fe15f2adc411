"""SQL for join-page presences (:mod:`dingconf.control.console.presence_records`)."""

from dingconf.control.console.presence_records import Presence
from dingconf.db.driver import Connection, Row

__all__ = ["PresenceWrites", "select_presence", "select_stale_presences"]

_COLUMNS = "presence_hash, conference_id, corp_id, union_id, nick, joined_at_ms, last_beat_ms"


def _presence_of(row: Row) -> Presence:
    return Presence(
        str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), int(row[5]), int(row[6])
    )


async def select_presence(conn: Connection, presence_hash: str) -> Presence | None:
    """The presence of a hashed presence id."""
    row = await conn.fetchone(
        f"SELECT {_COLUMNS} FROM presences WHERE presence_hash = ?", (presence_hash,)
    )
    return _presence_of(row) if row else None


async def select_stale_presences(
    conn: Connection, beat_before_ms: int, limit: int
) -> list[Presence]:
    """Presences whose last beat is older than ``beat_before_ms``, oldest first."""
    rows = await conn.fetchall(
        f"SELECT {_COLUMNS} FROM presences WHERE last_beat_ms < ? "
        "ORDER BY last_beat_ms, presence_hash LIMIT ?",
        (beat_before_ms, limit),
    )
    return [_presence_of(row) for row in rows]


class PresenceWrites:
    """Writes of join-page presences.

    One part of :class:`~dingconf.db.write_tx.SqlWriteTx`, on its connection.
    """

    _conn: Connection

    async def put_presence(self, presence: Presence) -> None:
        # A person has one presence per meeting: a newer page takes over.
        await self._conn.execute(
            "DELETE FROM presences WHERE conference_id = ? AND union_id = ?",
            (presence.conference_id, presence.union_id),
        )
        await self._conn.execute(
            f"INSERT INTO presences ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            tuple(presence),
        )

    async def beat_presence(self, presence_hash: str, at_ms: int) -> bool:
        changed = await self._conn.execute(
            "UPDATE presences SET last_beat_ms = ? WHERE presence_hash = ?",
            (at_ms, presence_hash),
        )
        return changed > 0

    async def drop_presence(self, presence_hash: str, beat_before_ms: int | None = None) -> bool:
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
