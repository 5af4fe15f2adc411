"""SQL for meeting content (:mod:`dingconf.content.records`): utterances and spans."""

from dingconf.content.records import Span, Utterance
from dingconf.db.driver import Connection
from dingconf.db.table import Table

__all__ = ["SPANS", "UTTERANCES", "ContentTables"]

UTTERANCES = Table(
    "utterances",
    "utterances",
    ("conference_id", "seq", "union_id", "nick", "text", "at_ms"),
    ("conference_id", "seq"),
    True,
)
SPANS = Table(
    "spans",
    "spans",
    ("conference_id", "kind", "seq", "take", "owner", "start_ms", "end_ms"),
    ("conference_id", "kind", "seq"),
    True,
)

# A span's fields: its columns but its order within the meeting and kind (``seq``).
_SPAN_FIELDS = ", ".join(f"s.{c}" for c in SPANS.columns if c != "seq")
_UTTERANCE_FIELDS = ", ".join(f"u.{c}" for c in UTTERANCES.columns)


class ContentTables:
    """SQL for what was said and when recordings and minutes ran (tables utterances, spans)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add_utterance(
        self, conference_id: str, union_id: str, nick: str, text: str, at_ms: int
    ) -> Utterance:
        """Store what someone said as the meeting's next (the caller holds the meeting's lock)."""
        row = await self._conn.fetchone(
            "SELECT COALESCE(MAX(seq), 0) + 1 FROM utterances WHERE conference_id = ?",
            (conference_id,),
        )
        seq = int(row[0]) if row else 1
        await self._conn.execute(
            f"INSERT INTO utterances ({', '.join(UTTERANCES.columns)}) VALUES (?, ?, ?, ?, ?, ?)",
            (conference_id, seq, union_id, nick, text, at_ms),
        )
        return Utterance(conference_id, seq, union_id, nick, text, at_ms)

    async def list_utterances(self, corp_id: str, conference_id: str) -> list[Utterance]:
        """What was said in a meeting of ``corp_id``, in order."""
        rows = await self._conn.fetchall(
            f"SELECT {_UTTERANCE_FIELDS} FROM utterances u "
            "JOIN conferences c ON c.conference_id = u.conference_id AND c.corp_id = ? "
            "WHERE u.conference_id = ? ORDER BY u.seq",
            (corp_id, conference_id),
        )
        return [Utterance(*row) for row in rows]

    async def open_span(
        self, conference_id: str, kind: str, take: int, owner: str, at_ms: int
    ) -> None:
        """Start a span of a recording or the minutes (the caller holds the meeting's lock)."""
        await self._conn.execute(
            "INSERT INTO spans (conference_id, kind, seq, take, owner, start_ms) "
            "SELECT ?, ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM spans "
            "WHERE conference_id = ? AND kind = ?",
            (conference_id, kind, take, owner, at_ms, conference_id, kind),
        )

    async def close_span(self, conference_id: str, kind: str, at_ms: int) -> None:
        """End the running span of ``kind``, if one runs."""
        await self._conn.execute(
            "UPDATE spans SET end_ms = ? WHERE conference_id = ? AND kind = ? AND end_ms IS NULL",
            (at_ms, conference_id, kind),
        )

    async def list_spans(
        self, conference_id: str, kind: str, corp_id: str | None = None
    ) -> list[Span]:
        """The spans of ``kind`` of a meeting (of ``corp_id`` when given), by take and start."""
        sql = f"SELECT {_SPAN_FIELDS} FROM spans s "
        params: tuple[object, ...] = (conference_id, kind)
        if corp_id is not None:
            sql += "JOIN conferences c ON c.conference_id = s.conference_id AND c.corp_id = ? "
            params = (corp_id, *params)
        rows = await self._conn.fetchall(
            sql + "WHERE s.conference_id = ? AND s.kind = ? ORDER BY s.take, s.seq", params
        )
        return [Span(*row) for row in rows]
