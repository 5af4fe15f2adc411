"""Typed records shared by the storage and service layers."""

from dingconf.model.analytics import DEVICE_TYPES, Device, NetworkSample, SessionRecord
from dingconf.model.content import MINUTES, RECORD, Span, Utterance
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
    "Device",
    "ExtensionApp",
    "LoginLink",
    "NetworkSample",
    "Org",
    "Participant",
    "Principal",
    "SessionRecord",
    "ShortLink",
    "Span",
    "StreamOut",
    "Suite",
    "TokenRecord",
    "User",
    "Utterance",
]
