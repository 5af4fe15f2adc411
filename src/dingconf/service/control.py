"""The emulator's control plane: what real DingTalk clients and time would do."""

from dingconf.clock import Clock
from dingconf.errors import NotFound
from dingconf.model import Participant
from dingconf.service.conferences import ConferenceService
from dingconf.storage.base import Store

__all__ = ["ControlService"]


class ControlService:
    """Drive participants and the clock, across organisations (an operator's view)."""

    def __init__(self, store: Store, clock: Clock, conferences: ConferenceService) -> None:
        self._store = store
        self._clock = clock
        self._conferences = conferences

    async def _corp_of(self, conference_id: str) -> str:
        corp_id = await self._store.conference_corp(conference_id)
        if corp_id is None:
            raise NotFound("roomNotFound", "ROOM NOT FOUND")
        return corp_id

    async def join(self, conference_id: str, union_id: str, nick: str | None) -> None:
        """A person's client joins the meeting (rejoining after leaving is allowed)."""
        corp_id = await self._corp_of(conference_id)
        await self._conferences.join(corp_id, conference_id, union_id, nick)

    async def leave(self, conference_id: str, union_id: str) -> None:
        """A person's client leaves the meeting."""
        corp_id = await self._corp_of(conference_id)
        await self._conferences.leave(corp_id, conference_id, union_id)

    async def participants(self, conference_id: str) -> list[Participant]:
        """Everyone who ever joined the meeting, with their current state."""
        corp_id = await self._corp_of(conference_id)
        return await self._store.list_participants(corp_id, conference_id)

    def now_ms(self) -> int:
        """The server's current time."""
        return self._clock.now_ms()

    def advance_clock(self, ms: int) -> int:
        """Move the server's clock forward; return the new time."""
        return self._clock.advance(ms)
