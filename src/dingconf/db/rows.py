"""Row mapping for the SQL store: column lists, rows to records, records to parameters.

Shared by the store's reads (:mod:`.sql`) and its write transactions
(:mod:`.sql_tx`), so both read the same columns the same way.
"""

import json

from dingconf.core.records import (
    App,
    AttendStatus,
    Conference,
    ConferenceStatus,
    ExtensionApp,
    Participant,
    User,
)
from dingconf.db.driver import Connection, Row

__all__ = [
    "CONFERENCE_COLUMNS",
    "EMPTY_JSON_LIST",
    "PARTICIPANT_COLUMNS",
    "SELECT_CONFERENCE",
    "app_of",
    "bump_auth_epoch",
    "conference_of",
    "control_params",
    "extension_apps_json",
    "participant_of",
    "scopes_of",
    "select_conference_corp",
    "select_user",
    "user_of",
]

CONFERENCE_COLUMNS = (
    "conference_id, corp_id, title, biz_type, status, room_code, external_link_url, "
    "creator_id, creator_nick, host_id, start_time, end_time, schedule_conference_id, "
    "active_num, attend_num, invited_num, cloud_record_status, cloud_record_owner, "
    "extension_apps, cohost_ids, locked, mute_all, internal_only, auto_record_type, "
    "auto_record_owner, minutes_status, minutes_owner"
)
SELECT_CONFERENCE = (
    f"SELECT {CONFERENCE_COLUMNS} FROM conferences WHERE conference_id = ? AND corp_id = ?"
)
PARTICIPANT_COLUMNS = (
    "conference_id, union_id, nick, attend_status, first_join, last_join, leave_time, duration, "
    "muted, rejoin_forbidden, outer_org, reject_description"
)
EMPTY_JSON_LIST = "[]"


def scopes_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


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


async def select_conference_corp(conn: Connection, conference_id: str) -> str | None:
    row = await conn.fetchone(
        "SELECT corp_id FROM conferences WHERE conference_id = ?", (conference_id,)
    )
    return row[0] if row else None


async def bump_auth_epoch(conn: Connection) -> None:
    """Move the auth epoch: every process's token cache empties at its next use."""
    await conn.execute("UPDATE auth_epoch SET epoch = epoch + 1 WHERE id = 1")
