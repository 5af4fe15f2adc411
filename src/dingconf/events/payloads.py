"""Meeting events (spec §5): the facts a change emits, in the change's own transaction.

Each fact gets the meeting's next ``statusSeqNum`` and becomes two outbox
events: the org-wide one (every app of the organisation) and the
``_target_push`` one for the app that created the meeting, whose
``openConfModel`` differs slightly (spec §5). The emitters take the
connection of the change's write transaction, so the events commit with it.
How events travel is not this module's business: storage keeps them, the
delivery adapters send them.
"""

import json
from collections.abc import Mapping

from dingconf.analytics.records import Device
from dingconf.analytics.tables import AnalyticsTables
from dingconf.core.digits import digits_value
from dingconf.core.records import Conference, Participant
from dingconf.core.rng import random_hex
from dingconf.db.driver import Connection
from dingconf.events.records import Fact, OutboxEvent
from dingconf.events.tables import EventTables

__all__ = [
    "CLOSED",
    "CREATED",
    "FLASH_MINUTES",
    "INVITED",
    "JOINED",
    "KICKED",
    "LEFT",
    "MEETING_STATUS",
    "MEMBER_STATUS",
    "TARGET_PUSH",
    "conf_model",
    "emit_meeting",
    "emit_members",
    "emit_video_ready",
    "member_model",
    "new_event_id",
]

MEETING_STATUS = "meeting_status_change"
MEMBER_STATUS = "meeting_member_status_change"
FLASH_MINUTES = "flash_minutes_open_event"
#: Video-ready events queue apart from the meeting's statusSeqNum order (they
#: carry none), so one waiting for its video does not hold back later facts.
_MEDIA_LANE = ":media"
TARGET_PUSH = "_target_push"
CREATED, CLOSED = "conference_created", "conference_closed"
JOINED, LEFT, INVITED, KICKED = "user_join", "user_leave", "user_invited", "user_kicked"


def conf_model(conference: Conference, now_ms: int, *, targeted: bool) -> dict[str, object]:
    """``openConfModel``: the org-wide shape, or the ``_target_push`` one.

    The targeted variant carries ``bizType`` as an Integer, ``endTime``,
    ``roomCode`` and ``externalLinkUrl``; the org-wide one a String ``bizType``.
    """
    c = conference
    end = c.end_time_ms if c.ended and c.end_time_ms else now_ms
    model: dict[str, object] = {
        "conferenceId": c.conference_id,
        "title": c.title,
        "status": int(c.status),
        "startTime": c.start_time_ms,
        "confDuration": max(0, end - c.start_time_ms),
        "activeNum": c.active_num,
        "attendNum": c.attend_num,
        "invitedNum": c.invited_num,
        "creatorId": c.creator_id,
        "creatorNick": c.creator_nick,
        "bizType": c.biz_type,
    }
    if c.schedule_conference_id:
        model["scheduleConferenceId"] = c.schedule_conference_id
    if targeted:
        model["bizType"] = digits_value(c.biz_type) or 0
        if c.ended and c.end_time_ms:
            model["endTime"] = c.end_time_ms
        model["roomCode"] = c.room_code
        model["externalLinkUrl"] = c.external_link_url
    return model


def member_model(
    conference: Conference, member: Participant, device_type: str
) -> dict[str, object]:
    """One ``openMemberModels`` item; times not yet reached are 0.

    ``device_type``: the client the person's latest join declared.
    """
    return {
        "conferenceId": conference.conference_id,
        # Members from outside the organisation have no unionId in its eyes.
        "userId": "" if member.outer_org else member.union_id,
        "userNick": member.nick,
        "joinTime": member.last_join_ms or 0,
        "leaveTime": member.leave_ms or 0,
        "duration": member.duration_ms,
        "attendStatus": int(member.attend_status),
        "host": member.union_id == conference.host_id,
        "coHost": member.union_id in conference.cohost_ids,
        "pstnJoin": False,
        "deviceType": device_type,
    }


