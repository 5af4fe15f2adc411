"""SQL for the remaining in-meeting features (:mod:`dingconf.streams.records`).

Streams out, per-meeting extras, the recording whitelist, auto-login and
short links. Writes run on the connection holding the caller's transaction.
"""

from dingconf.db.driver import Connection, Row
from dingconf.db.table import Table
from dingconf.streams.records import ConferenceExtras, LoginLink, ShortLink, StreamOut

#: A meeting's streams out.
STREAM_OUTS = Table(
    "stream_outs",
    "streamOuts",
    (
        "stream_id",
        "conference_id",
        "seq",
        "url",
        "name",
        "mode",
        "window_position",
        "need_host_join",
        "started_by",
        "started_at",
        "stopped_at",
    ),
    ("stream_id",),
    True,
)

#: A meeting's focus, ext info and subtitle flag.
CONFERENCE_EXTRAS = Table(
    "conference_extras",
    "conferenceExtras",
    ("conference_id", "focus_union_id", "ext_info", "subtitle_events"),
    ("conference_id",),
    True,
)

#: An organisation's recording whitelist.
RECORD_WHITELIST = Table(
    "record_whitelist",
    "recordWhitelist",
    ("corp_id", "biz_type", "union_id", "added_by", "added_at"),
    ("biz_type", "union_id"),
    False,
)

#: Short links of an organisation.
SHORT_LINKS = Table(
    "short_links",
    "shortLinks",
    (
        "code",
        "corp_id",
        "schedule_conference_id",
        "creator_id",
        "cool_app_code",
        "biz_data",
        "use_extension_app",
        "target",
        "created_at",
    ),
    ("code",),
    False,
)

__all__ = [
    "ExtrasWrites",
    "delete_whitelisted",
    "insert_login_link",
    "insert_short_link",
    "insert_stream_out",
    "insert_whitelisted",
    "is_whitelisted",
    "mark_login_link_used",
    "select_extras",
    "select_login_link",
    "select_short_link",
    "select_stream_outs",
    "select_whitelist",
    "stop_streams",
    "upsert_extras",
]

_STREAM_COLUMNS = (
    "s.stream_id, s.conference_id, s.url, s.name, s.mode, s.window_position, "
    "s.need_host_join, s.started_by, s.started_at, s.stopped_at"
)
_SHORT_COLUMNS = (
    "code, corp_id, schedule_conference_id, creator_id, cool_app_code, biz_data, "
    "use_extension_app, target, created_at"
)


def _stream_of(row: Row) -> StreamOut:
    return StreamOut(
        row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7], row[8], row[9]
    )


def _corp_join(alias: str, corp_id: str | None) -> tuple[str, tuple[object, ...]]:
    """A join restricting rows to meetings of ``corp_id`` (none when None)."""
    if corp_id is None:
        return "", ()
    return (
        f"JOIN conferences c ON c.conference_id = {alias}.conference_id AND c.corp_id = ? ",
        (corp_id,),
    )


async def select_stream_outs(
    conn: Connection, conference_id: str, corp_id: str | None = None
) -> list[StreamOut]:
    """A meeting's streams (of ``corp_id`` when given), oldest first."""
    join, params = _corp_join("s", corp_id)
    rows = await conn.fetchall(
        f"SELECT {_STREAM_COLUMNS} FROM stream_outs s {join}"
        "WHERE s.conference_id = ? ORDER BY s.seq",
        (*params, conference_id),
    )
    return [_stream_of(row) for row in rows]


async def insert_stream_out(conn: Connection, stream: StreamOut) -> None:
    """Store a stream that has started, as the meeting's next (under the meeting's lock)."""
    s = stream
    await conn.execute(
        "INSERT INTO stream_outs (stream_id, conference_id, seq, url, name, mode, "
        "window_position, need_host_join, started_by, started_at, stopped_at) "
        "SELECT ?, ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? FROM stream_outs "
        "WHERE conference_id = ?",
        (
            s.stream_id,
            s.conference_id,
            s.url,
            s.name,
            s.mode,
            s.window_position,
            int(s.need_host_join),
            s.started_by,
            s.started_at_ms,
            s.stopped_at_ms,
            s.conference_id,
        ),
    )


async def stop_streams(
    conn: Connection, conference_id: str, stream_ids: list[str] | None, at_ms: int
) -> int:
    """Stop the running streams of a meeting (all, or those listed); return how many."""
    sql = "UPDATE stream_outs SET stopped_at = ? WHERE conference_id = ? AND stopped_at IS NULL"
    params: list[object] = [at_ms, conference_id]
    if stream_ids is not None:
        if not stream_ids:
            return 0
        sql += f" AND stream_id IN ({', '.join('?' * len(stream_ids))})"
        params.extend(stream_ids)
    return await conn.execute(sql, params)


async def select_extras(
    conn: Connection, conference_id: str, corp_id: str | None = None
) -> ConferenceExtras | None:
    """A meeting's extras row (of ``corp_id`` when given)."""
    join, params = _corp_join("x", corp_id)
    row = await conn.fetchone(
        "SELECT x.conference_id, x.focus_union_id, x.ext_info, x.subtitle_events "
        f"FROM conference_extras x {join}WHERE x.conference_id = ?",
        (*params, conference_id),
    )
    return ConferenceExtras(row[0], row[1], row[2], bool(row[3])) if row else None


