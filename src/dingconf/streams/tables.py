"""SQL for streams out and per-meeting settings (:mod:`dingconf.streams.records`)."""

from dingconf.db.driver import Connection, Row
from dingconf.db.table import Table
from dingconf.streams.records import MeetingSettings, StreamOut

__all__ = ["MEETING_SETTINGS", "STREAM_OUTS", "StreamTables"]

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
#: Focus, ext info and the subtitle flag; the table keeps its first name.
MEETING_SETTINGS = Table(
    "conference_extras",
    "conferenceExtras",
    ("conference_id", "focus_union_id", "ext_info", "subtitle_events"),
    ("conference_id",),
    True,
)

# A stream's fields: its columns but the order it was started in (``seq``).
_STREAM_FIELDS = tuple(c for c in STREAM_OUTS.columns if c != "seq")
# The meeting's next ``seq``, counted under the meeting's lock.
_INSERT_STREAM = (
    f"INSERT INTO stream_outs ({', '.join(STREAM_OUTS.columns)}) SELECT "
    + ", ".join("COALESCE(MAX(seq), 0) + 1" if c == "seq" else "?" for c in STREAM_OUTS.columns)
    + " FROM stream_outs WHERE conference_id = ?"
)


def _stream_of(row: Row) -> StreamOut:
    """A stream from its row of :data:`_STREAM_FIELDS`."""
    stream_id, conference_id, url, name, mode, window, host_join, by, started, stopped = row
    return StreamOut(
        stream_id, conference_id, url, name, mode, window, bool(host_join), by, started, stopped
    )


def _settings_of(row: Row) -> MeetingSettings:
    conference_id, focus_union_id, ext_info, subtitle_events = row
    return MeetingSettings(conference_id, focus_union_id, ext_info, bool(subtitle_events))


def _of_corp(alias: str, corp_id: str | None) -> tuple[str, tuple[object, ...]]:
    """A join restricting rows to meetings of ``corp_id`` (none when None)."""
    if corp_id is None:
        return "", ()
    return (
        f"JOIN conferences c ON c.conference_id = {alias}.conference_id AND c.corp_id = ? ",
        (corp_id,),
    )


def _columns(alias: str, columns: tuple[str, ...]) -> str:
    return ", ".join(f"{alias}.{c}" for c in columns)


class StreamTables:
    """SQL for streams out and per-meeting settings (tables stream_outs, conference_extras)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def list_stream_outs(
        self, conference_id: str, corp_id: str | None = None
    ) -> list[StreamOut]:
        """A meeting's streams (of ``corp_id`` when given), oldest first."""
        join, params = _of_corp("s", corp_id)
        rows = await self._conn.fetchall(
            f"SELECT {_columns('s', _STREAM_FIELDS)} FROM stream_outs s {join}"
            "WHERE s.conference_id = ? ORDER BY s.seq",
            (*params, conference_id),
        )
        return [_stream_of(row) for row in rows]

    async def insert_stream_out(self, stream: StreamOut) -> None:
        """Store a stream that has started, as the meeting's next (under the meeting's lock)."""
        s = stream
        await self._conn.execute(
            _INSERT_STREAM,
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

    async def stop_stream_outs(
        self, conference_id: str, stream_ids: list[str] | None, at_ms: int
    ) -> int:
        """Stop a meeting's running streams (all, or those listed); return how many."""
        sql = "UPDATE stream_outs SET stopped_at = ? WHERE conference_id = ? AND stopped_at IS NULL"
        params: list[object] = [at_ms, conference_id]
        if stream_ids is not None:
            if not stream_ids:
                return 0
            sql += f" AND stream_id IN ({', '.join('?' * len(stream_ids))})"
            params.extend(stream_ids)
        return await self._conn.execute(sql, params)

    async def get_meeting_settings(
        self, conference_id: str, corp_id: str | None = None
    ) -> MeetingSettings | None:
        """A meeting's focus, ext info and subtitle flag (of ``corp_id`` when given),
        if any was ever set."""
        join, params = _of_corp("x", corp_id)
        row = await self._conn.fetchone(
            f"SELECT {_columns('x', MEETING_SETTINGS.columns)} "
            f"FROM conference_extras x {join}WHERE x.conference_id = ?",
            (*params, conference_id),
        )
        return _settings_of(row) if row else None

    async def put_meeting_settings(self, settings: MeetingSettings) -> None:
        """Write a meeting's focus, ext info and subtitle flag, whole."""
        x = settings
        await self._conn.execute(
            f"INSERT INTO conference_extras ({', '.join(MEETING_SETTINGS.columns)}) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (conference_id) DO UPDATE SET "
            "focus_union_id = excluded.focus_union_id, ext_info = excluded.ext_info, "
            "subtitle_events = excluded.subtitle_events",
            (x.conference_id, x.focus_union_id, x.ext_info, int(x.subtitle_events)),
        )
