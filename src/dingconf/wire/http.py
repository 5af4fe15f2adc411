"""Turning ASGI requests into handler calls and handler replies into responses.

Handlers are three steps: parse the request, make one service call, encode
the reply. They return a :class:`Reply`; errors are raised as
:class:`~dingconf.errors.DingError` and turned into bodies by :func:`wire_errors`.
"""

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple, TypeVar

import msgspec
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from dingconf.errors import DingError, InvalidRequest
from dingconf.wire.errors import RouteNotFound, error_body, new_request_id, status_of, system_error

__all__ = [
    "REQUEST_ID",
    "Handler",
    "MethodDispatch",
    "Reply",
    "decode_body",
    "header",
    "ok",
    "query_param",
    "wire_errors",
]

log = logging.getLogger("dingconf.wire")

REQUEST_ID = "dingconf.request_id"
_JSON = b"application/json;charset=utf-8"

T = TypeVar("T")
_MISSING_FIELD = re.compile(r"Object missing required field `([^`]+)`$")


class Reply(NamedTuple):
    """A handler's answer: an HTTP status and a JSON body."""

    status: int
    body: bytes


Handler = Callable[[Request], Awaitable[Reply]]

_encode = msgspec.json.Encoder().encode


def ok(payload: Any) -> Reply:
    """A 200 reply carrying ``payload`` (a Struct or plain data) as JSON."""
    return Reply(200, _encode(payload))


async def _send(send: Send, status: int, body: bytes, request_id: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", _JSON),
                (b"content-length", str(len(body)).encode()),
                (b"x-acs-request-id", request_id.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class MethodDispatch:
    """An ASGI app serving one path, dispatching on the HTTP method.

    A class, not a closure: Starlette wraps plain functions as
    request/response handlers, and this is already an ASGI app.
    """

    __slots__ = ("_handlers",)

    def __init__(self, handlers: Mapping[str, Handler]) -> None:
        self._handlers = dict(handlers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = self._handlers.get(scope["method"])
        if handler is None:
            raise RouteNotFound()
        reply = await handler(Request(scope, receive))
        await _send(send, reply.status, reply.body, scope[REQUEST_ID])


def wire_errors(app: ASGIApp) -> ASGIApp:
    """Give every request an id and every failure a DingTalk-style JSON body.

    The request id is echoed in ``x-acs-request-id`` on every response and in
    the body's ``requestid`` on errors. Unexpected exceptions are logged with
    that id and answered ``systemError``; no stack trace reaches the client.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = new_request_id()
        scope[REQUEST_ID] = request_id
        # Handlers return a Reply that is sent after they finish, so a failure
        # always happens before any byte of the response went out.
        try:
            await app(scope, receive, send)
        except DingError as error:
            await _send(send, status_of(error), error_body(error, request_id), request_id)
        except Exception:
            log.exception(
                "request %s %s failed (requestid %s)", scope["method"], scope["path"], request_id
            )
            failure = system_error()
            await _send(send, status_of(failure), error_body(failure, request_id), request_id)

    return middleware


def _missing(name: str) -> InvalidRequest:
    # DingTalk's gateway names a missing parameter this way (spec §2.3, "Missingbody").
    return InvalidRequest(f"Missing{name}", f"{name} is mandatory for this action")


async def decode_body(request: Request, schema: type[T], param_error: str) -> T:
    """Decode and validate a JSON object body into ``schema``.

    Args:
        request: the incoming request.
        schema: a msgspec Struct; its fields without defaults are required.
        param_error: this API's code for a field of the wrong type.

    Raises:
        InvalidRequest: ``Missingbody`` for an empty, non-JSON or non-object body,
            ``Missing<field>`` for a missing required field, ``param_error`` for
            a field of the wrong type.
    """
    raw = await request.body()
    try:
        document = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise _missing("body") from None
    if not isinstance(document, dict):
        raise _missing("body")
    try:
        return msgspec.convert(document, schema)
    except msgspec.ValidationError as exc:
        missing = _MISSING_FIELD.match(str(exc))
        if missing:
            raise _missing(missing.group(1)) from None
        raise InvalidRequest(param_error, f"error:{exc}") from None


def header(request: Request, name: bytes) -> str | None:
    """One request header by its lowercase name.

    Scans the raw ASGI headers (lowercase by the ASGI spec) instead of building
    Starlette's ``Headers`` view: this runs on every call.
    """
    for key, value in request.scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def query_param(request: Request, name: str) -> str:
    """A required query parameter.

    Raises:
        InvalidRequest: ``Missing<name>`` when absent or empty.
    """
    value = request.query_params.get(name)
    if not value:
        raise _missing(name)
    return value
