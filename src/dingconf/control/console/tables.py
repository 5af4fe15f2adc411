"""SQL for the web console's reads (:mod:`dingconf.control.console.service`)."""

from dingconf.core.records import Conference
from dingconf.db.driver import Connection
from dingconf.meetings.tables import CONFERENCE_COLUMNS, conference_of

__all__ = ["ConsoleTables"]


class ConsoleTables:
    """SQL for what the console reads across every organisation (table ``conferences``)."""

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
