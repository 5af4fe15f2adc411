"""Stream mode's gateway (spec §5): an app trades its credentials for a connection ticket.

``POST /v1.0/gateway/connections/open`` checks ``clientId``/``clientSecret``
(appKey and secret) and answers a ticket; the WebSocket presents it. Tickets
live in the store so that any process can accept the WebSocket.
"""

import json
from dataclasses import dataclass

from dingconf.auth.tables import OrgTables
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.secrets import hash_token, is_refused, new_token, verify_secret
from dingconf.db.store import Store
from dingconf.events.records import StreamTicket
from dingconf.events.tables import SubscriberTables

__all__ = ["TICKET_TTL_MS", "GatewayService", "Subscription"]

#: How long a ticket may wait before its WebSocket connects.
TICKET_TTL_MS = 5 * 60_000
#: Storing a ticket drops those that expired this long before it will.
_EXPIRED_KEPT_MS = 86_400_000
_TYPES = frozenset({"EVENT", "CALLBACK", "SYSTEM"})


@dataclass(frozen=True, slots=True)
class Subscription:
    """One ``subscriptions`` item: a frame type and a topic (``*`` for every event)."""

    type: str
    topic: str


class GatewayService:
    """Issues and checks Stream-mode connection tickets."""

    def __init__(self, store: Store, clock: Clock, refused_secret: str | None = None) -> None:
        self._store = store
        self._clock = clock
        # As for tokens (auth.service): the well-known demo secret, beyond loopback.
        self._refused = refused_secret

    async def open_connection(
        self, client_id: str, client_secret: str, subscriptions: list[Subscription]
    ) -> str:
        """A ticket for the app's WebSocket.

        Raises:
            InvalidRequest: ``invalidClientIdOrSecret`` for an unknown key or wrong
                secret (or the refused, well-known one), ``invalidParameter`` for a
                subscription of an unknown type.
        """
        app = await OrgTables(self._store.reader).get_app(client_id)
        if app is None or not await verify_secret(client_secret, app.secret_hash):
            raise errors.invalid_client()
        if is_refused(client_secret, self._refused):
            raise errors.invalid_client()
        for sub in subscriptions:
            if sub.type not in _TYPES or not sub.topic:
                raise errors.invalid_parameter(
                    f"subscriptions: unknown type {sub.type!r} or empty topic"
                )
        ticket = new_token()
        topics = json.dumps([[s.type, s.topic] for s in subscriptions])
        record = StreamTicket(
            app.app_key, app.corp_id, topics, self._clock.now_ms() + TICKET_TTL_MS
        )
        async with self._store.write() as tx:
            tickets = SubscriberTables(tx.conn)
            await tickets.drop_stream_tickets(record.expires_at_ms - _EXPIRED_KEPT_MS)
            await tickets.put_stream_ticket(hash_token(ticket), record)
        return ticket

    async def redeem(self, ticket: str) -> StreamTicket | None:
        """What a presented ticket stands for; None when unknown or expired."""
        record = await SubscriberTables(self._store.reader).get_stream_ticket(hash_token(ticket))
        if record is None or record.expires_at_ms <= self._clock.now_ms():
            return None
        return record
