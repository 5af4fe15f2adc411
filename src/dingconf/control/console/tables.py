"""SQL for the web console's reads (:mod:`dingconf.control.console.service`)."""

from dingconf.content.records import Utterance
from dingconf.content.tables import UTTERANCES
from dingconf.core.records import AttendStatus, Conference, ConferenceStatus
from dingconf.db.driver import Connection
from dingconf.meetings.tables import CONFERENCE_COLUMNS, conference_of

__all__ = ["ConsoleTables"]


class ConsoleTables:
    """SQL for what the console reads across every organisation (tables ``conferences``,
    ``utterances``, ``participants``, ``event_deliveries``)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def latest_conferences(self, limit: int) -> list[Conference]:
        """The ``limit`` meetings of every organisation started last, newest first."""
        rows = await self._conn.fetchall(
            f"SELECT {', '.join(CONFERENCE_COLUMNS)} FROM conferences "
            "ORDER BY start_time DESC, conference_id DESC LIMIT ?",
            (limit,),
        )
        return [conference_of(row) for row in rows]

    async def recent_speech(self, since_ms: int, now_ms: int) -> list[Utterance]:
        """What people still inside a running meeting said in ``(since_ms, now_ms]``
        (the running meetings' index, then each one's utterances by key)."""
        fields = ", ".join(f"u.{c}" for c in UTTERANCES.columns)
        rows = await self._conn.fetchall(
            f"SELECT {fields} FROM conferences c "
            "JOIN utterances u ON u.conference_id = c.conference_id "
            "JOIN participants p ON p.conference_id = u.conference_id "
            "AND p.union_id = u.union_id AND p.attend_status = ? "
            "WHERE c.status = ? AND u.at_ms > ? AND u.at_ms <= ?",
            (int(AttendStatus.ACTIVE), int(ConferenceStatus.STARTED), since_ms, now_ms),
        )
        return [Utterance(*row) for row in rows]

    async def deliveries_per_app(self) -> dict[str, int]:
        """How many event deliveries each app has (kept ones: retention drops old ones)."""
        rows = await self._conn.fetchall(
            "SELECT app_key, COUNT(*) FROM event_deliveries GROUP BY app_key", ()
        )
        return {str(app_key): int(count) for app_key, count in rows}
