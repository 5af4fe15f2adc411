"""A meeting's life as writes: created, joined, left, people invited or put out, ended.

Each transition decides what moves (the status a first join starts a meeting
with, which counters a join or leave moves, what ending does to the people
inside and those being rung) and has the tables run the statements, inside
the caller's write transaction, with the listing bookkeeping that follows it.
"""

from dingconf.core.records import Conference, ConferenceStatus, Invitation, Participant
from dingconf.db.store import WriteTx
from dingconf.listing.tables import ListingTables
from dingconf.meetings.tables import MeetingTables
from dingconf.members.invite_tables import InviteTables
from dingconf.members.tables import MemberTables
from dingconf.minutes.tables import MinutesTables

__all__ = [
    "add_invitations",
    "add_phone_invitations",
    "end_conference",
    "insert_conference",
    "kick_member",
    "record_join",
    "record_leave",
    "update_conference",
]


async def insert_conference(
    tx: WriteTx, conference: Conference, invitations: list[Invitation], invited_by: str
) -> None:
    """Store a new meeting and ring its invitees (its ``invitedNum`` already counts them).

    Raises:
        RoomCodeTaken: the roomCode is in use by a meeting that has not ended.
    """
    await MeetingTables(tx.conn).insert(conference)
    await ListingTables(tx.conn).note_created(conference.corp_id, int(conference.status))
    await _ring(tx, conference.conference_id, invitations, invited_by, conference.start_time_ms)


async def update_conference(tx: WriteTx, conference: Conference) -> None:
    """Write a meeting's settings and state; never its counters."""
    c = conference
    await ListingTables(tx.conn).note_retitle(
        c.conference_id, c.title, int(c.status), c.start_time_ms
    )
    await MeetingTables(tx.conn).update(c)


async def add_invitations(
    tx: WriteTx, conference_id: str, invitations: list[Invitation], invited_by: str, at_ms: int
) -> int:
    """Ring people (members with attendStatus 2); count new invitees in invitedNum.

    Returns how many of them had not been invited before.
    """
    added = await _ring(tx, conference_id, invitations, invited_by, at_ms)
    await MeetingTables(tx.conn).add_invited(conference_id, added)
    return added


async def add_phone_invitations(
    tx: WriteTx, conference_id: str, invitations: list[Invitation], invited_by: str, at_ms: int
) -> int:
    """Ring ``(phoneNumber, nick)`` invitees; count new numbers in invitedNum.

    They are not members: nobody with a unionId answers a telephone call.
    Returns how many numbers had not been invited before.
    """
    invites = InviteTables(tx.conn)
    added = 0
    for phone_number, nick in invitations:
        added += await invites.invite_phone(conference_id, phone_number, nick, invited_by, at_ms)
    await MeetingTables(tx.conn).add_invited(conference_id, added)
    return added


async def _ring(
    tx: WriteTx, conference_id: str, invitations: list[Invitation], invited_by: str, at_ms: int
) -> int:
    """Record invitations and ring the invitees; return how many are new invitees."""
    invites, members = InviteTables(tx.conn), MemberTables(tx.conn)
    added = 0
    for union_id, nick in invitations:
        added += await invites.invite(conference_id, union_id, nick, invited_by, at_ms)
        # A new row counts as a member.
        new = await members.ring(conference_id, union_id, nick, at_ms)
        if new:
            await members.count_members(conference_id, new)
    return added


async def record_join(
    tx: WriteTx,
    locked: Conference,
    union_id: str,
    nick: str,
    at_ms: int,
    *,
    muted: bool = False,
    outer_org: bool = False,
    member_row: bool | None = None,
) -> tuple[Participant, Conference] | None:
    """Mark a person inside the meeting the caller locked, open a stay, move the counters.

    The counters move by what the rows did: ``activeNum`` by one,
    ``attendNum`` at the person's first stay, the member total for a row new
    to the meeting. A meeting that had not started (status 0, as ``locked``
    was read) starts now. ``member_row``: whether the person has a member
    row, if the caller read it under the lock (the row is then inserted or
    updated without trying the other first). Returns the member and the
    meeting as the join left them; None (and nothing changed) when the person
    is inside already.
    """
    conference_id = locked.conference_id
    starting = locked.status == ConferenceStatus.INITIALISED
    if starting:
        await ListingTables(tx.conn).note_start(conference_id)
    members = MemberTables(tx.conn)
    entered = (
        None
        if member_row
        else await members.enter_new(
            conference_id, union_id, nick, at_ms, muted=muted, outer_org=outer_org
        )
    )
    if entered is not None:
        await members.count_members(conference_id, 1)
    else:
        entered = await members.enter_again(
            conference_id, union_id, nick, at_ms, muted=muted, outer_org=outer_org
        )
        if entered is None:
            return None
    member, stays = entered
    await members.open_stay(conference_id, union_id, stays, at_ms)
    # The first stay is what makes a person count in attendNum.
    joined = await MeetingTables(tx.conn).count_join(
        conference_id,
        1 if stays == 1 else 0,
        (ConferenceStatus.STARTED, at_ms) if starting else None,
    )
    return None if joined is None else (member, joined)


async def record_leave(
    tx: WriteTx, conference_id: str, union_id: str, at_ms: int
) -> tuple[Participant, Conference, str | None] | None:
    """Mark a person inside as having left, close their stay, move the counters.

    Returns the member and the meeting as the leave left them, and the
    deviceType of the stay it closed (None when their latest stay was not
    open); None (and nothing changed) when the person was not inside.
    """
    left = await MemberTables(tx.conn).leave(conference_id, union_id, at_ms)
    if left is None:
        return None
    member, device_type = left
    meeting = await MeetingTables(tx.conn).move_active(conference_id, -1)
    return None if meeting is None else (member, meeting, device_type)


async def kick_member(
    tx: WriteTx, conference_id: str, union_id: str, at_ms: int, *, forbid_rejoin: bool
) -> None:
    """Put a member out (attendStatus 5), closing their stay if inside."""
    members = MemberTables(tx.conn)
    inside = await members.close_stays(conference_id, at_ms, union_id)
    await members.put_out(conference_id, union_id, forbid_rejoin=forbid_rejoin)
    if inside:
        await MeetingTables(tx.conn).move_active(conference_id, -inside)


async def end_conference(tx: WriteTx, conference_id: str, at_ms: int) -> None:
    """End a meeting: everyone still inside leaves at ``at_ms``; calls fail; the
    minutes stop."""
    await ListingTables(tx.conn).note_ended(conference_id)
    members = MemberTables(tx.conn)
    await members.close_stays(conference_id, at_ms)
    # Invitees still being rung when the meeting ends never got in.
    await members.fail_calls(conference_id)
    await MeetingTables(tx.conn).end(conference_id, ConferenceStatus.ENDED, at_ms)
    await MinutesTables(tx.conn).end_minutes(conference_id, at_ms)
