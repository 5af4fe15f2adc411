"""Typed records shared by the storage and service layers."""

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
    "App",
    "AttendStatus",
    "Booking",
    "BookingSettings",
    "Conference",
    "ConferenceStatus",
    "ExtensionApp",
    "Org",
    "Participant",
    "Principal",
    "Suite",
    "TokenRecord",
    "User",
]
