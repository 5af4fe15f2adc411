"""The emulator control API under ``/_dingconf`` (never under ``/v1.0``).

Guarded by ``admin`` (see :mod:`dingconf.auth.guards`), health aside.
"""

from dingconf.analytics.routes import device_of, samples_of
from dingconf.analytics.schemas import DeclineBody, NetworkBody
from dingconf.content.records import Utterance
from dingconf.control.schemas import JoinBody, LeaveBody, ParticipantView
from dingconf.control.service import ControlService
from dingconf.core import errors
from dingconf.core.paging import Page
from dingconf.core.records import Participant
from dingconf.http.operations import Call, Operation, op
from dingconf.recording.schemas import SayBody, UtteranceView

__all__ = ["analytics_control_routes", "control_routes", "utterance_view"]

_SUCCESS = {"success": True}
_PARAM_ERROR = errors.param_error.code


def _participants(page: Page[Participant]) -> dict[str, list[ParticipantView] | str]:
    return {
        "nextToken": page.next_token,
        "participants": [
            ParticipantView(
                union_id=p.union_id,
                nick=p.nick,
                attend_status=int(p.attend_status),
                duration=p.duration_ms,
                join_time=p.last_join_ms,
                leave_time=p.leave_ms,
            )
            for p in page.items
        ],
    }


def utterance_view(u: Utterance) -> UtteranceView:
    """A stored utterance as the control API shows it."""
    return UtteranceView(
        conference_id=u.conference_id,
        seq=u.seq,
        union_id=u.union_id,
        nick=u.nick,
        text=u.text,
        time=u.at_ms,
    )


def _record_status(status: int) -> dict[str, int]:
    return {"cloudRecordStatus": status}


def _now(now_ms: int) -> dict[str, int]:
    return {"now": now_ms}


def control_routes(control: ControlService) -> list[Operation]:
    """The control operations."""

    async def health(_c: Call[None]) -> dict[str, str]:
        return {"status": "ok"}

    async def now(_c: Call[None]) -> int:
        return control.now_ms()

    async def join(c: Call[JoinBody]) -> None:
        b = c.body
        samples = samples_of(b.union_id, b.device.samples if b.device else None, None)
        await control.join(
            c.conference_id,
            b.union_id,
            b.nick,
            device_of(b.device),
            samples,
            typo_check=not b.outsider,
        )

    async def join_room(c: Call[JoinBody]) -> dict[str, str]:
        b = c.body
        samples = samples_of(b.union_id, b.device.samples if b.device else None, None)
        conference_id = await control.join_room(
            c.path("roomCode"),
            b.union_id,
            b.nick,
            device_of(b.device),
            samples,
            typo_check=not b.outsider,
        )
        return {"conferenceId": conference_id}

    conf = "/_dingconf/conferences/{conferenceId}"
    return [
        op("GET /_dingconf/health", "Health", health, guard="open"),
        op(
            f"POST {conf}/join",
            "Join",
            join,
            _SUCCESS,
            body=JoinBody,
            param_error=_PARAM_ERROR,
            guard="admin",
        ),
        op(
            f"POST {conf}/leave",
            "Leave",
            lambda c: control.leave(c.conference_id, c.body.union_id),
            _SUCCESS,
            body=LeaveBody,
            param_error=_PARAM_ERROR,
            guard="admin",
        ),
        op(
            f"POST {conf}/say",
            "Say",
            lambda c: control.say(c.conference_id, c.body.union_id, c.body.text, c.body.offset_ms),
            utterance_view,
            body=SayBody,
            param_error=_PARAM_ERROR,
            guard="admin",
        ),
        op(
            f"GET {conf}/participants",
            "Participants",
            lambda c: control.participants(c.conference_id, *c.paging(_PARAM_ERROR)),
            _participants,
            param_error=_PARAM_ERROR,
            guard="admin",
        ),
        op(
            f"POST {conf}/cloudRecord/pause",
            "PauseCloudRecord",
            lambda c: control.set_record_paused(c.conference_id, True),
            _record_status,
            guard="admin",
        ),
        op(
            f"POST {conf}/cloudRecord/resume",
            "ResumeCloudRecord",
            lambda c: control.set_record_paused(c.conference_id, False),
            _record_status,
            guard="admin",
        ),
        op(
            "POST /_dingconf/roomCodes/{roomCode}/join",
            "JoinRoom",
            join_room,
            body=JoinBody,
            param_error=_PARAM_ERROR,
            guard="admin",
        ),
        op("GET /_dingconf/clock", "GetClock", now, _now, guard="admin"),
    ]


def analytics_control_routes(control: ControlService) -> list[Operation]:
    """Control operations: clients report their network; invitees decline."""

    async def report(c: Call[NetworkBody]) -> None:
        samples = samples_of(c.body.union_id, c.body.samples, control.now_ms()) or []
        await control.report_network(c.conference_id, samples)

    conf = "/_dingconf/conferences/{conferenceId}"
    return [
        op(
            f"POST {conf}/network",
            "ReportNetwork",
            report,
            {"success": True},
            body=NetworkBody,
            param_error="paramError",
            guard="admin",
        ),
        op(
            f"POST {conf}/decline",
            "Decline",
            lambda c: control.decline(c.conference_id, c.body.union_id, c.body.reason),
            {"success": True},
            body=DeclineBody,
            param_error="paramError",
            guard="admin",
        ),
    ]
