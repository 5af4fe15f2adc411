"""SQL for invitations by telephone number (InviteUsers' ``phoneInviteeList``)."""

from dingconf.db.driver import Connection
from dingconf.db.store import Invitation
from dingconf.db.table import Table

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

__all__ = ["insert_phone_invitations"]


async def insert_phone_invitations(
    conn: Connection,
    conference_id: str,
    invitations: list[Invitation],
    invited_by: str,
    at_ms: int,
) -> int:
    """Record ``(phoneNumber, nick)`` invitations; count the new numbers in invitedNum.

    A number already invited to the meeting is not counted again. Returns how
    many numbers were new.
    """
    added = 0
    for phone_number, nick in invitations:
        added += await conn.execute(
            "INSERT INTO phone_invitations (conference_id, phone_number, nick, invited_by, "
            "invited_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (conference_id, phone_number) "
            "DO NOTHING",
            (conference_id, phone_number, nick, invited_by, at_ms),
        )
    await conn.execute(
        "UPDATE conferences SET invited_num = invited_num + ? WHERE conference_id = ?",
        (added, conference_id),
    )
    return added
