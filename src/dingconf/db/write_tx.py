"""Write transactions of the SQL store: every change, with the counters it moves."""

from dingconf.control.state_tables import StateWrites
from dingconf.core.records import (
    App,
    AttendStatus,
    Conference,
    ConferenceStatus,
    Org,
    Participant,
    Suite,
    TokenRecord,
    User,
)
from dingconf.db.driver import Connection
from dingconf.db.rows import (
    CONFERENCE_COLUMNS,
    PARTICIPANT_COLUMNS,
    SELECT_CONFERENCE,
    bump_auth_epoch,
    conference_of,
    control_params,
    extension_apps_json,
    participant_of,
    select_conference_corp,
    select_user,
)
from dingconf.db.store import Invitation, WriteTx
from dingconf.listing.tables import ListingTables
from dingconf.members.invite_tables import insert_phone_invitations
from dingconf.members.tables import (
    count_members,
    insert_join,
    select_any_conference,
    update_leave,
)
from dingconf.minutes.tables import MinutesTables

__all__ = ["SqlWriteTx"]


class SqlWriteTx(
    StateWrites,
    WriteTx,
):
    """Write operations on the connection that holds the transaction."""

    def __init__(self, conn: Connection, row_lock: str) -> None:
        self._conn = conn
        self._row_lock = row_lock

    @property
    def conn(self) -> Connection:
        return self._conn

    @property
    def row_lock(self) -> str:
        return self._row_lock

    async def get_user(self, corp_id: str, union_id: str) -> User | None:
        return await select_user(self._conn, corp_id, union_id)

    async def org_ids(self) -> list[str]:
        return [row[0] for row in await self._conn.fetchall("SELECT corp_id FROM orgs")]

    async def app_keys(self, corp_id: str) -> list[str]:
        rows = await self._conn.fetchall("SELECT app_key FROM apps WHERE corp_id = ?", (corp_id,))
        return [row[0] for row in rows]

    async def conference_corp(self, conference_id: str) -> str | None:
        return await select_conference_corp(self._conn, conference_id)

    async def _bump_auth_epoch(self) -> None:
        await bump_auth_epoch(self._conn)

    async def upsert_org(self, org: Org) -> None:
        await self._conn.execute(
            "INSERT INTO orgs (corp_id, name) VALUES (?, ?) "
            "ON CONFLICT (corp_id) DO UPDATE SET name = excluded.name",
            (org.corp_id, org.name),
        )

    async def upsert_user(self, user: User) -> None:
        await self._conn.execute(
            "INSERT INTO users (corp_id, union_id, nick, user_id, job_number, dept_name) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (corp_id, union_id) DO UPDATE SET "
            "nick = excluded.nick, user_id = excluded.user_id, "
            "job_number = excluded.job_number, dept_name = excluded.dept_name",
            (user.corp_id, user.union_id, user.nick, user.user_id, user.job_number, user.dept_name),
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

    async def purge_tokens(self, expired_before_ms: int) -> int:
        return await self._conn.execute(
            "DELETE FROM tokens WHERE expires_at < ?", (expired_before_ms,)
        )

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
            f"INSERT INTO conferences ({CONFERENCE_COLUMNS}) VALUES ({', '.join('?' * 27)})",
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
                extension_apps_json(c.extension_apps),
                *control_params(c),
            ),
        )
        await ListingTables(self._conn).note_created(c.corp_id, int(c.status))
        # The row already counts them (invited_num).
        await self._invite(c.conference_id, invitations, invited_by, c.start_time_ms)

    async def update_conference(self, conference: Conference) -> None:
        c = conference
        await ListingTables(self._conn).note_retitle(
            c.conference_id, c.title, int(c.status), c.start_time_ms
        )
        await self._conn.execute(
            "UPDATE conferences SET title = ?, status = ?, host_id = ?, start_time = ?, "
            "end_time = ?, cloud_record_status = ?, cloud_record_owner = ?, extension_apps = ?, "
            "cohost_ids = ?, locked = ?, mute_all = ?, internal_only = ?, auto_record_type = ?, "
            "auto_record_owner = ?, minutes_status = ?, minutes_owner = ? WHERE conference_id = ?",
            (
                c.title,
                int(c.status),
                c.host_id,
                c.start_time_ms,
                c.end_time_ms,
                c.cloud_record_status,
                c.cloud_record_owner,
                extension_apps_json(c.extension_apps),
                *control_params(c),
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
            # Being rung: a new member, or one who left or was kicked is called
            # again (someone inside stays inside); a new row counts as a member.
            new = await self._conn.execute(
                "INSERT INTO participants (conference_id, union_id, nick, attend_status, "
                "listed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (conference_id, union_id) "
                "DO NOTHING",
                (conference_id, union_id, nick, int(AttendStatus.CALLING), at_ms),
            )
            if new:
                await count_members(self._conn, conference_id, new)
            else:
                await self._conn.execute(
                    "UPDATE participants SET attend_status = ? "
                    "WHERE conference_id = ? AND union_id = ? AND attend_status <> ?",
                    (
                        int(AttendStatus.CALLING),
                        conference_id,
                        union_id,
                        int(AttendStatus.ACTIVE),
                    ),
                )
        return added

    async def lock_conference(self, corp_id: str, conference_id: str) -> Conference | None:
        # SQLite's BEGIN IMMEDIATE already serialises writers; PostgreSQL
        # needs the row lock (the driver's ``row_lock`` clause).
        row = await self._conn.fetchone(
            SELECT_CONFERENCE + self._row_lock, (conference_id, corp_id)
        )
        return conference_of(row) if row else None

    async def lock_any_conference(self, conference_id: str) -> Conference | None:
        return await select_any_conference(self._conn, conference_id, self._row_lock)

    async def get_participant(self, conference_id: str, union_id: str) -> Participant | None:
        row = await self._conn.fetchone(
            f"SELECT {PARTICIPANT_COLUMNS} FROM participants "
            "WHERE conference_id = ? AND union_id = ?",
            (conference_id, union_id),
        )
        return participant_of(row) if row else None

    async def record_join(
        self,
        conference_id: str,
        union_id: str,
        nick: str,
        at_ms: int,
        *,
        muted: bool = False,
        outer_org: bool = False,
        maybe_starting: bool = True,
    ) -> tuple[Participant, Conference] | None:
        if maybe_starting:
            await ListingTables(self._conn).note_start(conference_id)
        return await insert_join(
            self._conn,
            conference_id,
            union_id,
            nick,
            at_ms,
            muted=muted,
            outer_org=outer_org,
        )

    async def record_leave(
        self, conference_id: str, union_id: str, at_ms: int
    ) -> tuple[Participant, Conference] | None:
        return await update_leave(self._conn, conference_id, union_id, at_ms)

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

    async def add_phone_invitations(
        self, conference_id: str, invitations: list[Invitation], invited_by: str, at_ms: int
    ) -> int:
        return await insert_phone_invitations(
            self._conn, conference_id, invitations, invited_by, at_ms
        )

    async def mute_everyone(self, conference_id: str, muted: bool) -> None:
        await self._conn.execute(
            "UPDATE participants SET muted = ? WHERE conference_id = ?",
            (int(muted), conference_id),
        )

    async def end_conference(self, conference_id: str, at_ms: int) -> None:
        await ListingTables(self._conn).note_ended(conference_id)
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
        await MinutesTables(self._conn).end_minutes(conference_id, at_ms)

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
