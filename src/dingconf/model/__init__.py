"""Typed records shared by the storage and service layers."""

from dingconf.model.analytics import DEVICE_TYPES, Device, NetworkSample, SessionRecord
from dingconf.model.content import MINUTES, RECORD, Span, Utterance
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
    "ConferenceStatus",
    "Device",
    "ExtensionApp",
    "NetworkSample",
    "Org",
    "Participant",
    "Principal",
    "SessionRecord",
    "Span",
    "StateDump",
    "Suite",
    "TokenRecord",
    "User",
    "Utterance",
]
