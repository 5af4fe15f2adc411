"""The emulator control API under ``/_dingconf`` (never under ``/v1.0``).

Protected by the admin token when one is configured; open on a loopback bind
without one; refused on any other bind without one (design.md).
"""

import hmac
from collections.abc import Callable

from starlette.requests import Request

from dingconf.config import Secret
from dingconf.errors import AccessDenied, AuthenticationError, InvalidRequest
from dingconf.service.control import ControlService
from dingconf.wire.http import Handler, Reply, decode_body, ok
from dingconf.wire.routing import ApiRoute
from dingconf.wire.schemas import ClockBody, JoinBody, LeaveBody, ParticipantView

__all__ = ["ADMIN_HEADER", "control_routes"]

ADMIN_HEADER = "x-dingconf-admin-token"
_SUCCESS = {"success": True}
_PARAM_ERROR = "paramError"


def _guard(admin_token: Secret | None, loopback: bool) -> Callable[[Handler], Handler]:
    """Wrap control handlers with the admin-token rule."""

    def wrap(handler: Handler) -> Handler:
        async def guarded(request: Request) -> Reply:
            if admin_token is None:
                if not loopback:
                    raise AccessDenied(
                        "controlApiDisabled",
                        "the control API needs an admin token on a non-loopback bind",
                    )
            else:
                given = request.headers.get(ADMIN_HEADER, "").encode()
                if not hmac.compare_digest(given, admin_token.reveal().encode()):
                    raise AuthenticationError(
                        "InvalidAuthentication", f"missing or wrong {ADMIN_HEADER}"
                    )
            return await handler(request)

        return guarded

    return wrap


def control_routes(
    control: ControlService, admin_token: Secret | None, loopback: bool
) -> list[ApiRoute]:
    """The control routes, bound to the control service."""
    guard = _guard(admin_token, loopback)

    async def health(request: Request) -> Reply:
        return ok({"status": "ok"})

    async def join(request: Request) -> Reply:
        body = await decode_body(request, JoinBody, _PARAM_ERROR)
        await control.join(request.path_params["conferenceId"], body.union_id, body.nick)
        return ok(_SUCCESS)

    async def leave(request: Request) -> Reply:
        body = await decode_body(request, LeaveBody, _PARAM_ERROR)
        await control.leave(request.path_params["conferenceId"], body.union_id)
        return ok(_SUCCESS)

    async def join_room(request: Request) -> Reply:
        body = await decode_body(request, JoinBody, _PARAM_ERROR)
        conference_id = await control.join_room(
            request.path_params["roomCode"], body.union_id, body.nick
        )
        return ok({"conferenceId": conference_id})

    async def pause_record(request: Request) -> Reply:
        status = await control.set_record_paused(request.path_params["conferenceId"], True)
        return ok({"cloudRecordStatus": status})

    async def resume_record(request: Request) -> Reply:
        status = await control.set_record_paused(request.path_params["conferenceId"], False)
        return ok({"cloudRecordStatus": status})

    async def participants(request: Request) -> Reply:
        members = await control.participants(request.path_params["conferenceId"])
        return ok(
            {
                "participants": [
                    ParticipantView(
                        union_id=p.union_id,
                        nick=p.nick,
                        attend_status=int(p.attend_status),
                        duration=p.duration_ms,
                        join_time=p.last_join_ms,
                        leave_time=p.leave_ms,
                    )
                    for p in members
                ]
            }
        )

    async def get_clock(request: Request) -> Reply:
        return ok({"now": control.now_ms()})

    async def advance_clock(request: Request) -> Reply:
        body = await decode_body(request, ClockBody, _PARAM_ERROR)
        if body.advance_ms < 0:
            raise InvalidRequest(_PARAM_ERROR, "advanceMs must not be negative")
        return ok({"now": control.advance_clock(body.advance_ms)})

    conf = "/_dingconf/conferences/{conferenceId}"
    return [
        ApiRoute("GET", "/_dingconf/health", "Health", health),
        ApiRoute("POST", f"{conf}/join", "Join", guard(join)),
        ApiRoute("POST", f"{conf}/leave", "Leave", guard(leave)),
        ApiRoute("GET", f"{conf}/participants", "Participants", guard(participants)),
        ApiRoute("POST", f"{conf}/cloudRecord/pause", "PauseCloudRecord", guard(pause_record)),
        ApiRoute("POST", f"{conf}/cloudRecord/resume", "ResumeCloudRecord", guard(resume_record)),
        ApiRoute("POST", "/_dingconf/roomCodes/{roomCode}/join", "JoinRoom", guard(join_room)),
        ApiRoute("GET", "/_dingconf/clock", "GetClock", guard(get_clock)),
        ApiRoute("POST", "/_dingconf/clock", "AdvanceClock", guard(advance_clock)),
    ]
