"""The access log and request metrics: one line and one count per request.

:func:`observe` wraps the whole app (outside :func:`~dingconf.wire.http.wire_errors`),
so it sees every request's final status, its request id, the action the
route table named, the caller the guard admitted and DingTalk's error code.
It logs the method and path but never the query string, headers or body:
tokens, secrets and signed URLs' signatures never reach the log. A path
parameter that is not a plain identifier (the credential in
``/autoLogin/{token}``, a short link's code) is logged as ``***``.
"""

import asyncio
import json
import re
import sys
import time
from collections.abc import Callable, MutableMapping
from typing import Any, TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dingconf.model import Principal
from dingconf.storage.base import StorageUnavailable
from dingconf.wire.http import ERROR_CODE, FAILURE, REQUEST_ID
from dingconf.wire.metrics import Metrics
from dingconf.wire.operations import ACTION, PRINCIPAL

__all__ = ["ACCESS_LOG_FORMATS", "access_line", "loggable_path", "observe"]

ACCESS_LOG_FORMATS = ("text", "json", "off")
#: The action label of requests no route matched (kept to one label value).
_UNROUTED = "unknown"
#: Path parameters that only name things; any other (a link's token) is hidden.
_PUBLIC_PARAMS = frozenset(
    {"conferenceId", "scheduleConferenceId", "roomCode", "corpId", "unionId", "take"}
)
# A text value is written bare only when it cannot be mistaken for more fields
# (a path may carry any decoded character, newlines included).
_BARE = re.compile(r"[^\s\"=\\]+")


_second: list[Any] = [None, ""]  # the last whole second formatted, and its text


def _utc(seconds: float) -> str:
    whole = int(seconds)
    if _second[0] != whole:  # strftime once a second, not once a request
        _second[:] = [whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))]
    return f"{_second[1]}.{int(seconds * 1000) % 1000:03d}Z"


def access_line(fields: dict[str, Any], fmt: str) -> str:
    """One access-log line: ``key=value`` pairs (text) or a JSON object."""
    present = {k: v for k, v in fields.items() if v is not None}
    if fmt == "json":
        return json.dumps(present, separators=(",", ":"))
    return " ".join(f"{k}={_text(v)}" for k, v in present.items())


def _text(value: object) -> str:
    if isinstance(value, str) and not _BARE.fullmatch(value):
        return json.dumps(value)
    return str(value)


def _batched(stream: TextIO) -> Callable[[str], None]:
    """A line writer that writes once per event-loop turn.

    A write and a flush per request (what a logging handler does) halved the
    throughput of the hottest call; requests finishing in the same loop turn
    share one write instead, and every line is out before the loop idles.
    """
    pending: list[str] = []

    def flush() -> None:
        text = "".join(pending)
        pending.clear()
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed or full stderr must never fail the requests themselves

    def write(line: str) -> None:
        if not pending:
            asyncio.get_running_loop().call_soon(flush)
        pending.append(line + "\n")

    return write


def observe(
    app: ASGIApp, metrics: Metrics, access_log: str, stream: TextIO | None = None
) -> ASGIApp:
    """Count every HTTP request in ``metrics`` and log it in ``access_log`` format.

    The log goes to ``stream`` (default: this process's stderr).
    """
    if access_log not in ACCESS_LOG_FORMATS:
        raise ValueError(f"access log format must be one of {ACCESS_LOG_FORMATS}")
    logging_on = access_log != "off"
    write = _batched(stream or sys.stderr)

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started, wall = time.perf_counter(), time.time()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            seconds = time.perf_counter() - started
            action = str(scope.get(ACTION, _UNROUTED))
            failure = scope.get(FAILURE)
            metrics.observe(action, status, seconds, isinstance(failure, StorageUnavailable))
            if logging_on:
                write(access_line(_fields(scope, wall, action, status, seconds), access_log))

    return middleware


def loggable_path(scope: MutableMapping[str, Any]) -> str:
    """The request's path with every segment holding a non-public path parameter hidden."""
    path = str(scope["path"])
    params = scope.get("path_params") or {}
    hidden = {str(v) for k, v in params.items() if k not in _PUBLIC_PARAMS}
    if not hidden:
        return path
    return "/".join("***" if segment in hidden else segment for segment in path.split("/"))


def _fields(
    scope: MutableMapping[str, Any], wall: float, action: str, status: int, seconds: float
) -> dict[str, Any]:
    principal = scope.get(PRINCIPAL)
    who = principal if isinstance(principal, Principal) else None
    return {
        "time": _utc(wall),
        "requestId": scope.get(REQUEST_ID),
        "method": scope["method"],
        "path": loggable_path(scope),
        "action": action,
        "app": who.client_key if who else None,
        "org": who.corp_id if who else None,
        "status": status,
        "code": scope.get(ERROR_CODE),
        "latencyMs": round(seconds * 1000, 3),
    }
