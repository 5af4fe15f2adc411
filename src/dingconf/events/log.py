"""What happened to each event, per app: the control API's view of the outbox."""

from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.digits import digits_value
from dingconf.core.paging import MAX_PAGE
from dingconf.db.store import Store
from dingconf.events.records import DEAD, DELIVERED, PENDING, Delivery, DeliveryPosition
from dingconf.events.tables import DeliveryTables

__all__ = ["DEFAULT_EVENTS_PAGE", "EventLogService", "next_token_of"]

_STATES = frozenset({PENDING, DELIVERED, DEAD})
#: Events in a page when ``maxResults`` is not given (at most :data:`MAX_PAGE`).
DEFAULT_EVENTS_PAGE = 500


def next_token_of(last: Delivery) -> str:
    """The token of the page after ``last``: its position, ``seq.eventType.conferenceId``."""
    e = last.event
    return f"{e.seq}.{e.event_type}.{e.conference_id}"


def _position(token: str) -> DeliveryPosition:
    seq, _, rest = token.partition(".")
    event_type, _, conference_id = rest.partition(".")
    number = digits_value(seq)
    if number is None or not (event_type and conference_id):
        raise errors.param_error(f"invalid nextToken {token!r}")
    return DeliveryPosition(conference_id, number, event_type)


class EventLogService:
    """List an app's events with their delivery state, and send one again."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def deliveries(
        self,
        app_key: str,
        state: str | None,
        next_token: str | None = None,
        max_results: int | None = None,
    ) -> tuple[list[Delivery], str]:
        """A page of an app's events (optionally only ``pending``, ``delivered`` or
        ``dead``) and the next page's token ("" after the last page).

        Raises:
            InvalidRequest: ``paramError`` without an app, for an unknown state, a
                malformed token or a page size below 1.
        """
        if not app_key:
            raise errors.param_error("appKey is required")
        if state is not None and state not in _STATES:
            raise errors.param_error(f"state must be one of {sorted(_STATES)}")
        size = DEFAULT_EVENTS_PAGE if max_results is None else max_results
        if size < 1:
            raise errors.param_error("maxResults must be at least 1")
        size = min(size, MAX_PAGE)
        after = _position(next_token) if next_token else None
        # One row more than the page tells whether another page follows.
        found = await DeliveryTables(self._store.reader).list_deliveries(
            app_key, state, after, size + 1
        )
        if len(found) <= size:
            return found, ""
        return found[:size], next_token_of(found[size - 1])

    async def redeliver(self, event_id: str, app_key: str) -> None:
        """Send an event to an app again, whatever became of it, with fresh attempts.

        Raises:
            NotFound: ``eventNotFound`` when the app was never sent this event.
        """
        async with self._store.write() as tx:
            deliveries = DeliveryTables(tx.conn)
            found = await deliveries.requeue_delivery(event_id, app_key, self._clock.now_ms())
        if not found:
            raise errors.event_not_found(f"no event {event_id} for app {app_key}")
