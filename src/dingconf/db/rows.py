"""Row mapping for the SQL store: column lists, rows to records, records to parameters.

Shared by the store's reads (:mod:`.sql`) and its write transactions
(:mod:`.sql_tx`), so both read the same columns the same way.
"""

import json
from dataclasses import asdict

from dingconf.core.records import App, Booking, BookingSettings, ExtensionApp, User
from dingconf.db.driver import Connection, Row

__all__ = [
    "BOOKING_COLUMNS",
    "SELECT_BOOKING",
    "app_of",
    "booking_of",
    "booking_params",
    "bump_auth_epoch",
    "scopes_of",
    "select_booking_corp",
    "select_user",
    "user_of",
]

BOOKING_COLUMNS = (
    "schedule_conference_id, corp_id, creator_id, title, start_time, end_time, room_code, url, "
    "cancelled, settings"
)
SELECT_BOOKING = (
    f"SELECT {BOOKING_COLUMNS} FROM bookings WHERE schedule_conference_id = ? AND corp_id = ?"
)


def scopes_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


def booking_of(row: Row) -> Booking:
    raw = json.loads(row[9])
    apps = raw.pop("extension_apps", None)
    cohosts = raw.pop("cohost_ids", None)
    settings = BookingSettings(
        **raw,
        # asdict() keeps NamedTuples, which JSON stores as lists in field order.
        extension_apps=None if apps is None else tuple(ExtensionApp(*a) for a in apps),
        cohost_ids=None if cohosts is None else tuple(cohosts),
    )
    return Booking(
        schedule_conference_id=row[0],
        corp_id=row[1],
        creator_id=row[2],
        title=row[3],
        start_time_ms=row[4],
        end_time_ms=row[5],
        room_code=row[6],
        url=row[7],
        cancelled=bool(row[8]),
        settings=settings,
    )


def booking_params(b: Booking) -> tuple[object, ...]:
    # Only the settings that were given are stored, so the JSON stays small.
    settings = {k: v for k, v in asdict(b.settings).items() if v is not None}
    return (
        b.schedule_conference_id,
        b.corp_id,
        b.creator_id,
        b.title,
        b.start_time_ms,
        b.end_time_ms,
        b.room_code,
        b.url,
        int(b.cancelled),
        json.dumps(settings),
    )


def user_of(row: Row) -> User:
    return User(
        corp_id=row[0],
        union_id=row[1],
        nick=row[2],
        user_id=row[3],
        job_number=row[4],
        dept_name=row[5],
    )


def app_of(row: Row) -> App:
    return App(app_key=row[0], corp_id=row[1], secret_hash=row[2], scopes=scopes_of(row[3]))


async def select_user(conn: Connection, corp_id: str, union_id: str) -> User | None:
    row = await conn.fetchone(
        "SELECT corp_id, union_id, nick, user_id, job_number, dept_name FROM users "
        "WHERE corp_id = ? AND union_id = ?",
        (corp_id, union_id),
    )
    return user_of(row) if row else None


async def select_booking_corp(conn: Connection, schedule_conference_id: str) -> str | None:
    row = await conn.fetchone(
        "SELECT corp_id FROM bookings WHERE schedule_conference_id = ?",
        (schedule_conference_id,),
    )
    return row[0] if row else None


async def bump_auth_epoch(conn: Connection) -> None:
    """Move the auth epoch: every process's token cache empties at its next use."""
    await conn.execute("UPDATE auth_epoch SET epoch = epoch + 1 WHERE id = 1")