# What a payload's last member starts with (its value is the outbox's to write).
_SEQ_MEMBER = ',"statusSeqNum":'
# One encoder for every payload: json.dumps with options builds a new one per call.
_to_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def new_event_id(born_ms: int) -> str:
    """An ``eventId``: 32 hex digits, the first 12 the time it is born (ms).

    Ids that grow with time keep the outbox's primary-key indexes appending
    at their end, so a change's events dirty the pages the previous change
    already dirtied instead of a random page each (a page is what a commit
    writes).
    """
    return f"{born_ms & 0xFFFFFFFFFFFF:012x}{random_hex(10)}"


async def _emit(
    outbox: EventTables,
    conference: Conference,
    event_type: str,
    now_ms: int,
    payloads: tuple[Mapping[str, object], Mapping[str, object]],
) -> None:
    """Write the org-wide event and, for a meeting an app created, its targeted twin.

    The outbox gives them the meeting's next statusSeqNum as it writes them
    (one round trip fewer than reading it first): each payload is encoded up
    to that last member.
    """
    org, own = payloads
    head = _head(org)
    await outbox.add_fact(
        Fact(
            conference_id=conference.conference_id,
            schedule_id=conference.schedule_conference_id,
            corp_id=conference.corp_id,
            born_ms=now_ms,
            event_types=(event_type, event_type + TARGET_PUSH),
            event_ids=(new_event_id(now_ms), new_event_id(now_ms)),
            # A member change sends both the same body: encoded once.
            payload_heads=(head, head if own is org else _head(own)),
        )
    )


def _head(body: Mapping[str, object]) -> str:
    """``body`` with ``statusSeqNum`` last, as JSON up to that member's value."""
    return _to_json(body)[:-1] + _SEQ_MEMBER


async def emit_meeting(conn: Connection, conference: Conference, scene: str, now_ms: int) -> None:
    """``meeting_status_change`` (and ``_target_push``) for a meeting as it is now."""
    org = {"openConfModel": conf_model(conference, now_ms, targeted=False), "changeScene": scene}
    own = {"openConfModel": conf_model(conference, now_ms, targeted=True), "changeScene": scene}
    await _emit(EventTables(conn), conference, MEETING_STATUS, now_ms, (org, own))


async def emit_members(
    conn: Connection,
    conference: Conference,
    members: list[Participant],
    scene: str,
    now_ms: int,
    devices: Mapping[str, str] | None = None,
) -> None:
    """``meeting_member_status_change`` (and ``_target_push``) for members as they are now.

    Each member's ``deviceType`` is the client of their latest stay, from
    ``devices`` (unionId → deviceType) when the caller knows it, else as
    stored; someone who never joined gets the default client.
    """
    if not members:
        return
    if devices is None:
        devices = await AnalyticsTables(conn).stay_devices(
            conference.conference_id, [m.union_id for m in members]
        )
    default = Device().device_type
    body = {
        "openMemberModels": [
            member_model(conference, m, devices.get(m.union_id, default)) for m in members
        ],
        "changeScene": scene,
    }
    await _emit(EventTables(conn), conference, MEMBER_STATUS, now_ms, (body, body))


async def emit_video_ready(
    conn: Connection, conference: Conference, task_id: int, ready_ms: int
) -> None:
    """``flash_minutes_open_event`` for a recording whose video will be ready at ``ready_ms``.

    Written in the transaction that stops the recording and born (so first
    delivered) when the video is generated; ``minutesTaskId`` numbers the
    recording's file (spec §5).
    """
    model: dict[str, object] = {"conferenceId": conference.conference_id}
    if conference.schedule_conference_id:
        model["scheduleConferenceId"] = conference.schedule_conference_id
    payload = {
        "openConfModel": model,
        "bizType": "cloud_record",
        "minutesEventType": "video_generated",
        "minutesTaskId": task_id,
    }
    lane = conference.conference_id + _MEDIA_LANE
    outbox = EventTables(conn)
    event = OutboxEvent(
        event_id=new_event_id(ready_ms),
        conference_id=lane,
        seq=await outbox.next_seq(lane),
        corp_id=conference.corp_id,
        event_type=FLASH_MINUTES,
        target_app=None,
        born_ms=ready_ms,
        payload=_to_json(payload),
    )
    await outbox.add_events([event])
