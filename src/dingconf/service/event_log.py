"""What happened to each event, per app: the control API's view of the outbox."""

from dingconf.clock import Clock
from dingconf.errors import InvalidRequest, NotFound
from dingconf.model import Delivery
from dingconf.model.events import DEAD, DELIVERED, PENDING
from dingconf.storage.base import Store

__all__ = ["EventLogService"]

_STATES = frozenset({PENDING, DELIVERED, DEAD})


class EventLogService:
    """List an app's events with their delivery state, and send one again."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def deliveries(self, app_key: str, state: str | None) -> list[Delivery]:
        """An app's events (optionally only ``pending``, ``delivered`` or ``dead``).

        Raises:
            InvalidRequest: ``paramError`` without an app or for an unknown state.
        """
        if not app_key:
            raise InvalidRequest("paramError", "appKey is required")
        if state is not None and state not in _STATES:
            raise InvalidRequest("paramError", f"state must be one of {sorted(_STATES)}")
        return await self._store.list_deliveries(app_key, state)

    async def redeliver(self, event_id: str, app_key: str) -> None:
        """Send an event to an app again, whatever became of it, with fresh attempts.

        Raises:
            NotFound: ``eventNotFound`` when the app was never sent this event.
        """
        async with self._store.write() as tx:
            found = await tx.requeue_delivery(event_id, app_key, self._clock.now_ms())
        if not found:
            raise NotFound("eventNotFound", f"no event {event_id} for app {app_key}")
