"""Write transactions of the SQL store: every change, with the counters it moves."""

from dingconf.analytics.tables import AnalyticsWrites
from dingconf.content.tables import ContentWrites
from dingconf.control.console.presence_tables import PresenceWrites
from dingconf.core.records import (
    AttendStatus,
    Booking,
    Conference,
    ConferenceStatus,
    Participant,
)
from dingconf.db.driver import Connection
from dingconf.db.rows import (
    BOOKING_COLUMNS,
    CONFERENCE_COLUMNS,
    PARTICIPANT_COLUMNS,
    SELECT_BOOKING,
    SELECT_CONFERENCE,
    booking_of,
    booking_params,
    conference_of,
    control_params,
    extension_apps_json,
    participant_of,
    select_booking_corp,
    select_conference_corp,
    select_conferences,
)
from dingconf.db.store import ConferenceFilter, Invitation, WriteTx
from dingconf.events.retention_tables import RetentionWrites
from dingconf.events.tables import EventWrites
from dingconf.listing.tables import note_created, note_ended, note_retitle, note_start
from dingconf.members.invite_tables import insert_phone_invitations
from dingconf.members.tables import (
    count_members,
    insert_join,
    select_any_conference,
    update_leave,
)
from dingconf.minutes.tables import MinutesWrites, end_minutes
from dingconf.recording.media_tables import keep_media_key
from dingconf.streams.tables import (
    ExtrasWrites,
)

__all__ = ["SqlWriteTx"]


class SqlWriteTx(
    AnalyticsWrites,
    ExtrasWrites,
    EventWrites,
    RetentionWrites,
    ContentWrites,
    MinutesWrites,
    PresenceWrites,
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

    async def conference_corp(self, conference_id: str) -> str | None:
        return await select_conference_corp(self._conn, conference_id)

    async def booking_corp(self, schedule_conference_id: str) -> str | None:
        return await select_booking_corp(self._conn, schedule_conference_id)

    async def list_conferences(
        self, corp_id: str | None, where: ConferenceFilter
    ) -> list[Conference]:
        return await select_conferences(self._conn, corp_id, where)

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
        await note_created(self._conn, c.corp_id, int(c.status))
        # The row already counts them (invited_num).
        await self._invite(c.conference_id, invitations, invited_by, c.start_time_ms)

    async def update_conference(self, conference: Conference) -> None:
        c = conference
        await note_retitle(self._conn, c.conference_id, c.title, int(c.status), c.start_time_ms)
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
            await note_start(self._conn, conference_id)
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

    async def insert_booking(self, booking: Booking) -> None:
        await self._conn.execute(
            f"INSERT INTO bookings ({BOOKING_COLUMNS}) VALUES ({', '.join('?' * 10)})",
            booking_params(booking),
        )

    async def update_booking(self, booking: Booking) -> None:
        params = booking_params(booking)
        await self._conn.execute(
            "UPDATE bookings SET creator_id = ?, title = ?, start_time = ?, end_time = ?, "
            "room_code = ?, url = ?, cancelled = ?, settings = ? "
            "WHERE schedule_conference_id = ? AND corp_id = ?",
            (*params[2:], params[0], params[1]),
        )

    async def lock_booking(self, corp_id: str, schedule_conference_id: str) -> Booking | None:
        row = await self._conn.fetchone(
            SELECT_BOOKING + self._row_lock, (schedule_conference_id, corp_id)
        )
        return booking_of(row) if row else None

    async def end_conference(self, conference_id: str, at_ms: int) -> None:
        await note_ended(self._conn, conference_id)
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
        await end_minutes(self._conn, conference_id, at_ms)

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

    async def keep_media_key(self, name: str, candidate: str) -> str:
        return await keep_media_key(self._conn, name, candidate)
