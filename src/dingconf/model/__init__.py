"""Typed records shared by the storage and service layers."""

from dingconf.model.content import MINUTES, RECORD, Span, Utterance
from dingconf.model.events import (
    Delivery,
    OutboxEvent,
    PushSubscription,
    StreamChannel,
    StreamSessions,
    StreamTicket,
)
from dingconf.model.records import (
    App,
    AttendStatus,
    Booking,
    BookingSettings,
    Conference,
    ConferenceStatus,
    ExtensionApp,
    Org,
    Participant,
    Principal,
    Suite,
    TokenRecord,
    User,
)

__all__ = [
    "MINUTES",
    "RECORD",
    "App",
    "AttendStatus",
    "Booking",
    "BookingSettings",
    "Conference",
    "ConferenceStatus",
    "Delivery",
    "ExtensionApp",
    "Org",
    "OutboxEvent",
    "Participant",
    "Principal",
    "PushSubscription",
    "Span",
    "StreamChannel",
    "StreamSessions",
    "StreamTicket",
    "Suite",
    "TokenRecord",
    "User",
    "Utterance",
]
