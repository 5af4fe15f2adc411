"""SQL for operating a server: the figures that metrics read at scrape time."""

from dingconf.core.records import ConferenceStatus
from dingconf.db.driver import Connection

__all__ = ["LiveCountTables"]


class LiveCountTables:
    """SQL for what runs now across every organisation (table ``conferences``)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def live_counts(self) -> tuple[int, int]:
        """Meetings running now and the people inside them, in one indexed aggregate.

        ``active_num`` is kept in the meeting row by every join and leave, so this
        sums one column instead of counting participant rows.
        """
        row = await self._conn.fetchone(
            "SELECT COUNT(*), COALESCE(SUM(active_num), 0) FROM conferences WHERE status = ?",
            (int(ConferenceStatus.STARTED),),
        )
        if row is None:
            return 0, 0
        return int(row[0]), int(row[1])
