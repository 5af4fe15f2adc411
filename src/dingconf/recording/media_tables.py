"""SQL for the keys signing recording-file and minutes URLs (migration 0008)."""

from dingconf.db.driver import Connection

__all__ = ["MediaKeyTables"]


class MediaKeyTables:
    """SQL for the URL-signing keys (table media_keys, never part of a state document)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def keep_media_key(self, name: str, candidate: str) -> str:
        """The key stored under ``name``, storing ``candidate`` first if there is none.

        Two processes racing to create it both end up with the first one stored.
        """
        await self._conn.execute(
            "INSERT INTO media_keys (name, secret) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (name, candidate),
        )
        row = await self._conn.fetchone("SELECT secret FROM media_keys WHERE name = ?", (name,))
        if row is None:  # pragma: no cover - the insert above guarantees a row
            raise LookupError(name)
        return str(row[0])
