"""Row mapping for the SQL store: column lists, rows to records, records to parameters.

Shared by the store's reads (:mod:`.sql`) and its write transactions
(:mod:`.sql_tx`), so both read the same columns the same way.
"""

import json
from dataclasses import asdict

from dingconf.bookings.tables import BOOKINGS
from dingconf.core.records import (
    AttendStatus,
    Booking,
    BookingSettings,
    Conference,
    ConferenceStatus,
    ExtensionApp,
    Participant,
)
from dingconf.db.driver import Connection, Row
from dingconf.db.store import ConferenceFilter
from dingconf.meetings.tables import CONFERENCES, PARTICIPANTS

__all__ = [
    "BOOKING_COLUMNS",
    "CONFERENCE_COLUMNS",
    "EMPTY_JSON_LIST",
    "PARTICIPANT_COLUMNS",
    "SELECT_BOOKING",
    "SELECT_CONFERENCE",
    "booking_of",
    "booking_params",
    "conference_of",
    "control_params",
    "count_conferences",
    "extension_apps_json",
    "filter_sql",
    "participant_of",
    "select_booking_corp",
    "select_conference_corp",
    "select_conferences",
]

CONFERENCE_COLUMNS = ", ".join(CONFERENCES.columns)
SELECT_CONFERENCE = (
    f"SELECT {CONFERENCE_COLUMNS} FROM conferences WHERE conference_id = ? AND corp_id = ?"
)
# What a Participant holds: the member row less its session count and listing time.
PARTICIPANT_COLUMNS = ", ".join(
    c for c in PARTICIPANTS.columns if c not in ("sessions", "listed_at")
)
BOOKING_COLUMNS = ", ".join(BOOKINGS.columns)
SELECT_BOOKING = (
    f"SELECT {BOOKING_COLUMNS} FROM bookings WHERE schedule_conference_id = ? AND corp_id = ?"
)
EMPTY_JSON_LIST = "[]"


_STATUS = {int(s): s for s in ConferenceStatus}


def conference_of(row: Row) -> Conference:
    # Positional, in CONFERENCE_COLUMNS order: this runs on every query.
    apps_json = row[18]
    apps = (
        ()
        if apps_json == EMPTY_JSON_LIST
        else tuple(
            ExtensionApp(a["appCode"], a["appId"], a["autoOpenMode"], a["bizData"])
            for a in json.loads(apps_json)
        )
    )
    return Conference(
        row[0],
        row[1],
        row[2],
        row[3],
        _STATUS[row[4]],
        row[5],
        row[6],
        row[7],
        row[8],
        row[9],
        row[10],
        row[11],
        row[12],
        row[13],
        row[14],
        row[15],
        row[16],
        row[17],
        apps,
        () if row[19] == EMPTY_JSON_LIST else tuple(json.loads(row[19])),
        bool(row[20]),
        row[21],
        bool(row[22]),
        row[23],
        row[24],
        row[25],
        row[26],
    )


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


def extension_apps_json(apps: tuple[ExtensionApp, ...]) -> str:
    if not apps:
        return EMPTY_JSON_LIST
    return json.dumps(
        [
            {
                "appCode": a.app_code,
                # Stored rows name the app's key "appId"; the key stays for them.
                "appId": a.client_id,
                "autoOpenMode": a.auto_open_mode,
                "bizData": a.biz_data,
            }
            for a in apps
        ]
    )


def control_params(c: Conference) -> tuple[object, ...]:
    """The in-meeting control columns, in ``CONFERENCE_COLUMNS`` order."""
    return (
        json.dumps(list(c.cohost_ids)),
        int(c.locked),
        c.mute_all,
        int(c.internal_only),
        c.auto_record_type,
        c.auto_record_owner,
        c.minutes_status,
        c.minutes_owner,
    )


def participant_of(row: Row) -> Participant:
    return Participant(
        conference_id=row[0],
        union_id=row[1],
        nick=row[2],
        attend_status=AttendStatus(row[3]),
        first_join_ms=row[4],
        last_join_ms=row[5],
        leave_ms=row[6],
        duration_ms=row[7],
        muted=bool(row[8]),
        rejoin_forbidden=bool(row[9]),
        outer_org=bool(row[10]),
        reject_description=row[11],
    )


async def select_conference_corp(conn: Connection, conference_id: str) -> str | None:
    row = await conn.fetchone(
        "SELECT corp_id FROM conferences WHERE conference_id = ?", (conference_id,)
    )
    return row[0] if row else None


async def select_booking_corp(conn: Connection, schedule_conference_id: str) -> str | None:
    row = await conn.fetchone(
        "SELECT corp_id FROM bookings WHERE schedule_conference_id = ?",
        (schedule_conference_id,),
    )
    return row[0] if row else None


def filter_sql(where: ConferenceFilter) -> tuple[list[str], list[object]]:
    """WHERE fragments (fixed text) and their parameters for a conference filter."""
    clauses: list[str] = []
    params: list[object] = []
    for clause, value in (
        ("status = ?", None if where.status is None else int(where.status)),
        ("room_code = ?", where.room_code),
        ("schedule_conference_id = ?", where.schedule_conference_id),
        ("start_time >= ?", where.started_from_ms),
        ("start_time <= ?", where.started_to_ms),
        # replace() is a case-sensitive substring test that both backends have.
        ("replace(title, ?, '') <> title", where.title_contains or None),
        ("replace(creator_nick, ?, '') <> creator_nick", where.creator_nick_contains or None),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    return clauses, params


async def select_conferences(
    conn: Connection,
    corp_id: str | None,
    where: ConferenceFilter,
    window: tuple[int, int] | None = None,
    after: tuple[int, str] | None = None,
) -> list[Conference]:
    """Meetings of ``corp_id`` (None: any organisation) matching ``where``, by startTime.

    ``window`` is ``(offset, limit)`` of one page; ``after`` the
    ``(startTime, conferenceId)`` it starts after.
    """
    condition, params = _where(corp_id, where)
    if after is not None:
        condition += " AND (start_time, conference_id) > (?, ?)"
        params += list(after)
    page = ""
    if window is not None:
        page = " LIMIT ? OFFSET ?"
        params += [window[1], window[0]]
    rows = await conn.fetchall(
        f"SELECT {CONFERENCE_COLUMNS} FROM conferences "
        f"WHERE {condition} ORDER BY start_time, conference_id{page}",
        params,
    )
    return [conference_of(row) for row in rows]


async def count_conferences(conn: Connection, corp_id: str, where: ConferenceFilter) -> int:
    """How many meetings of ``corp_id`` match ``where``."""
    condition, params = _where(corp_id, where)
    row = await conn.fetchone(f"SELECT COUNT(*) FROM conferences WHERE {condition}", params)
    return int(row[0]) if row else 0


def _where(corp_id: str | None, where: ConferenceFilter) -> tuple[str, list[object]]:
    clauses, params = filter_sql(where)
    if corp_id is not None:
        clauses.append("corp_id = ?")
        params.append(corp_id)
    return " AND ".join(clauses) or "1 = 1", params
