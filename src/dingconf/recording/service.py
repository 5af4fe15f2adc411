"""Cloud recording (spec §4.5.4, §4.5.5, §6 ``cloudRecordStatus``).

``cloudRecordStatus``: 0 not recording, 1 recording, 2 paused, 3 finished.
Only the host (or an account on the organisation's cloud-recording whitelist)
starts and stops a recording; pausing and resuming happen in
the meeting's client, so they are control-API operations here.

Each recording, from start to stop, is a *take* (numbered from 1 per meeting);
while it runs, a RECORD span is open (:mod:`dingconf.content.records`): pausing
closes it, resuming opens another span of the same take, stopping (or the
meeting's end) closes the last one. The recording files derive from them.
"""

from dingconf.auth.service import WRITE, require_scope
from dingconf.content.records import RECORD
from dingconf.content.tables import ContentTables
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.layouts import check_layout
from dingconf.core.records import Conference, Principal
from dingconf.db.store import Store, WriteTx
from dingconf.events.payloads import emit_video_ready
from dingconf.links.service import CLOUD_RECORD
from dingconf.links.tables import LinkTables
from dingconf.meetings.access import lock_own_conference
from dingconf.meetings.tables import MeetingTables
from dingconf.meetings.transitions import update_conference
from dingconf.recording.files import READY_AFTER_MS, media_id

__all__ = [
    "FINISHED",
    "PAUSED",
    "RECORDING",
    "RecordingService",
    "auto_started_recording",
    "finish_take",
    "open_take",
    "resume_take",
]

IDLE, ON, PAUSED, FINISHED = 0, 1, 2, 3
#: A recording that is running or paused: one that stop (or the meeting's end) finishes.
RECORDING = frozenset({ON, PAUSED})

# recordAutoStartType (spec §4.4.1): when the host joins, when the host or a
# co-host joins, when anyone joins.
_WHEN_HOST, _WHEN_COHOST, _WHEN_ANYONE = 0, 1, 2


def auto_started_recording(conference: Conference, joiner: str) -> Conference | None:
    """The meeting with its recording started, if this join triggers the booking's auto-start.

    Only a meeting that has never recorded starts on its own, once.
    """
    kind = conference.auto_record_type
    if kind is None or conference.cloud_record_status != IDLE:
        return None
    is_host = joiner == conference.host_id
    triggered = (
        kind == _WHEN_ANYONE
        or (kind == _WHEN_HOST and is_host)
        or (kind == _WHEN_COHOST and (is_host or joiner in conference.cohost_ids))
    )
    if not triggered:
        return None
    # cloudRecordOwnerUnionId, else the booking's organiser ("默认归属到预约会议
    # 组织者"): only booked meetings start on their own, and their creator is the booking's.
    owner = conference.auto_record_owner or conference.creator_id
    return conference._replace(cloud_record_status=ON, cloud_record_owner=owner)


async def open_take(tx: WriteTx, conference_id: str, owner: str, at_ms: int) -> None:
    """A recording starts: open the first span of the meeting's next take."""
    content = ContentTables(tx.conn)
    spans = await content.list_spans(conference_id, RECORD)
    take = spans[-1].take + 1 if spans else 1
    await content.open_span(conference_id, RECORD, take, owner, at_ms)


async def finish_take(tx: WriteTx, conference: Conference, at_ms: int) -> None:
    """A recording stops (or its meeting ends): close its take; its video follows.

    The video is generated :data:`READY_AFTER_MS` later; its
    ``flash_minutes_open_event`` is written now, with the stop, and born then.
    """
    content = ContentTables(tx.conn)
    await content.close_span(conference.conference_id, RECORD, at_ms)
    spans = await content.list_spans(conference.conference_id, RECORD)
    take = spans[-1].take if spans else 1
    # A number per file, exact in any JSON client (under 2**53); DingTalk says
    # not to rely on its value.
    task_id = int(media_id(conference.conference_id, take)[:12], 16)
    await emit_video_ready(tx.conn, conference, task_id, at_ms + READY_AFTER_MS)


