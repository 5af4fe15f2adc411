"""Typed records shared by the storage and service layers."""

from dingconf.model.analytics import DEVICE_TYPES, Device, NetworkSample, SessionRecord
from dingconf.model.content import MINUTES, RECORD, Span, Utterance
from dingconf.model.events import (
    Delivery,
    OutboxEvent,
    PushSubscription,
    StreamChannel,
    StreamSessions,
    StreamTicket,
)
from dingconf.model.extras import ConferenceExtras, LoginLink, ShortLink, StreamOut
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
from dingconf.model.state import StateDump

__all__ = [
    "DEVICE_TYPES",
    "MINUTES",
    "RECORD",
    "App",
    "AttendStatus",
    "Booking",
    "BookingSettings",
    "Conference",
    "ConferenceExtras",
    "ConferenceStatus",
    "Delivery",
    "Device",
    "ExtensionApp",
    "LoginLink",
    "NetworkSample",
    "Org",
    "OutboxEvent",
    "Participant",
    "Principal",
    "PushSubscription",
    "SessionRecord",
    "ShortLink",
    "Span",
    "StateDump",
    "StreamChannel",
    "StreamOut",
    "StreamSessions",
    "StreamTicket",
    "Suite",
    "TokenRecord",
    "User",
    "Utterance",
]
