"""Turning ASGI requests into handler calls and handler replies into responses.

Handlers are three steps: parse the request, make one service call, encode
the reply. They return a :class:`Reply`; errors are raised as
:class:`~dingconf.core.errors.DingError` and turned into bodies by :func:`wire_errors`.
"""

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NamedTuple

import msgspec
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dingconf.core import errors
from dingconf.core.errors import DingError
from dingconf.http.errors import DropConnection, RequestIds, error_body, status_of
from dingconf.http.redaction import loggable_path

__all__ = [
    "ERROR_CODE",
    "FAILURE",
    "KEEP_BODIES",
    "RECEIVED",
    "REQUEST_ID",
    "SENT",
    "ErrorPage",
    "Handler",
    "MethodDispatch",
    "Reply",
    "header",
    "ok",
    "query_param",
    "recording",
    "redirect",
    "wire_errors",
]

log = logging.getLogger("dingconf.http")

REQUEST_ID = "dingconf.request_id"
#: Scope keys telling outer layers (the access log, metrics) how a request
#: failed: DingTalk's error code, and the unexpected exception behind a 500.
ERROR_CODE = "dingconf.error_code"
FAILURE = "dingconf.failure"
#: Scope keys through which the outermost layer learns what a request exchanged
#: without wrapping ``send`` and ``receive`` on every request: the status and
#: body of the reply sent (``(status, body)``), the chunks of body the app read,
#: and (set by that layer) whether it wants the bodies of replies sent in parts.
SENT = "dingconf.sent"
RECEIVED = "dingconf.received"
KEEP_BODIES = "dingconf.keep_bodies"
_JSON = b"application/json;charset=utf-8"


class Reply(NamedTuple):
    """A handler's answer: an HTTP status and a JSON body (or a redirect's location)."""

    status: int
    body: bytes
    location: str | None = None


Handler = Callable[[Request], Awaitable[Reply]]
#: Answers an error with a page of its own instead of the JSON body (a browser's
#: 404); returns whether it did.
ErrorPage = Callable[[Scope, DingError, Send], Awaitable[bool]]

_encode = msgspec.json.Encoder().encode


def ok(payload: Any) -> Reply:
    """A 200 reply carrying ``payload`` (a Struct or plain data) as JSON."""
    return Reply(200, _encode(payload))


def redirect(location: str) -> Reply:
    """A 302 reply sending the client on to ``location`` (links dingconf serves)."""
    return Reply(302, b"", location)


async def _send(
    scope: Scope, send: Send, status: int, body: bytes, location: str | None = None
) -> None:
    scope[SENT] = (status, body)
    headers = [
        (b"content-type", _JSON),
        (b"content-length", str(len(body)).encode()),
        (b"x-acs-request-id", scope[REQUEST_ID].encode()),
    ]
    if location is not None:
        headers.append((b"location", location.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
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
            raise errors.route_not_found()
        reply = await handler(Request(scope, receive))
        await _send(scope, send, reply.status, reply.body, reply.location)


def recording(scope: Scope, send: Send) -> Send:
    """``send``, noting in ``scope`` what it sends (:data:`SENT`): for replies that
    do not go through this module (files, pages), whose status the access log and
    the journal still need. Bodies are collected only where :data:`KEEP_BODIES` asks.
    """
    keep = scope.get(KEEP_BODIES, False)
    chunks: list[bytes] = []

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            scope[SENT] = (message["status"], b"")
        elif keep and message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):  # joined once, when complete
                scope[SENT] = (scope[SENT][0], b"".join(chunks))
        await send(message)

    return sending


def _check_host(scope: Scope) -> None:
    """One ``Host`` per request (RFC 9112 §3.2: answer 400 to two, or to none in HTTP/1.1).

    Checked here, where every request enters: the guards read the first Host,
    and a proxy in front may have routed by another. granian hands a request
    without one an empty Host, which names no server either.
    """
    hosts = 0
    named = False
    for key, value in scope["headers"]:
        if key == b"host":
            hosts += 1
            named = named or bool(value)
    if hosts > 1 or (not named and scope.get("http_version") == "1.1"):
        raise errors.invalid_host()


def wire_errors(
    app: ASGIApp,
    request_ids: RequestIds,
    error_page: ErrorPage | None = None,
    before: Callable[[Scope], Awaitable[None]] | None = None,
) -> ASGIApp:
    """Give every request an id and every failure a DingTalk-style JSON body.

    The request id is echoed in ``x-acs-request-id`` on every response and in
    the body's ``requestid`` on errors. Unexpected exceptions are logged with
    that id and answered ``systemError``; no stack trace reaches the client.
    ``error_page`` may answer a DingTalk error otherwise (only failures pay for it).
    ``before`` runs ahead of the app for each request, its failures answered as
    the app's are (here rather than as a layer of its own: each layer costs
    every request a coroutine).
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = request_ids.new()
        scope[REQUEST_ID] = request_id
        # Handlers return a Reply that is sent after they finish, so a failure
        # always happens before any byte of the response went out.
        try:
            _check_host(scope)
            if before is not None:
                await before(scope)
            await app(scope, receive, send)
        except DingError as error:
            scope[ERROR_CODE] = error.code
            if error_page is None or not await error_page(scope, error, recording(scope, send)):
                await _send(scope, send, status_of(error), error_body(error, request_id))
        except DropConnection:
            # ASGI has no "close now": promise a body, send part of it and fail,
            # so the server cuts the connection and the client reads a broken
            # reply (granian holds back a start without body and answers 500).
            scope[SENT] = (200, b"{")
            start = {"type": "http.response.start", "status": 200}
            await send({**start, "headers": [(b"content-length", b"2")]})
            await send({"type": "http.response.body", "body": b"{", "more_body": True})
            raise
        except Exception as exc:
            # The traceback goes to the log only; the client sees systemError.
            log.exception(
                "request %s %s failed (requestid %s)",
                scope["method"],
                loggable_path(scope),
                request_id,
            )
            failure = errors.system_error()
            scope[ERROR_CODE] = failure.code
            scope[FAILURE] = exc
            await _send(scope, send, status_of(failure), error_body(failure, request_id))

    return middleware


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
        raise errors.missing_parameter(name)
    return value
