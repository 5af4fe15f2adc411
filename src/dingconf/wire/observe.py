"""The access log and request metrics: one line and one count per request.

:func:`observe` wraps the whole app (outside :func:`~dingconf.wire.http.wire_errors`),
so it sees every request's final status, its request id, the action the
route table named, the caller the guard admitted and DingTalk's error code.
It logs the method and path but never the query string, headers or body:
tokens, secrets and signed URLs' signatures never reach the log.
"""

import json
import logging
import re
import time
from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dingconf.model import Principal
from dingconf.storage.base import StorageUnavailable
from dingconf.wire.http import ERROR_CODE, FAILURE, REQUEST_ID
from dingconf.wire.metrics import Metrics
from dingconf.wire.operations import ACTION, PRINCIPAL

__all__ = ["ACCESS_LOGGER", "ACCESS_LOG_FORMATS", "access_line", "observe"]

ACCESS_LOGGER = "dingconf.access"
ACCESS_LOG_FORMATS = ("text", "json", "off")
#: The action label of requests no route matched (kept to one label value).
_UNROUTED = "unknown"
# A text value is written bare only when it cannot be mistaken for more fields
# (a path may carry any decoded character, newlines included).
_BARE = re.compile(r"[^\s\"=\\]+")

log = logging.getLogger(ACCESS_LOGGER)


def _utc(seconds: float) -> str:
    millis = int(seconds * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


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


def observe(app: ASGIApp, metrics: Metrics, access_log: str) -> ASGIApp:
    """Count every HTTP request in ``metrics`` and log it in ``access_log`` format."""
    if access_log not in ACCESS_LOG_FORMATS:
        raise ValueError(f"access log format must be one of {ACCESS_LOG_FORMATS}")
    logging_on = access_log != "off"

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
                log.info(access_line(_fields(scope, wall, action, status, seconds), access_log))

    return middleware


def _fields(
    scope: MutableMapping[str, Any], wall: float, action: str, status: int, seconds: float
) -> dict[str, Any]:
    principal = scope.get(PRINCIPAL)
    who = principal if isinstance(principal, Principal) else None
    return {
        "time": _utc(wall),
        "requestId": scope.get(REQUEST_ID),
        "method": scope["method"],
        "path": scope["path"],
        "action": action,
        "app": who.client_key if who else None,
        "org": who.corp_id if who else None,
        "status": status,
        "code": scope.get(ERROR_CODE),
        "latencyMs": round(seconds * 1000, 3),
    }
