"""SQL for booked meetings (table ``bookings``).

A booking's settings are one JSON column holding only the settings that were
given, so the row stays small and a setting never given reads back as None.
"""

import json
from dataclasses import asdict

from dingconf.core.records import Booking, BookingSettings, ExtensionApp
from dingconf.db.driver import Connection, Row
from dingconf.db.table import Table

__all__ = ["BOOKINGS", "BookingTables"]

#: The ``bookings`` table, declared once: its SQL and the state document read it.
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
_COLUMNS = BOOKINGS.columns
_KEY = ("schedule_conference_id", "corp_id")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM bookings"
_BY_KEY = f"{_SELECT} WHERE schedule_conference_id = ? AND corp_id = ?"
_INSERT = f"INSERT INTO bookings ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_CHANGED = tuple(c for c in _COLUMNS if c not in _KEY)
_UPDATE = (
    f"UPDATE bookings SET {', '.join(c + ' = ?' for c in _CHANGED)} "
    "WHERE schedule_conference_id = ? AND corp_id = ?"
)


def _booking_of(row: Row) -> Booking:
    """A ``bookings`` row (:data:`_COLUMNS` order) as a record."""
    values = dict(zip(_COLUMNS, row, strict=True))
    raw = json.loads(values["settings"])
    apps = raw.pop("extension_apps", None)
    cohosts = raw.pop("cohost_ids", None)
    settings = BookingSettings(
        **raw,
        # asdict() keeps NamedTuples, which JSON stores as lists in field order.
        extension_apps=None if apps is None else tuple(ExtensionApp(*a) for a in apps),
        cohost_ids=None if cohosts is None else tuple(cohosts),
    )
    return Booking(
        schedule_conference_id=values["schedule_conference_id"],
        corp_id=values["corp_id"],
        creator_id=values["creator_id"],
        title=values["title"],
        start_time_ms=values["start_time"],
        end_time_ms=values["end_time"],
        room_code=values["room_code"],
        url=values["url"],
        cancelled=bool(values["cancelled"]),
        settings=settings,
    )


def _values_of(b: Booking) -> dict[str, object]:
    """A booking's column values, by column name."""
    # Only the settings that were given are stored, so the JSON stays small.
    settings = {k: v for k, v in asdict(b.settings).items() if v is not None}
    return {
        "schedule_conference_id": b.schedule_conference_id,
        "corp_id": b.corp_id,
        "creator_id": b.creator_id,
        "title": b.title,
        "start_time": b.start_time_ms,
        "end_time": b.end_time_ms,
        "room_code": b.room_code,
        "url": b.url,
        "cancelled": int(b.cancelled),
        "settings": json.dumps(settings),
    }


class BookingTables:
    """SQL for bookings (table ``bookings``)."""

    __slots__ = ("_conn", "_row_lock")

    def __init__(self, conn: Connection, row_lock: str = "") -> None:
        """Statements on ``conn``; ``row_lock`` is the transaction's SELECT ... FOR UPDATE
        clause (:meth:`lock_booking` holds the row with it)."""
        self._conn = conn
        self._row_lock = row_lock

    async def booking_corp(self, schedule_conference_id: str) -> str | None:
        """The organisation owning a booking, if it exists."""
        row = await self._conn.fetchone(
            "SELECT corp_id FROM bookings WHERE schedule_conference_id = ?",
            (schedule_conference_id,),
        )
        return row[0] if row else None

    async def get_booking(self, corp_id: str, schedule_conference_id: str) -> Booking | None:
        """Read a booking of ``corp_id``."""
        row = await self._conn.fetchone(_BY_KEY, (schedule_conference_id, corp_id))
        return _booking_of(row) if row else None

    async def lock_booking(self, corp_id: str, schedule_conference_id: str) -> Booking | None:
        """Read a booking of ``corp_id`` and hold it until the transaction ends."""
        row = await self._conn.fetchone(_BY_KEY + self._row_lock, (schedule_conference_id, corp_id))
        return _booking_of(row) if row else None

    async def booking_by_room_code(self, room_code: str) -> Booking | None:
        """The booking (not cancelled) that owns a roomCode, in any organisation."""
        row = await self._conn.fetchone(
            f"{_SELECT} WHERE room_code = ? AND cancelled = 0", (room_code,)
        )
        return _booking_of(row) if row else None

    async def booking_by_url(self, corp_id: str, url: str) -> Booking | None:
        """The booking of ``corp_id`` whose share link is ``url``."""
        row = await self._conn.fetchone(f"{_SELECT} WHERE url = ? AND corp_id = ?", (url, corp_id))
        return _booking_of(row) if row else None

    async def insert_booking(self, booking: Booking) -> None:
        """Store a new booking."""
        values = _values_of(booking)
        await self._conn.execute(_INSERT, [values[c] for c in _COLUMNS])

    async def update_booking(self, booking: Booking) -> None:
        """Write a booking's fields and settings (only a booking of its ``corp_id``)."""
        values = _values_of(booking)
        await self._conn.execute(_UPDATE, [values[c] for c in (*_CHANGED, *_KEY)])