async def upsert_extras(conn: Connection, extras: ConferenceExtras) -> None:
    """Write a meeting's extras row."""
    x = extras
    await conn.execute(
        "INSERT INTO conference_extras (conference_id, focus_union_id, ext_info, "
        "subtitle_events) VALUES (?, ?, ?, ?) ON CONFLICT (conference_id) DO UPDATE SET "
        "focus_union_id = excluded.focus_union_id, ext_info = excluded.ext_info, "
        "subtitle_events = excluded.subtitle_events",
        (x.conference_id, x.focus_union_id, x.ext_info, int(x.subtitle_events)),
    )


async def insert_whitelisted(
    conn: Connection, corp_id: str, biz_type: str, union_ids: list[str], by: str, at_ms: int
) -> None:
    """Add accounts to an organisation's recording whitelist (present ones stay)."""
    for union_id in union_ids:
        await conn.execute(
            "INSERT INTO record_whitelist (corp_id, biz_type, union_id, added_by, added_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (corp_id, biz_type, union_id) DO NOTHING",
            (corp_id, biz_type, union_id, by, at_ms),
        )


async def delete_whitelisted(
    conn: Connection, corp_id: str, biz_type: str, union_ids: list[str]
) -> None:
    """Remove accounts from an organisation's recording whitelist."""
    for union_id in union_ids:
        await conn.execute(
            "DELETE FROM record_whitelist WHERE corp_id = ? AND biz_type = ? AND union_id = ?",
            (corp_id, biz_type, union_id),
        )


async def is_whitelisted(conn: Connection, corp_id: str, biz_type: str, union_id: str) -> bool:
    """Whether an account is on an organisation's recording whitelist."""
    row = await conn.fetchone(
        "SELECT 1 FROM record_whitelist WHERE corp_id = ? AND biz_type = ? AND union_id = ?",
        (corp_id, biz_type, union_id),
    )
    return row is not None


async def select_whitelist(conn: Connection, corp_id: str, biz_type: str) -> list[str]:
    """The accounts on an organisation's recording whitelist, by unionId."""
    rows = await conn.fetchall(
        "SELECT union_id FROM record_whitelist WHERE corp_id = ? AND biz_type = ? "
        "ORDER BY union_id",
        (corp_id, biz_type),
    )
    return [str(row[0]) for row in rows]


async def insert_login_link(conn: Connection, link: LoginLink) -> None:
    """Store an auto-login link (by its token's hash)."""
    await conn.execute(
        "INSERT INTO login_links (token_hash, corp_id, union_id, target, expires_at, used_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        tuple(link),
    )


async def select_login_link(conn: Connection, token_hash: str) -> LoginLink | None:
    """An auto-login link by its token's hash."""
    row = await conn.fetchone(
        "SELECT token_hash, corp_id, union_id, target, expires_at, used_at FROM login_links "
        "WHERE token_hash = ?",
        (token_hash,),
    )
    return LoginLink(*row) if row else None


async def mark_login_link_used(conn: Connection, token_hash: str, at_ms: int) -> bool:
    """Use an auto-login link once; False when it was already used."""
    changed = await conn.execute(
        "UPDATE login_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
        (at_ms, token_hash),
    )
    return changed == 1


async def insert_short_link(conn: Connection, link: ShortLink) -> None:
    """Store a short link."""
    params = (*link[:6], int(link.use_extension_app), link.target, link.created_at_ms)
    await conn.execute(
        f"INSERT INTO short_links ({_SHORT_COLUMNS}) VALUES ({', '.join('?' * 9)})", params
    )


async def select_short_link(conn: Connection, code: str) -> ShortLink | None:
    """A short link by its code."""
    row = await conn.fetchone(f"SELECT {_SHORT_COLUMNS} FROM short_links WHERE code = ?", (code,))
    if row is None:
        return None
    return ShortLink(row[0], row[1], row[2], row[3], row[4], row[5], bool(row[6]), row[7], row[8])


class ExtrasWrites:
    """Writes of streams, meeting extras, the recording whitelist and links

    One part of :class:`~dingconf.db.write_tx.SqlWriteTx`, on its connection.
    """

    _conn: Connection

    async def list_stream_outs(self, conference_id: str) -> list[StreamOut]:
        return await select_stream_outs(self._conn, conference_id)

    async def insert_stream_out(self, stream: StreamOut) -> None:
        await insert_stream_out(self._conn, stream)

    async def stop_stream_outs(
        self, conference_id: str, stream_ids: list[str] | None, at_ms: int
    ) -> int:
        return await stop_streams(self._conn, conference_id, stream_ids, at_ms)

    async def get_conference_extras(self, conference_id: str) -> ConferenceExtras | None:
        return await select_extras(self._conn, conference_id)

    async def put_conference_extras(self, extras: ConferenceExtras) -> None:
        await upsert_extras(self._conn, extras)

    async def add_to_record_whitelist(
        self, corp_id: str, biz_type: str, union_ids: list[str], by: str, at_ms: int
    ) -> None:
        await insert_whitelisted(self._conn, corp_id, biz_type, union_ids, by, at_ms)

    async def remove_from_record_whitelist(
        self, corp_id: str, biz_type: str, union_ids: list[str]
    ) -> None:
        await delete_whitelisted(self._conn, corp_id, biz_type, union_ids)

    async def on_record_whitelist(self, corp_id: str, biz_type: str, union_id: str) -> bool:
        return await is_whitelisted(self._conn, corp_id, biz_type, union_id)

    async def insert_login_link(self, link: LoginLink) -> None:
        await insert_login_link(self._conn, link)

    async def get_login_link(self, token_hash: str) -> LoginLink | None:
        return await select_login_link(self._conn, token_hash)

    async def use_login_link(self, token_hash: str, at_ms: int) -> bool:
        return await mark_login_link_used(self._conn, token_hash, at_ms)

    async def insert_short_link(self, link: ShortLink) -> None:
        await insert_short_link(self._conn, link)