async def resume_take(tx: WriteTx, conference: Conference, at_ms: int) -> None:
    """A paused recording resumes: open another span of its (last) take.

    A recording paused before spans were kept (a database migrated meanwhile)
    has none: it resumes as take 1 of its owner.
    """
    content = ContentTables(tx.conn)
    spans = await content.list_spans(conference.conference_id, RECORD)
    if spans:
        take, owner = spans[-1].take, spans[-1].owner
    else:
        take, owner = 1, conference.cloud_record_owner or conference.host_id
    await content.open_span(conference.conference_id, RECORD, take, owner, at_ms)


async def _may_record(tx: WriteTx, conference: Conference, union_id: str) -> bool:
    """The host, or an account on the organisation's cloud-recording whitelist."""
    return union_id == conference.host_id or await LinkTables(tx.conn).on_record_whitelist(
        conference.corp_id, CLOUD_RECORD, union_id
    )


class RecordingService:
    """Start, stop, pause and resume a meeting's cloud recording."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def start(
        self,
        principal: Principal,
        conference_id: str,
        union_id: str,
        mode: str | None = None,
        window_position: str | None = None,
    ) -> None:
        """StartCloudRecord: the host (or a whitelisted account) records (0 or 3 → 1); they own it.

        The layout (``mode``, ``smallWindowPosition``), optional, is checked
        against the page's lists and not kept: no video is rendered.

        Raises:
            InvalidRequest: ``paramsError`` for a layout value outside its list,
                ``paramsError`` / ``orgAccessForbidden`` (see
                :func:`lock_own_conference`), ``roomClosed`` when the meeting ended.
            NotFound: ``recordStartPermissionError`` for anyone but the host and the
                accounts on the cloud-recording whitelist,
                ``recordStartError`` when a recording is already running or paused.
        """
        require_scope(principal, WRITE)
        check_layout(mode, window_position)
        async with self._store.write() as tx:
            conference = await lock_own_conference(tx, principal, conference_id)
            if conference.ended:
                raise errors.room_closed()
            if not await _may_record(tx, conference, union_id):
                raise errors.record_start_permission_error()
            if conference.cloud_record_status in RECORDING:
                raise errors.record_start_error()
            await update_conference(
                tx, conference._replace(cloud_record_status=ON, cloud_record_owner=union_id)
            )
            await open_take(tx, conference.conference_id, union_id, self._clock.now_ms())

    async def stop(self, principal: Principal, conference_id: str, union_id: str) -> None:
        """StopCloudRecord: the host (or a whitelisted account) finishes it (1 or 2 → 3).

        Raises:
            InvalidRequest: ``paramsError`` / ``orgAccessForbidden``, ``roomClosed``,
                ``recordStopPermissionError`` for anyone but the host and the
                whitelisted,
                ``cloudRecordNotFound`` when nothing is recording.
        """
        require_scope(principal, WRITE)
        async with self._store.write() as tx:
            conference = await lock_own_conference(tx, principal, conference_id)
            if conference.ended:
                raise errors.room_closed()
            if not await _may_record(tx, conference, union_id):
                raise errors.record_stop_permission_error()
            if conference.cloud_record_status not in RECORDING:
                raise errors.cloud_record_not_found("no cloud recording is running")
            await update_conference(tx, conference._replace(cloud_record_status=FINISHED))
            await finish_take(tx, conference, self._clock.now_ms())

    async def set_paused(self, corp_id: str, conference_id: str, paused: bool) -> int:
        """Control API: pause (1 → 2) or resume (2 → 1); return the new status.

        Raises:
            NotFound: ``roomNotFound``.
            InvalidRequest: ``roomClosed``; ``cloudRecordNotFound`` when there is
                no running (to pause) or paused (to resume) recording.
        """
        before, after = (ON, PAUSED) if paused else (PAUSED, ON)
        async with self._store.write() as tx:
            conference = await MeetingTables(tx.conn, tx.row_lock).lock(corp_id, conference_id)
            if conference is None:
                raise errors.room_not_found()
            if conference.ended:
                raise errors.room_closed()
            if conference.cloud_record_status != before:
                raise errors.cloud_record_not_found(
                    f"no {'running' if paused else 'paused'} cloud recording"
                )
            await update_conference(tx, conference._replace(cloud_record_status=after))
            now = self._clock.now_ms()
            if paused:
                await ContentTables(tx.conn).close_span(conference_id, RECORD, now)
            else:
                await resume_take(tx, conference, now)
        return after
