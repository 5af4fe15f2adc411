"""Meeting events (spec §5): the outbox rows and their delivery to each app."""

from typing import NamedTuple, Protocol

__all__ = [
    "DEAD",
    "DELIVERED",
    "PENDING",
    "Delivery",
    "DeliveryPosition",
    "Fact",
    "OutboxEvent",
    "PushSubscription",
    "StreamChannel",
    "StreamSessions",
    "StreamTicket",
]

#: Delivery states.
PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


class OutboxEvent(NamedTuple):
    """One event as written in the change's transaction.

    ``payload`` is the business JSON (Stream mode's ``data``); ``target_app``
    is None for an org-wide event (every app of ``corp_id`` receives it) and
    the creating app for a ``*_target_push`` event.
    """

    event_id: str
    conference_id: str
    seq: int
    corp_id: str
    event_type: str
    target_app: str | None
    born_ms: int
    payload: str


class Fact(NamedTuple):
    """A change of a meeting as its outbox events, before it has its statusSeqNum.

    It becomes the org-wide event (``[0]`` of each pair) and, for a meeting an
    app created (or its booking), the ``*_target_push`` twin for that app
    (``[1]``). Each payload head is the event's JSON up to the value of its
    last member, ``statusSeqNum``, which the outbox writes.
    """

    conference_id: str
    schedule_id: str | None
    corp_id: str
    born_ms: int
    event_types: tuple[str, str]
    event_ids: tuple[str, str]
    payload_heads: tuple[str, str]


class Delivery(NamedTuple):
    """An event on its way to one app: state, attempts made, when to try next."""

    event: OutboxEvent
    app_key: str
    state: str
    attempts: int
    next_at_ms: int
    last_error: str


class DeliveryPosition(NamedTuple):
    """Where a delivery sits in an app's listing order: a page of it resumes past this."""

    conference_id: str
    seq: int
    event_type: str


class PushSubscription(NamedTuple):
    """Where an app wants its events POSTed (HTTP push), and its callback secrets."""

    app_key: str
    url: str
    token: str
    aes_key: str


class StreamTicket(NamedTuple):
    """What a Stream-mode ticket stands for: the app, its organisation, its topics."""

    app_key: str
    corp_id: str
    subscriptions: str
    expires_at_ms: int


class StreamChannel(Protocol):
    """One Stream-mode WebSocket as the delivery side sees it: text frames both ways."""

    async def send(self, text: str) -> None:
        """Send one text frame."""

    async def receive(self) -> str | None:
        """The next text frame from the client; None once the socket closed."""

    async def close(self) -> None:
        """Close the socket."""


class StreamSessions(Protocol):
    """Where the gateway hands each accepted WebSocket (the delivery side's hub)."""

    async def serve(self, ticket: StreamTicket, channel: StreamChannel) -> None:
        """Run the Stream session until the socket closes."""
