"""SQL for meetings (table ``conferences``): the rows, their settings and their counters.

The counters move in statements that name only them (``active_num``,
``attend_num``, ``invited_num``) unless the meeting starts: naming ``status``
or ``start_time`` would rewrite the pages of the indexes covering them at
every join. What to write (which counters, whether the meeting starts) is
the services' decision (:mod:`dingconf.meetings.transitions`).
"""

import json
from collections.abc import Callable
from typing import Any

from dingconf.core.records import Conference, ConferenceStatus, ExtensionApp
from dingconf.db.driver import Connection, Row
from dingconf.db.table import Table

__all__ = ["CONFERENCES", "CONFERENCE_COLUMNS", "MeetingTables", "conference_of"]

#: Meetings, with their counters and in-meeting controls.
CONFERENCES = Table(
    "conferences",
    "conferences",
    (
        "conference_id",
        "corp_id",
        "title",
        "biz_type",
        "status",
        "room_code",
        "external_link_url",
        "creator_id",
        "creator_nick",
        "host_id",
        "start_time",
        "end_time",
        "schedule_conference_id",
        "active_num",
        "attend_num",
        "invited_num",
        "cloud_record_status",
        "cloud_record_owner",
        "extension_apps",
        "cohost_ids",
        "locked",
        "mute_all",
        "internal_only",
        "auto_record_type",
        "auto_record_owner",
        "minutes_status",
        "minutes_owner",
    ),
    ("conference_id",),
    False,
)
#: Its columns, in the order of :class:`Conference`'s fields (``start_time`` and
#: ``end_time`` hold ``start_time_ms`` and ``end_time_ms``).
CONFERENCE_COLUMNS = CONFERENCES.columns
#: Written when the meeting is created and never after: its identity.
_FIXED = (
    "conference_id",
    "corp_id",
    "biz_type",
    "room_code",
    "external_link_url",
    "creator_id",
    "creator_nick",
    "schedule_conference_id",
)
#: Moved only by their own statements (joins, leaves, invitations).
_COUNTERS = ("active_num", "attend_num", "invited_num")
#: What an update writes: a meeting's settings and state, never its counters.
_SETTINGS = tuple(c for c in CONFERENCE_COLUMNS if c not in _FIXED + _COUNTERS)
_EMPTY_JSON_LIST = "[]"
_STATUS = {int(s): s for s in ConferenceStatus}


def _apps_of(text: str) -> tuple[ExtensionApp, ...]:
    if text == _EMPTY_JSON_LIST:
        return ()
    return tuple(
        ExtensionApp(a["appCode"], a["appId"], a["autoOpenMode"], a["bizData"])
        for a in json.loads(text)
    )


def _apps_json(apps: tuple[ExtensionApp, ...]) -> str:
    if not apps:
        return _EMPTY_JSON_LIST
    # Stored rows name the app's key "appId"; the key stays for them.
    return json.dumps(
        [
            {
                "appCode": a.app_code,
                "appId": a.client_id,
                "autoOpenMode": a.auto_open_mode,
                "bizData": a.biz_data,
            }
            for a in apps
        ]
    )


def _cohosts_of(text: str) -> tuple[str, ...]:
    return () if text == _EMPTY_JSON_LIST else tuple(json.loads(text))


def _cohosts_json(cohost_ids: tuple[str, ...]) -> str:
    return json.dumps(list(cohost_ids))


# The columns stored in another form than the record's: (to the record, to the row).
_CONVERTED: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "status": (_STATUS.__getitem__, int),
    "extension_apps": (_apps_of, _apps_json),
    "cohost_ids": (_cohosts_of, _cohosts_json),
    "locked": (bool, int),
    "internal_only": (bool, int),
}
_AT = {column: at for at, column in enumerate(CONFERENCE_COLUMNS)}
_DECODE = tuple((_AT[column], decode) for column, (decode, _) in _CONVERTED.items())
_ENCODE = tuple((_AT[column], encode) for column, (_, encode) in _CONVERTED.items())
_SETTINGS_AT = tuple(_AT[column] for column in _SETTINGS)

