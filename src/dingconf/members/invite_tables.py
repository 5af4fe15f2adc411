"""SQL for invitations (tables ``invitations`` and ``phone_invitations``)."""

from dingconf.db.driver import Connection
from dingconf.db.table import Table

__all__ = ["INVITATIONS", "PHONE_INVITATIONS", "InviteTables"]

#: Who was invited to a meeting, by whom and when.
INVITATIONS = Table(
    "invitations",
    "invitations",
    ("conference_id", "union_id", "nick", "invited_by", "invited_at"),
    ("conference_id", "union_id"),
    True,
)

#: Telephone numbers invited to a meeting.
PHONE_INVITATIONS = Table(
    "phone_invitations",
    "phoneInvitations",
    ("conference_id", "phone_number", "nick", "invited_by", "invited_at"),
    ("conference_id", "phone_number"),
    True,
)


class InviteTables:
    """SQL for who was invited to a meeting, by whom and when."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def invite(
        self, conference_id: str, union_id: str, nick: str, invited_by: str, at_ms: int
    ) -> int:
        """Record an invitation of a user; 1 when they had not been invited before."""
        return await self._conn.execute(
            "INSERT INTO invitations (conference_id, union_id, nick, invited_by, invited_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (conference_id, union_id) DO NOTHING",
            (conference_id, union_id, nick, invited_by, at_ms),
        )

    async def invite_phone(
        self, conference_id: str, phone_number: str, nick: str, invited_by: str, at_ms: int
    ) -> int:
        """Record an invitation by telephone number; 1 when the number is new to the meeting."""
        return await self._conn.execute(
            "INSERT INTO phone_invitations (conference_id, phone_number, nick, invited_by, "
            "invited_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (conference_id, phone_number) "
            "DO NOTHING",
            (conference_id, phone_number, nick, invited_by, at_ms),
        )
