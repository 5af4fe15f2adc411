"""SQL for the keys signing recording-file URLs (migration 0008)."""

from dingconf.db.driver import Connection

__all__ = ["keep_media_key"]


async def keep_media_key(conn: Connection, name: str, candidate: str) -> str:
    """The key stored under ``name``, storing ``candidate`` first if there is none.

    Two processes racing to create it both end up with the first one stored.
    """
    await conn.execute(
        "INSERT INTO media_keys (name, secret) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
        (name, candidate),
    )
    row = await conn.fetchone("SELECT secret FROM media_keys WHERE name = ?", (name,))
    if row is None:  # pragma: no cover - the insert above guarantees a row
        raise LookupError(name)
    return str(row[0])
