"""The store, written once in portable SQL over a :class:`~.driver.Database`.

SQLite and PostgreSQL differ only in their drivers; every query and every
row-to-record mapping lives here, so both backends behave the same.
"""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict

from dingconf.model import (
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
from dingconf.storage.base import ConferenceFilter, Invitation, Store, WriteTx
from dingconf.storage.driver import Connection, Database, Row

__all__ = ["SqlStore"]

_CONFERENCE_COLUMNS = (
    "conference_id, corp_id, title, biz_type, status, room_code, external_link_url, "
    "creator_id, creator_nick, host_id, start_time, end_time, schedule_conference_id, "
    "active_num, attend_num, invited_num, cloud_record_status, cloud_record_owner, "
    "extension_apps, cohost_ids, locked, mute_all, internal_only, auto_record_type, "
    "auto_record_owner"
)
_SELECT_CONFERENCE = (
    f"SELECT {_CONFERENCE_COLUMNS} FROM conferences WHERE conference_id = ? AND corp_id = ?"
)
_PARTICIPANT_COLUMNS = (
    "conference_id, union_id, nick, attend_status, first_join, last_join, leave_time, duration, "
    "muted, rejoin_forbidden, outer_org"
)
_BOOKING_COLUMNS = (
    "schedule_conference_id, corp_id, creator_id, title, start_time, end_time, room_code, url, "
    "cancelled, settings"
)
_SELECT_BOOKING = (
    f"SELECT {_BOOKING_COLUMNS} FROM bookings WHERE schedule_conference_id = ? AND corp_id = ?"
)
_EMPTY_JSON_LIST = "[]"


def _scopes(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STATUS = {int(s): s for s in ConferenceStatus}


def _conference(row: Row) -> Conference:
    # Positional, in _CONFERENCE_COLUMNS order: this runs on every query.
    apps_json = row[18]
    apps = (
        ()
        if apps_json == _EMPTY_JSON_LIST
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
        () if row[19] == _EMPTY_JSON_LIST else tuple(json.loads(row[19])),
        bool(row[20]),
        row[21],
        bool(row[22]),
        row[23],
        row[24],
    )


def _booking(row: Row) -> Booking:
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


def _booking_params(b: Booking) -> tuple[object, ...]:
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


def _extension_apps_json(apps: tuple[ExtensionApp, ...]) -> str:
    if not apps:
        return _EMPTY_JSON_LIST
    return json.dumps(
        [
            {
                "appCode": a.app_code,
                "appId": a.app_id,
                "autoOpenMode": a.auto_open_mode,
                "bizData": a.biz_data,
            }
            for a in apps
        ]
    )


def _control_params(c: Conference) -> tuple[object, ...]:
    """The in-meeting control columns, in ``_CONFERENCE_COLUMNS`` order."""
    return (
        json.dumps(list(c.cohost_ids)),
        int(c.locked),
        c.mute_all,
        int(c.internal_only),
        c.auto_record_type,
        c.auto_record_owner,
    )


def _participant(row: Row) -> Participant:
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
    )


def _user(row: Row) -> User:
    return User(corp_id=row[0], union_id=row[1], nick=row[2], user_id=row[3], job_number=row[4])


def _app(row: Row) -> App:
    return App(app_key=row[0], corp_id=row[1], secret_hash=row[2], scopes=_scopes(row[3]))


async def _get_user(conn: Connection, corp_id: str, union_id: str) -> User | None:
    row = await conn.fetchone(
        "SELECT corp_id, union_id, nick, user_id, job_number FROM users "
        "WHERE corp_id = ? AND union_id = ?",
        (corp_id, union_id),
    )
    return _user(row) if row else None


async def _conference_corp(conn: Connection, conference_id: str) -> str | None:
    row = await conn.fetchone(
        "SELECT corp_id FROM conferences WHERE conference_id = ?", (conference_id,)
    )
    return row[0] if row else None


async def _booking_corp(conn: Connection, schedule_conference_id: str) -> str | None:
    row = await conn.fetchone(
        "SELECT corp_id FROM bookings WHERE schedule_conference_id = ?",
        (schedule_conference_id,),
    )
    return row[0] if row else None


class _SqlWriteTx(WriteTx):
    """Write operations on the connection that holds the transaction."""

    def __init__(self, conn: Connection, row_lock: str) -> None:
        self._conn = conn
        self._row_lock = row_lock
        #: Set when this transaction changed something live tokens depend on.
        self.auth_changed = False

    async def get_user(self, corp_id: str, union_id: str) -> User | None:
        return await _get_user(self._conn, corp_id, union_id)

    async def conference_corp(self, conference_id: str) -> str | None:
        return await _conference_corp(self._conn, conference_id)

    async def booking_corp(self, schedule_conference_id: str) -> str | None:
        return await _booking_corp(self._conn, schedule_conference_id)

    async def _bump_auth_epoch(self) -> None:
        await self._conn.execute("UPDATE auth_epoch SET epoch = epoch + 1 WHERE id = 1")
        self.auth_changed = True

    async def upsert_org(self, org: Org) -> None:
        await self._conn.execute(
            "INSERT INTO orgs (corp_id, name) VALUES (?, ?) "
            "ON CONFLICT (corp_id) DO UPDATE SET name = excluded.name",
            (org.corp_id, org.name),
        )

    async def upsert_user(self, user: User) -> None:
        await self._conn.execute(
            "INSERT INTO users (corp_id, union_id, nick, user_id, job_number) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (corp_id, union_id) DO UPDATE SET "
            "nick = excluded.nick, user_id = excluded.user_id, job_number = excluded.job_number",
            (user.corp_id, user.union_id, user.nick, user.user_id, user.job_number),
        )

    async def upsert_app(self, app: App) -> None:
        # The WHERE makes an identical upsert a no-op, so reloading a seed
        # neither rewrites rows nor invalidates token caches.
        changed = await self._conn.execute(
            "INSERT INTO apps (app_key, corp_id, secret_hash, scopes) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (app_key) DO UPDATE SET corp_id = excluded.corp_id, "
            "secret_hash = excluded.secret_hash, scopes = excluded.scopes "
            "WHERE apps.corp_id <> excluded.corp_id OR apps.secret_hash <> excluded.secret_hash "
            "OR apps.scopes <> excluded.scopes",
            (app.app_key, app.corp_id, app.secret_hash, " ".join(sorted(app.scopes))),
        )
        if changed:
            await self._bump_auth_epoch()

    async def upsert_suite(self, suite: Suite) -> None:
        changed = await self._conn.execute(
            "INSERT INTO suites (suite_key, secret_hash, scopes) VALUES (?, ?, ?) "
            "ON CONFLICT (suite_key) DO UPDATE SET secret_hash = excluded.secret_hash, "
            "scopes = excluded.scopes "
            "WHERE suites.secret_hash <> excluded.secret_hash OR suites.scopes <> excluded.scopes",
            (suite.suite_key, suite.secret_hash, " ".join(sorted(suite.scopes))),
        )
        rows = await self._conn.fetchall(
            "SELECT corp_id FROM suite_corps WHERE suite_key = ?", (suite.suite_key,)
        )
        current = {row[0] for row in rows}
        for corp_id in sorted(current - suite.authorized_corps):
            changed += await self._conn.execute(
                "DELETE FROM suite_corps WHERE suite_key = ? AND corp_id = ?",
                (suite.suite_key, corp_id),
            )
        for corp_id in sorted(suite.authorized_corps - current):
            changed += await self._conn.execute(
                "INSERT INTO suite_corps (suite_key, corp_id) VALUES (?, ?)",
                (suite.suite_key, corp_id),
            )
        if changed:
            await self._bump_auth_epoch()

    async def put_token(self, token: TokenRecord) -> None:
        await self._conn.execute(
            "INSERT INTO tokens (token_hash, client_kind, client_key, corp_id, expires_at, nonce) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                token.token_hash,
                token.client_kind,
                token.client_key,
                token.corp_id,
                token.expires_at_ms,
                token.nonce,
            ),
        )

    async def find_live_token(
        self, client_kind: str, client_key: str, corp_id: str, now_ms: int
    ) -> TokenRecord | None:
        if client_kind == "app":
            # Two concurrent requests of one app must agree on one token.
            await self._conn.fetchone(
                "SELECT 1 FROM apps WHERE app_key = ?" + self._row_lock, (client_key,)
            )
        row = await self._conn.fetchone(
            "SELECT token_hash, client_kind, client_key, corp_id, expires_at, nonce FROM tokens "
            "WHERE client_kind = ? AND client_key = ? AND corp_id = ? AND expires_at > ? "
            "ORDER BY expires_at DESC LIMIT 1",
            (client_kind, client_key, corp_id, now_ms),
        )
        return TokenRecord(*row) if row else None

    async def extend_token(self, token_hash: str, expires_at_ms: int) -> None:
        await self._conn.execute(
            "UPDATE tokens SET expires_at = ? WHERE token_hash = ?", (expires_at_ms, token_hash)
        )

    async def delete_tokens(self, client_kind: str, client_key: str) -> int:
        deleted = await self._conn.execute(
            "DELETE FROM tokens WHERE client_kind = ? AND client_key = ?",
            (client_kind, client_key),
        )
        await self._bump_auth_epoch()
        return deleted

    async def insert_conference(
        self, conference: Conference, invitations: list[Invitation], invited_by: str
    ) -> None:
        c = conference
        await self._conn.execute(
            f"INSERT INTO conferences ({_CONFERENCE_COLUMNS}) VALUES ({', '.join('?' * 25)})",
            (
                c.conference_id,
                c.corp_id,
                c.title,
                c.biz_type,
                int(c.status),
                c.room_code,
                c.external_link_url,
                c.creator_id,
                c.creator_nick,
                c.host_id,
                c.start_time_ms,
                c.end_time_ms,
                c.schedule_conference_id,
                c.active_num,
                c.attend_num,
                c.invited_num,
                c.cloud_record_status,
                c.cloud_record_owner,
                _extension_apps_json(c.extension_apps),
                *_control_params(c),
            ),
        )
        # The row already counts them (invited_num).
        await self._invite(c.conference_id, invitations, invited_by, c.start_time_ms)

    async def update_conference(self, conference: Conference) -> None:
        c = conference
        await self._conn.execute(
            "UPDATE conferences SET title = ?, status = ?, host_id = ?, start_time = ?, "
            "end_time = ?, cloud_record_status = ?, cloud_record_owner = ?, extension_apps = ?, "
            "cohost_ids = ?, locked = ?, mute_all = ?, internal_only = ?, auto_record_type = ?, "
            "auto_record_owner = ? WHERE conference_id = ?",
            (
                c.title,
                int(c.status),
                c.host_id,
                c.start_time_ms,
                c.end_time_ms,
                c.cloud_record_status,
                c.cloud_record_owner,
                _extension_apps_json(c.extension_apps),
                *_control_params(c),
                c.conference_id,
            ),
        )

    async def add_invitations(
        self, conference_id: str, invitations: list[Invitation], invited_by: str, at_ms: int
    ) -> int:
        added = await self._invite(conference_id, invitations, invited_by, at_ms)
        await self._conn.execute(
            "UPDATE conferences SET invited_num = invited_num + ? WHERE conference_id = ?",
            (added, conference_id),
        )
        return added

    async def _invite(
        self, conference_id: str, invitations: list[Invitation], invited_by: str, at_ms: int
    ) -> int:
        """Record invitations and ring the invitees; return how many are new."""
        added = 0
        for union_id, nick in invitations:
            added += await self._conn.execute(
                "INSERT INTO invitations (conference_id, union_id, nick, invited_by, invited_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (conference_id, union_id) DO NOTHING",
                (conference_id, union_id, nick, invited_by, at_ms),
            )
            # Being rung: a new member, or one who left or was kicked is called again
            # (someone inside stays inside).
            await self._conn.execute(
                "INSERT INTO participants (conference_id, union_id, nick, attend_status, "
                "listed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (conference_id, union_id) "
                "DO UPDATE SET attend_status = excluded.attend_status "
                "WHERE participants.attend_status <> ?",
                (
                    conference_id,
                    union_id,
                    nick,
                    int(AttendStatus.CALLING),
                    at_ms,
                    int(AttendStatus.ACTIVE),
                ),
            )
        return added

    async def lock_conference(self, corp_id: str, conference_id: str) -> Conference | None:
        # SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL
        # needs the row lock (the driver's ``row_lock`` clause).
        row = await self._conn.fetchone(
            _SELECT_CONFERENCE + self._row_lock, (conference_id, corp_id)
        )
        return _conference(row) if row else None

    async def get_participant(self, conference_id: str, union_id: str) -> Participant | None:
        row = await self._conn.fetchone(
            f"SELECT {_PARTICIPANT_COLUMNS} FROM participants "
            "WHERE conference_id = ? AND union_id = ?",
            (conference_id, union_id),
        )
        return _participant(row) if row else None

    async def record_join(
        self,
        conference_id: str,
        union_id: str,
        nick: str,
        at_ms: int,
        *,
        first_time: bool,
        muted: bool = False,
        outer_org: bool = False,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO participants (conference_id, union_id, nick, attend_status, "
            "first_join, last_join, sessions, muted, outer_org, listed_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?) "
            "ON CONFLICT (conference_id, union_id) DO UPDATE SET nick = excluded.nick, "
            "attend_status = excluded.attend_status, last_join = excluded.last_join, "
            "first_join = COALESCE(participants.first_join, excluded.first_join), "
            "leave_time = NULL, sessions = participants.sessions + 1, "
            "muted = excluded.muted, outer_org = excluded.outer_org",
            (
                conference_id,
                union_id,
                nick,
                int(AttendStatus.ACTIVE),
                at_ms,
                at_ms,
                int(muted),
                int(outer_org),
                at_ms,
            ),
        )
        await self._conn.execute(
            "INSERT INTO participant_sessions (conference_id, union_id, seq, join_time) "
            "SELECT conference_id, union_id, sessions, last_join FROM participants "
            "WHERE conference_id = ? AND union_id = ?",
            (conference_id, union_id),
        )
        # A booked instance starts (0 -> 2) at its first join, which is its startTime.
        await self._conn.execute(
            "UPDATE conferences SET active_num = active_num + 1, "
            "attend_num = attend_num + ?, status = ?, "
            "start_time = CASE WHEN status = ? THEN ? ELSE start_time END "
            "WHERE conference_id = ?",
            (
                1 if first_time else 0,
                int(ConferenceStatus.STARTED),
                int(ConferenceStatus.INITIALISED),
                at_ms,
                conference_id,
            ),
        )

    async def record_leave(self, conference_id: str, union_id: str, at_ms: int) -> None:
        await self._close_sessions(conference_id, at_ms, "AND union_id = ?", (union_id,))
        await self._conn.execute(
            "UPDATE conferences SET active_num = active_num - 1 WHERE conference_id = ?",
            (conference_id,),
        )

    async def kick_member(
        self, conference_id: str, union_id: str, at_ms: int, *, forbid_rejoin: bool
    ) -> None:
        inside = await self._close_sessions(conference_id, at_ms, "AND union_id = ?", (union_id,))
        await self._conn.execute(
            "UPDATE participants SET attend_status = ?, rejoin_forbidden = ? "
            "WHERE conference_id = ? AND union_id = ?",
            (int(AttendStatus.KICKED), int(forbid_rejoin), conference_id, union_id),
        )
        await self._conn.execute(
            "UPDATE conferences SET active_num = active_num - ? WHERE conference_id = ?",
            (inside, conference_id),
        )

    async def update_member(self, member: Participant) -> None:
        await self._conn.execute(
            "UPDATE participants SET nick = ?, muted = ? WHERE conference_id = ? AND union_id = ?",
            (member.nick, int(member.muted), member.conference_id, member.union_id),
        )

    async def mute_everyone(self, conference_id: str, muted: bool) -> None:
        await self._conn.execute(
            "UPDATE participants SET muted = ? WHERE conference_id = ?",
            (int(muted), conference_id),
        )

    async def insert_booking(self, booking: Booking) -> None:
        await self._conn.execute(
            f"INSERT INTO bookings ({_BOOKING_COLUMNS}) VALUES ({', '.join('?' * 10)})",
            _booking_params(booking),
        )

    async def update_booking(self, booking: Booking) -> None:
        params = _booking_params(booking)
        await self._conn.execute(
            "UPDATE bookings SET creator_id = ?, title = ?, start_time = ?, end_time = ?, "
            "room_code = ?, url = ?, cancelled = ?, settings = ? "
            "WHERE schedule_conference_id = ? AND corp_id = ?",
            (*params[2:], params[0], params[1]),
        )

    async def lock_booking(self, corp_id: str, schedule_conference_id: str) -> Booking | None:
        row = await self._conn.fetchone(
            _SELECT_BOOKING + self._row_lock, (schedule_conference_id, corp_id)
        )
        return _booking(row) if row else None

    async def end_conference(self, conference_id: str, at_ms: int) -> None:
        await self._close_sessions(conference_id, at_ms, "", ())
        # Invitees still being rung when the meeting ends never got in.
        await self._conn.execute(
            "UPDATE participants SET attend_status = ? WHERE conference_id = ? "
            "AND attend_status = ?",
            (int(AttendStatus.JOIN_FAILED), conference_id, int(AttendStatus.CALLING)),
        )
        await self._conn.execute(
            "UPDATE conferences SET status = ?, end_time = ?, active_num = 0 "
            "WHERE conference_id = ?",
            (int(ConferenceStatus.ENDED), at_ms, conference_id),
        )

    async def _close_sessions(
        self, conference_id: str, at_ms: int, who: str, who_params: tuple[str, ...]
    ) -> int:
        """Let the members inside (all, or the one ``who`` selects) leave at ``at_ms``.

        Returns how many were inside.
        """
        await self._conn.execute(
            "UPDATE participant_sessions SET leave_time = ? "
            f"WHERE conference_id = ? AND leave_time IS NULL {who}",
            (at_ms, conference_id, *who_params),
        )
        return await self._conn.execute(
            "UPDATE participants SET attend_status = ?, leave_time = ?, "
            "duration = duration + (? - last_join) "
            f"WHERE conference_id = ? AND attend_status = ? {who}",
            (
                int(AttendStatus.LEFT),
                at_ms,
                at_ms,
                conference_id,
                int(AttendStatus.ACTIVE),
                *who_params,
            ),
        )


class SqlStore(Store):
    """A :class:`~dingconf.storage.base.Store` over any :class:`Database` driver."""

    _read: Connection  # set by open()

    def __init__(self, database: Database) -> None:
        self._db = database
        # What auth_epoch() last read, and the change marker it read it at.
        self._epoch = 0
        self._epoch_marker: int | None = None

    async def open(self) -> None:
        await self._db.connect()
        self._read = self._db.reader

    async def close(self) -> None:
        await self._db.disconnect()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[WriteTx]:
        async with self._db.transaction() as conn:
            tx = _SqlWriteTx(conn, self._db.row_lock)
            yield tx
        if tx.auth_changed:
            # Our own commits do not move the driver's change marker.
            self._epoch_marker = None

    async def auth_epoch(self) -> int:
        marker = await self._db.change_marker()
        if marker is None or marker != self._epoch_marker:
            row = await self._read.fetchone("SELECT epoch FROM auth_epoch WHERE id = 1")
            self._epoch = row[0] if row else 0
            self._epoch_marker = marker
        return self._epoch

    async def get_org(self, corp_id: str) -> Org | None:
        row = await self._read.fetchone(
            "SELECT corp_id, name FROM orgs WHERE corp_id = ?", (corp_id,)
        )
        return Org(*row) if row else None

    async def list_orgs(self) -> list[Org]:
        rows = await self._read.fetchall("SELECT corp_id, name FROM orgs ORDER BY corp_id")
        return [Org(*row) for row in rows]

    async def get_user(self, corp_id: str, union_id: str) -> User | None:
        return await _get_user(self._read, corp_id, union_id)

    async def list_users(self, corp_id: str) -> list[User]:
        rows = await self._read.fetchall(
            "SELECT corp_id, union_id, nick, user_id, job_number FROM users "
            "WHERE corp_id = ? ORDER BY union_id",
            (corp_id,),
        )
        return [_user(row) for row in rows]

    async def get_app(self, app_key: str) -> App | None:
        row = await self._read.fetchone(
            "SELECT app_key, corp_id, secret_hash, scopes FROM apps WHERE app_key = ?", (app_key,)
        )
        return _app(row) if row else None

    async def list_apps(self, corp_id: str) -> list[App]:
        rows = await self._read.fetchall(
            "SELECT app_key, corp_id, secret_hash, scopes FROM apps "
            "WHERE corp_id = ? ORDER BY app_key",
            (corp_id,),
        )
        return [_app(row) for row in rows]

    async def get_suite(self, suite_key: str) -> Suite | None:
        row = await self._read.fetchone(
            "SELECT suite_key, secret_hash, scopes FROM suites WHERE suite_key = ?", (suite_key,)
        )
        if row is None:
            return None
        corps = await self._read.fetchall(
            "SELECT corp_id FROM suite_corps WHERE suite_key = ?", (suite_key,)
        )
        return Suite(row[0], row[1], _scopes(row[2]), frozenset(c[0] for c in corps))

    async def resolve_token(self, token_hash: str) -> tuple[Principal, int] | None:
        # The scopes come from the app or suite now, not from when the token was
        # issued, so a scope change applies to live tokens at once. A suite token
        # stops working when the corp withdraws its authorisation.
        row = await self._read.fetchone(
            "SELECT t.corp_id, t.client_key, t.expires_at, COALESCE(a.scopes, s.scopes) "
            "FROM tokens t "
            "LEFT JOIN apps a ON t.client_kind = 'app' AND a.app_key = t.client_key "
            "AND a.corp_id = t.corp_id "
            "LEFT JOIN suites s ON t.client_kind = 'suite' AND s.suite_key = t.client_key "
            "AND EXISTS (SELECT 1 FROM suite_corps sc WHERE sc.suite_key = s.suite_key "
            "AND sc.corp_id = t.corp_id) "
            "WHERE t.token_hash = ?",
            (token_hash,),
        )
        if row is None or row[3] is None:
            return None
        return Principal(corp_id=row[0], client_key=row[1], scopes=_scopes(row[3])), row[2]

    async def get_conference(self, corp_id: str, conference_id: str) -> Conference | None:
        row = await self._read.fetchone(_SELECT_CONFERENCE, (conference_id, corp_id))
        return _conference(row) if row else None

    async def conference_corp(self, conference_id: str) -> str | None:
        return await _conference_corp(self._read, conference_id)

    async def list_participants(self, corp_id: str, conference_id: str) -> list[Participant]:
        rows = await self._read.fetchall(
            f"SELECT {', '.join('p.' + c for c in _PARTICIPANT_COLUMNS.split(', '))} "
            "FROM participants p JOIN conferences c ON c.conference_id = p.conference_id "
            "WHERE p.conference_id = ? AND c.corp_id = ? ORDER BY p.listed_at, p.union_id",
            (conference_id, corp_id),
        )
        return [_participant(row) for row in rows]

    async def get_booking(self, corp_id: str, schedule_conference_id: str) -> Booking | None:
        row = await self._read.fetchone(_SELECT_BOOKING, (schedule_conference_id, corp_id))
        return _booking(row) if row else None

    async def booking_corp(self, schedule_conference_id: str) -> str | None:
        return await _booking_corp(self._read, schedule_conference_id)

    async def booking_by_room_code(self, room_code: str) -> Booking | None:
        row = await self._read.fetchone(
            f"SELECT {_BOOKING_COLUMNS} FROM bookings WHERE room_code = ? AND cancelled = 0",
            (room_code,),
        )
        return _booking(row) if row else None

    async def list_conferences(
        self, corp_id: str | None, where: ConferenceFilter
    ) -> list[Conference]:
        clauses, params = _filter_sql(where)
        if corp_id is not None:
            clauses.append("corp_id = ?")
            params.append(corp_id)
        rows = await self._read.fetchall(
            f"SELECT {_CONFERENCE_COLUMNS} FROM conferences "
            f"WHERE {' AND '.join(clauses) or '1 = 1'} ORDER BY start_time, conference_id",
            params,
        )
        return [_conference(row) for row in rows]

    async def list_memberships(
        self, corp_id: str, union_id: str, status: AttendStatus
    ) -> list[Participant]:
        rows = await self._read.fetchall(
            f"SELECT {', '.join('p.' + c for c in _PARTICIPANT_COLUMNS.split(', '))} "
            "FROM participants p JOIN conferences c ON c.conference_id = p.conference_id "
            "WHERE c.corp_id = ? AND c.status = ? AND p.union_id = ? AND p.attend_status = ? "
            "ORDER BY c.start_time, c.conference_id",
            (corp_id, int(ConferenceStatus.STARTED), union_id, int(status)),
        )
        return [_participant(row) for row in rows]


def _filter_sql(where: ConferenceFilter) -> tuple[list[str], list[object]]:
    """WHERE fragments (fixed text) and their parameters for a conference filter."""
    clauses: list[str] = []
    params: list[object] = []
    for clause, value in (
        ("status = ?", None if where.status is None else int(where.status)),
        ("room_code = ?", where.room_code),
        ("schedule_conference_id = ?", where.schedule_conference_id),
        ("start_time >= ?", where.started_from_ms),
        ("start_time <= ?", where.started_to_ms),
    ):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    return clauses, params
