"""Finding the caller's own meeting inside a write (spec §2.4: meetings are corp-scoped)."""

from dingconf.core import errors
from dingconf.core.ids import CONFERENCE_ID
from dingconf.core.records import Conference, Principal
from dingconf.db.store import WriteTx
from dingconf.meetings.tables import MeetingTables

__all__ = ["lock_own_conference"]


async def lock_own_conference(tx: WriteTx, principal: Principal, conference_id: str) -> Conference:
    """Lock a meeting of the caller's organisation for a read-decide-write.

    The codes follow CloseVideoConference (spec §4.3), whose error table the
    other in-meeting writes share.

    Raises:
        InvalidRequest: ``paramsError`` for a malformed or unknown id,
            ``orgAccessForbidden`` for another organisation's meeting.
    """
    conference_id = conference_id.strip()
    if not CONFERENCE_ID.fullmatch(conference_id):
        raise errors.params_error("error:invalid conferenceId")
    meetings = MeetingTables(tx.conn, tx.row_lock)
    conference = await meetings.lock(principal.corp_id, conference_id)
    if conference is not None:
        return conference
    if await meetings.conference_corp(conference_id) is not None:
        raise errors.org_access_forbidden()
    raise errors.params_error("error:conference not found")
