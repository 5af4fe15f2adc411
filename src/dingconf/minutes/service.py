"""Meeting minutes (闪记): starting, stopping and sharing them (docs/fidelity.md, "Minutes").

``minutesStatus``: 0 never started, 1 running, 2 stopped (StopMinutes lives at
``/minutes/pause``: stopped minutes can start again), 3 ended with the meeting.
Every start opens a new take (a MINUTES span); a stop closes it; the meeting's
end closes a running one (storage ``end_conference``). The host and co-hosts
start and stop the minutes (an app may start them without naming anyone); the
owner (``ownerUnionId``, else the starter, else the host) may stop them too,
and shares them (AddRecordPermission).
"""

import json
import uuid
from typing import Any

from dingconf.auth.service import WRITE, require_scope
from dingconf.content.records import MINUTES
from dingconf.content.tables import ContentTables
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.records import Conference, Principal
from dingconf.db.store import Store, WriteTx
from dingconf.meetings.access import lock_own_conference
from dingconf.meetings.tables import MeetingTables
from dingconf.meetings.transitions import update_conference
from dingconf.minutes.records import MINUTES_IDLE, MINUTES_PAUSED, MINUTES_RUNNING, MinutesGrant
from dingconf.minutes.tables import MinutesTables

__all__ = ["SUMMARY_FIELDS", "MinutesService", "task_uuid"]

#: The summary parts a test may set explicitly (control API); each wins over the derived one.
SUMMARY_FIELDS = frozenset(
    {"fullSummary", "paragraphSummary", "keywords", "actions", "chapters", "status"}
)
#: AddRecordPermission ``shareScope``: inferred 0 read-only, 1 may edit.
_SHARE_SCOPES = frozenset({0, 1})


def task_uuid(conference_id: str, take: int) -> str:
    """The stable id of one take of a meeting's minutes (``taskUuid``)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"dingconf:minutes:{conference_id}:{take}"))


def _required(value: str | None, name: str) -> str:
    if value is None or not value.strip():
        raise errors.param_error(f"{name} is required")
    return value.strip()


def _may_control(conference: Conference, union_id: str) -> bool:
    return union_id == conference.host_id or union_id in conference.cohost_ids


class MinutesService:
    """StartMinutes, StopMinutes, AddRecordPermission and the minutes' control API."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def _lock_running_meeting(
        self, tx: WriteTx, principal: Principal, conference_id: str
    ) -> Conference:
        conference = await lock_own_conference(tx, principal, conference_id)
        if conference.ended:
            raise errors.room_closed()
        return conference

    async def start(
        self,
        principal: Principal,
        conference_id: str,
        union_id: str | None,
        owner_union_id: str | None,
    ) -> None:
        """StartMinutes: the host or a co-host starts the minutes (0 or 2 → 1), a new take.

        The SDK marks no field required: without ``unionId`` the app starts
        them on its own authority (as it mutes or kicks), and the owner is
        ``ownerUnionId``, else the starter, else the meeting's host.

        Raises:
            InvalidRequest: ``paramsError`` / ``orgAccessForbidden`` (see
                :func:`lock_own_conference`); ``roomClosed`` when the meeting ended.
            NotFound: ``minutesStartPermissionError`` when ``unionId`` is neither
                the host nor a co-host, ``minutesStartError`` when the minutes already run.
        """
        require_scope(principal, WRITE)
        operator = (union_id or "").strip()
        async with self._store.write() as tx:
            conference = await self._lock_running_meeting(tx, principal, conference_id)
            owner = (owner_union_id or "").strip() or operator or conference.host_id
            if operator and not _may_control(conference, operator):
                raise errors.minutes_start_permission_error()
            if conference.minutes_status == MINUTES_RUNNING:
                raise errors.minutes_start_error()
            content = ContentTables(tx.conn)
            takes = await content.list_spans(conference.conference_id, MINUTES)
            take = max((s.take for s in takes), default=0) + 1
            now = self._clock.now_ms()
            await content.open_span(conference.conference_id, MINUTES, take, owner, now)
            await update_conference(
                tx, conference._replace(minutes_status=MINUTES_RUNNING, minutes_owner=owner)
            )

    async def stop(self, principal: Principal, conference_id: str, union_id: str | None) -> None:
        """StopMinutes: the host, a co-host or the owner stops the running minutes (1 → 2).

        Raises:
            InvalidRequest: ``paramError``, ``paramsError`` / ``orgAccessForbidden``,
                ``roomClosed``, ``minutesStopPermissionError`` for anyone else,
                ``minutesNotFound`` when the minutes do not run.
        """
        require_scope(principal, WRITE)
        operator = _required(union_id, "unionId")
        async with self._store.write() as tx:
            conference = await self._lock_running_meeting(tx, principal, conference_id)
            if not (_may_control(conference, operator) or operator == conference.minutes_owner):
                raise errors.minutes_stop_permission_error()
            if conference.minutes_status != MINUTES_RUNNING:
                raise errors.minutes_not_running()
            await ContentTables(tx.conn).close_span(
                conference.conference_id, MINUTES, self._clock.now_ms()
            )
            await update_conference(tx, conference._replace(minutes_status=MINUTES_PAUSED))

    async def grant(
        self,
        principal: Principal,
        conference_id: str,
        union_id: str | None,
        owner_union_id: str | None,
        share_scope: int | None,
    ) -> str:
        """AddRecordPermission: the minutes' owner shares them with ``union_id``.

        Returns the ``taskUuid`` of the latest take.

        Raises:
            InvalidRequest: ``paramError`` (missing ids, unknown ``shareScope``),
                ``paramsError`` / ``orgAccessForbidden``.
            NotFound: ``minutesNotFound`` when the minutes never ran.
            AccessDenied: ``noPermission`` when ``ownerUnionId`` owns no take.
        """
        require_scope(principal, WRITE)
        grantee = _required(union_id, "unionId")
        owner = _required(owner_union_id, "ownerUnionId")
        scope = 0 if share_scope is None else share_scope
        if scope not in _SHARE_SCOPES:
            raise errors.param_error("shareScope must be 0 or 1")
        async with self._store.write() as tx:
            conference = await lock_own_conference(tx, principal, conference_id)
            takes = await ContentTables(tx.conn).list_spans(conference.conference_id, MINUTES)
            if conference.minutes_status == MINUTES_IDLE or not takes:
                raise errors.minutes_not_found()
            if owner not in {s.owner for s in takes}:
                raise errors.no_permission("NO PERMISSION")
            task = task_uuid(conference.conference_id, takes[-1].take)
            await MinutesTables(tx.conn).grant_minutes(
                MinutesGrant(conference.conference_id, grantee, scope, task, self._clock.now_ms())
            )
        return task

    async def set_summary(self, conference_id: str, summary: dict[str, Any]) -> None:
        """Control API: set parts of the minutes' summary explicitly; they win from now on.

        Raises:
            NotFound: ``roomNotFound``.
            InvalidRequest: ``paramError`` for an unknown part.
        """
        unknown = set(summary) - SUMMARY_FIELDS
        if unknown:
            raise errors.param_error(f"unknown summary fields: {sorted(unknown)}")
        corp_id = await MeetingTables(self._store.reader).conference_corp(conference_id)
        if corp_id is None:
            raise errors.room_not_found()
        async with self._store.write() as tx:
            await MeetingTables(tx.conn, tx.row_lock).lock(corp_id, conference_id)
            await MinutesTables(tx.conn).put_minutes_summary(
                conference_id, json.dumps(summary, ensure_ascii=False)
            )
