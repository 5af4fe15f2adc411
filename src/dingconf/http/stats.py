"""Figures about the whole server, for operators (metrics), never for API callers."""

from typing import NamedTuple

from dingconf.db.live_counts import LiveCountTables
from dingconf.db.store import Store

__all__ = ["LiveCounts", "StatsService"]


class LiveCounts(NamedTuple):
    """What is happening now, across every organisation."""

    meetings: int
    participants: int


class StatsService:
    """Server-wide figures read from the store on demand.

    Deliberately takes no :class:`~dingconf.model.Principal`: it is reached only
    through the control API's guard, and reveals counts, never anyone's data.
    """

    def __init__(self, store: Store) -> None:
        self._store = store

    async def live(self) -> LiveCounts:
        """Meetings running now and the people inside them."""
        meetings, participants = await LiveCountTables(self._store.reader).live_counts()
        return LiveCounts(meetings, participants)