_COLUMNS = ", ".join(CONFERENCE_COLUMNS)
_SELECT_BY_ID = f"SELECT {_COLUMNS} FROM conferences WHERE conference_id = ?"
_SELECT_OWN = _SELECT_BY_ID + " AND corp_id = ?"
_INSERT = (
    f"INSERT INTO conferences ({_COLUMNS}) VALUES ({', '.join('?' * len(CONFERENCE_COLUMNS))})"
)
_UPDATE = (
    f"UPDATE conferences SET {', '.join(c + ' = ?' for c in _SETTINGS)} WHERE conference_id = ?"
)
_ADD_INVITED = "UPDATE conferences SET invited_num = invited_num + ? WHERE conference_id = ?"
_JOIN_COUNTS = (
    "UPDATE conferences SET active_num = active_num + 1, attend_num = attend_num + ? "
    f"WHERE conference_id = ? RETURNING {_COLUMNS}"
)
_JOIN_STARTS = (
    "UPDATE conferences SET active_num = active_num + 1, attend_num = attend_num + ?, "
    f"status = ?, start_time = ? WHERE conference_id = ? RETURNING {_COLUMNS}"
)
_MOVE_ACTIVE = (
    "UPDATE conferences SET active_num = active_num + ? WHERE conference_id = ? "
    f"RETURNING {_COLUMNS}"
)
_END = "UPDATE conferences SET status = ?, end_time = ?, active_num = 0 WHERE conference_id = ?"


def conference_of(row: Row) -> Conference:
    """A meeting from a row of :data:`CONFERENCE_COLUMNS` (this runs on every query)."""
    values = list(row)
    for at, decode in _DECODE:
        values[at] = decode(values[at])
    return Conference._make(values)


def _row_of(conference: Conference) -> list[object]:
    """A meeting's values in :data:`CONFERENCE_COLUMNS` order, as stored."""
    values: list[object] = list(conference)
    for at, encode in _ENCODE:
        values[at] = encode(values[at])
    return values


class MeetingTables:
    """SQL for meetings (table ``conferences``)."""

    __slots__ = ("_conn", "_row_lock")

    def __init__(self, conn: Connection, row_lock: str = "") -> None:
        """``row_lock``: the transaction's clause that locks the rows a SELECT reads."""
        self._conn = conn
        self._row_lock = row_lock

    async def conference_corp(self, conference_id: str) -> str | None:
        """The organisation owning a meeting, if it exists."""
        row = await self._conn.fetchone(
            "SELECT corp_id FROM conferences WHERE conference_id = ?", (conference_id,)
        )
        return row[0] if row else None

    async def get(self, corp_id: str, conference_id: str) -> Conference | None:
        """A meeting of ``corp_id`` (another organisation's is not found)."""
        row = await self._conn.fetchone(_SELECT_OWN, (conference_id, corp_id))
        return conference_of(row) if row else None

    async def lock(self, corp_id: str, conference_id: str) -> Conference | None:
        """A meeting of ``corp_id``, held until the transaction ends."""
        # SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL
        # needs the row lock (the driver's ``row_lock`` clause).
        row = await self._conn.fetchone(_SELECT_OWN + self._row_lock, (conference_id, corp_id))
        return conference_of(row) if row else None

    async def lock_any(self, conference_id: str) -> Conference | None:
        """:meth:`lock` by id alone (the control API's view of every organisation)."""
        row = await self._conn.fetchone(_SELECT_BY_ID + self._row_lock, (conference_id,))
        return conference_of(row) if row else None

    async def insert(self, conference: Conference) -> None:
        """Store a new meeting (the driver raises RoomCodeTaken for a roomCode in use)."""
        await self._conn.execute(_INSERT, _row_of(conference))

    async def update(self, conference: Conference) -> None:
        """Write a meeting's settings and state; never its counters."""
        values = _row_of(conference)
        await self._conn.execute(
            _UPDATE, [*(values[at] for at in _SETTINGS_AT), conference.conference_id]
        )

    async def add_invited(self, conference_id: str, added: int) -> None:
        """Count ``added`` new invitees in ``invitedNum``."""
        await self._conn.execute(_ADD_INVITED, (added, conference_id))

    async def count_join(
        self,
        conference_id: str,
        attended: int,
        starts: tuple[ConferenceStatus, int] | None = None,
    ) -> Conference | None:
        """One more inside, ``attended`` more who ever attended; the meeting as it is now.

        ``starts``: the status and startTime the meeting starts with at this join.
        """
        if starts is None:
            rows = await self._conn.fetchall(_JOIN_COUNTS, (attended, conference_id))
        else:
            status, start_ms = starts
            rows = await self._conn.fetchall(
                _JOIN_STARTS, (attended, int(status), start_ms, conference_id)
            )
        return conference_of(rows[0]) if rows else None

    async def move_active(self, conference_id: str, by: int) -> Conference | None:
        """Move ``activeNum`` by ``by``; the meeting as it is now."""
        rows = await self._conn.fetchall(_MOVE_ACTIVE, (by, conference_id))
        return conference_of(rows[0]) if rows else None

    async def end(self, conference_id: str, status: ConferenceStatus, at_ms: int) -> None:
        """Give a meeting its final ``status`` and end time, nobody inside."""
        await self._conn.execute(_END, (int(status), at_ms, conference_id))
