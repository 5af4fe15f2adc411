"""SQL for bookings (table bookings)."""

from dingconf.db.table import Table

#: Booked meetings and their settings (JSON).
BOOKINGS = Table(
    "bookings",
    "bookings",
    (
        "schedule_conference_id",
        "corp_id",
        "creator_id",
        "title",
        "start_time",
        "end_time",
        "room_code",
        "url",
        "cancelled",
        "settings",
    ),
    ("schedule_conference_id",),
    False,
)
