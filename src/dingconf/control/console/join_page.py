"""A meeting's join page at its ``externalLinkUrl`` (``/app?roomCode=…&token=…``).

The page itself (HTML, CSS and script shipped in the package under
``dingconf/web/``, no build step) is served by raw routes; its JSON calls
(join, heartbeat, leave) are operations like any other, so the hostile-input
rules of :mod:`dingconf.http.untrusted` apply. Both refuse other sites' pages
as the control API does (:func:`dingconf.auth.guards.page_guard`); the link and
the presence id the join hands out authorise the calls themselves.
"""

from importlib.resources import files

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dingconf.control.console.join_schemas import (
    JoinPageBody,
    JoinPageData,
    JoinPageJoined,
    JoinPageMeeting,
    JoinPagePerson,
    JoinPageState,
    PresenceBody,
)
from dingconf.control.console.presence import PresenceService
from dingconf.core import errors
from dingconf.core.digits import ascii_digits
from dingconf.core.errors import NotFound
from dingconf.core.records import Conference
from dingconf.http.operations import Authenticate, Call, Operation, op
from dingconf.recording.service import RECORDING

__all__ = ["JOIN_PAGE_PATH", "join_page_operations", "join_page_routes"]

#: Where ``externalLinkUrl`` leads (meetings.service, bookings.service).
JOIN_PAGE_PATH = "/app"
_API = f"{JOIN_PAGE_PATH}/api"
_PARAM_ERROR = errors.param_error.code
_WEB = files("dingconf").joinpath("web")
_HTML_TYPE = "text/html; charset=utf-8"
#: The page's own files, by the name it asks for, with their media type.
_STATIC = {
    "join.css": ("text/css; charset=utf-8", _WEB.joinpath("join.css").read_bytes()),
    "join.js": ("text/javascript; charset=utf-8", _WEB.joinpath("join.js").read_bytes()),
}
_PAGE = _WEB.joinpath("join.html").read_text(encoding="utf-8")
_INVALID = _WEB.joinpath("join-invalid.html").read_bytes()
_DATA_SLOT = "{{PAGE_DATA}}"
#: Nothing but the page's own files; the URL (it holds the link's token) goes nowhere.
_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
}
# Longer than any room code or link token dingconf hands out.
_MAX_LINK_PART = 128


def _meeting(conference: Conference) -> JoinPageMeeting:
    return JoinPageMeeting(
        title=conference.title,
        status=int(conference.status),
        locked=conference.locked,
        active_num=conference.active_num,
        recording=conference.cloud_record_status in RECORDING,
    )


def _embedded(data: JoinPageData) -> str:
    """JSON safe inside a ``<script type="application/json">`` element."""
    text = msgspec.json.encode(data).decode()
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def join_page_operations(presence: PresenceService) -> list[Operation]:
    """The page's JSON calls, guarded by ``page``."""

    async def join(c: Call[JoinPageBody]) -> JoinPageJoined:
        b = c.body
        joined = await presence.join(b.room_code, b.token, b.union_id, b.nick, b.member_pass)
        return JoinPageJoined(
            presence_id=joined.presence_id,
            union_id=joined.union_id,
            nick=joined.nick,
            guest=joined.guest,
            heartbeat_ms=presence.heartbeat_ms,
            meeting=_meeting(joined.conference),
        )

    async def beat(c: Call[PresenceBody]) -> JoinPageState:
        b = c.body
        state, conference = await presence.beat(b.room_code, b.token, b.presence_id)
        return JoinPageState(state=str(state), meeting=_meeting(conference))

    async def leave(c: Call[PresenceBody]) -> JoinPageState:
        b = c.body
        conference = await presence.leave(b.room_code, b.token, b.presence_id)
        return JoinPageState(state="left", meeting=_meeting(conference))

    return [
        op(
            f"POST {_API}/join",
            "JoinPageJoin",
            join,
            body=JoinPageBody,
            param_error=_PARAM_ERROR,
            guard="page",
        ),
        op(
            f"POST {_API}/heartbeat",
            "JoinPageHeartbeat",
            beat,
            body=PresenceBody,
            param_error=_PARAM_ERROR,
            guard="page",
        ),
        op(
            f"POST {_API}/leave",
            "JoinPageLeave",
            leave,
            body=PresenceBody,
            param_error=_PARAM_ERROR,
            guard="page",
        ),
    ]


def join_page_routes(presence: PresenceService, admit: Authenticate) -> list[BaseRoute]:
    """``GET /app`` (the page, or a 404 page for a link that is not valid) and its files."""

    async def page(request: Request) -> Response:
        await admit(request)
        room_code = request.query_params.get("roomCode", "")
        token = request.query_params.get("token", "")
        try:
            # Room codes are ASCII digits: anything else (a NUL PostgreSQL would
            # refuse) is no join link, and neither is a token too long for one.
            if not ascii_digits(room_code) or len(room_code) > _MAX_LINK_PART:
                raise errors.link_not_found("not a join link's room code")
            if len(token) > _MAX_LINK_PART or "\x00" in token:
                raise errors.link_not_found("not a join link's token")
            conference = await presence.meeting(room_code, token)
        except NotFound:
            return Response(_INVALID, 404, _HEADERS, _HTML_TYPE)
        member = await presence.member(
            conference,
            request.query_params.get("unionId"),
            request.query_params.get("memberPass"),
        )
        data = JoinPageData(
            meeting=_meeting(conference),
            heartbeat_ms=presence.heartbeat_ms,
            timeout_ms=presence.timeout_ms,
            member=JoinPagePerson(union_id=member.union_id, nick=member.nick) if member else None,
        )
        return Response(
            _PAGE.replace(_DATA_SLOT, _embedded(data)).encode(), 200, _HEADERS, _HTML_TYPE
        )

    async def static(request: Request) -> Response:
        found = _STATIC.get(str(request.path_params["name"]))
        if found is None:
            raise errors.file_not_found()
        media_type, body = found
        return Response(body, 200, {"x-content-type-options": "nosniff"}, media_type)

    return [
        Route(JOIN_PAGE_PATH, page, methods=["GET"]),
        Route(f"{JOIN_PAGE_PATH}/static/{{name}}", static, methods=["GET"]),
    ]
