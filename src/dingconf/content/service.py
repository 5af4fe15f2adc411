"""What people say in a meeting: the content tests drive (model.content).

Only a person inside the meeting (attendStatus 3) speaks. What they say is
stored at a time on the server clock: now, or ``offset_ms`` after the
meeting's startTime (never later than now: nobody speaks in the future), so
that a test can place speech exactly without moving the clock.
"""

from dingconf.content.records import Utterance
from dingconf.content.tables import ContentTables
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.records import AttendStatus
from dingconf.db.store import Store
from dingconf.meetings.tables import MeetingTables
from dingconf.members.tables import MemberTables

__all__ = ["MAX_TEXT", "ContentService"]

#: The longest thing one utterance may say.
MAX_TEXT = 4000


class ContentService:
    """Record the meeting's content."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def say(
        self, corp_id: str, conference_id: str, union_id: str, text: str, offset_ms: int | None
    ) -> Utterance:
        """A person inside the meeting says ``text``; the stored utterance.

        Raises:
            NotFound: ``roomNotFound``.
            InvalidRequest: ``resourceClose`` when the meeting has ended;
                ``notInConference`` for anyone not inside it now;
                ``paramError`` for an empty or too long text, or an offset
                before the meeting's start or after now.
        """
        if not text.strip() or len(text) > MAX_TEXT:
            raise errors.param_error(f"text must have 1 to {MAX_TEXT} characters")
        async with self._store.write() as tx:
            conference = await MeetingTables(tx.conn, tx.row_lock).lock(corp_id, conference_id)
            if conference is None:
                raise errors.room_not_found()
            if conference.ended:
                raise errors.resource_close()
            member = await MemberTables(tx.conn).get(conference_id, union_id)
            if member is None or member.attend_status != AttendStatus.ACTIVE:
                raise errors.not_in_conference(f"{union_id} is not in the meeting")
            now = self._clock.now_ms()
            at = now
            if offset_ms is not None:
                at = conference.start_time_ms + offset_ms
                if offset_ms < 0 or at > now:
                    raise errors.param_error(
                        "offsetMs must lie between the meeting's start and now"
                    )
            return await ContentTables(tx.conn).add_utterance(
                conference_id, union_id, member.nick, text, at
            )
