"""SQL for meeting content (:mod:`dingconf.content.records`): utterances and spans."""

from dingconf.content.records import Span, Utterance
from dingconf.db.driver import Connection
from dingconf.db.table import Table

#: What was said in a meeting, in order.
UTTERANCES = Table(
    "utterances",
    "utterances",
    ("conference_id", "seq", "union_id", "nick", "text", "at_ms"),
    ("conference_id", "seq"),
    True,
)

#: The spans of a meeting's recordings and minutes.
SPANS = Table(
    "spans",
    "spans",
    ("conference_id", "kind", "seq", "take", "owner", "start_ms", "end_ms"),
    ("conference_id", "kind", "seq"),
    True,
)

__all__ = [
    "ContentWrites",
    "end_span",
    "insert_span",
    "insert_utterance",
    "select_spans",
    "select_utterances",
]

_SPAN_COLUMNS = "s.conference_id, s.kind, s.take, s.owner, s.start_ms, s.end_ms"
_UTTERANCE_COLUMNS = "u.conference_id, u.seq, u.union_id, u.nick, u.text, u.at_ms"


async def insert_utterance(
    conn: Connection, conference_id: str, union_id: str, nick: str, text: str, at_ms: int
) -> Utterance:
    """Store an utterance as the meeting's next (the caller holds the meeting's lock)."""
    row = await conn.fetchone(
        "SELECT COALESCE(MAX(seq), 0) + 1 FROM utterances WHERE conference_id = ?",
        (conference_id,),
    )
    seq = int(row[0]) if row else 1
    await conn.execute(
        "INSERT INTO utterances (conference_id, seq, union_id, nick, text, at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (conference_id, seq, union_id, nick, text, at_ms),
    )
    return Utterance(conference_id, seq, union_id, nick, text, at_ms)


async def insert_span(
    conn: Connection, conference_id: str, kind: str, take: int, owner: str, at_ms: int
) -> None:
    """Open a span (the caller holds the meeting's lock)."""
    await conn.execute(
        "INSERT INTO spans (conference_id, kind, seq, take, owner, start_ms) "
        "SELECT ?, ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM spans "
        "WHERE conference_id = ? AND kind = ?",
        (conference_id, kind, take, owner, at_ms, conference_id, kind),
    )


async def end_span(conn: Connection, conference_id: str, kind: str, at_ms: int) -> None:
    """Close the running span of ``kind``, if any."""
    await conn.execute(
        "UPDATE spans SET end_ms = ? WHERE conference_id = ? AND kind = ? AND end_ms IS NULL",
        (at_ms, conference_id, kind),
    )


async def select_spans(
    conn: Connection, conference_id: str, kind: str, corp_id: str | None = None
) -> list[Span]:
    """The spans of a meeting (of ``corp_id`` when given), by take and start."""
    sql = f"SELECT {_SPAN_COLUMNS} FROM spans s "
    params: tuple[object, ...] = (conference_id, kind)
    if corp_id is not None:
        sql += "JOIN conferences c ON c.conference_id = s.conference_id AND c.corp_id = ? "
        params = (corp_id, *params)
    rows = await conn.fetchall(
        sql + "WHERE s.conference_id = ? AND s.kind = ? ORDER BY s.take, s.seq", params
    )
    return [Span(*row) for row in rows]


async def select_utterances(conn: Connection, corp_id: str, conference_id: str) -> list[Utterance]:
    """What was said in a meeting of ``corp_id``, in order."""
    rows = await conn.fetchall(
        f"SELECT {_UTTERANCE_COLUMNS} FROM utterances u "
        "JOIN conferences c ON c.conference_id = u.conference_id AND c.corp_id = ? "
        "WHERE u.conference_id = ? ORDER BY u.seq",
        (corp_id, conference_id),
    )
    return [Utterance(*row) for row in rows]


class ContentWrites:
    """Writes of what was said and when recordings and minutes ran

    One part of :class:`~dingconf.db.write_tx.SqlWriteTx`, on its connection.
    """

    _conn: Connection

    async def add_utterance(
        self, conference_id: str, union_id: str, nick: str, text: str, at_ms: int
    ) -> Utterance:
        return await insert_utterance(self._conn, conference_id, union_id, nick, text, at_ms)

    async def open_span(
        self, conference_id: str, kind: str, take: int, owner: str, at_ms: int
    ) -> None:
        await insert_span(self._conn, conference_id, kind, take, owner, at_ms)

    async def close_span(self, conference_id: str, kind: str, at_ms: int) -> None:
        await end_span(self._conn, conference_id, kind, at_ms)

    async def list_spans(self, conference_id: str, kind: str) -> list[Span]:
        return await select_spans(self._conn, conference_id, kind)
