"""Stream-mode frames, as the ``dingtalk-stream`` SDKs read and write them.

Server → client: ``{"specVersion", "type": EVENT|SYSTEM|CALLBACK, "headers",
"data"}`` where every header value is a string and ``data`` is a JSON
string. Client → server: the ack ``{"code", "headers": {"messageId", ...},
"message", "data"}``.

An event's ack says "send it again" in one of two ways: the Python SDK by a
code other than 200, the Node.js and Go SDKs by code 200 with
``{"status": "LATER"}`` in ``data`` (``SUCCESS`` when processed; the Go SDK's
``clientV2`` writes the statuses as the numbers 1 and 2).
"""

import json
from typing import NamedTuple

from dingconf.events.records import OutboxEvent

__all__ = ["ACK_OK", "Ack", "event_frame", "parse_ack", "system_frame"]

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
#: The ack code meaning "processed" (unless ``data`` says LATER): anything else
#: asks for the event again.
ACK_OK = 200
#: ``data.status`` values asking for the event again under code 200: the Node.js
#: and Go SDKs' ``LATER``, and the number the Go SDK's ``clientV2`` sends for it.
_LATER: frozenset[object] = frozenset({"LATER", 2})


class Ack(NamedTuple):
    """A client's answer to a frame."""

    message_id: str
    code: int
    message: str
    #: ``data`` asked for the event again (``{"status": "LATER"}``).
    later: bool = False


def _frame(kind: str, headers: dict[str, str], data: str) -> str:
    return json.dumps(
        {"specVersion": SPEC_VERSION, "type": kind, "headers": headers, "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def event_frame(
    event: OutboxEvent, app_key: str, connection_id: str, message_id: str, now_ms: int
) -> str:
    """An EVENT frame carrying one outbox event to one app."""
    headers = {
        "appId": app_key,
        "connectionId": connection_id,
        "contentType": CONTENT_TYPE,
        "eventBornTime": str(event.born_ms),
        "eventCorpId": event.corp_id,
        "eventId": event.event_id,
        "eventType": event.event_type,
        "eventUnifiedAppId": app_key,
        "messageId": message_id,
        "time": str(now_ms),
        "topic": "*",
    }
    return _frame("EVENT", headers, event.payload)


def system_frame(topic: str, message_id: str, now_ms: int, data: dict[str, str]) -> str:
    """A SYSTEM frame: ``ping`` (answered by an ack echoing its data) or ``disconnect``."""
    headers = {
        "contentType": CONTENT_TYPE,
        "messageId": message_id,
        "time": str(now_ms),
        "topic": topic,
    }
    return _frame("SYSTEM", headers, json.dumps(data))


def parse_ack(text: str) -> Ack | None:
    """The ack in a client frame; None for anything else (or garbage)."""
    try:
        frame = json.loads(text)
    except ValueError:
        return None
    if not isinstance(frame, dict) or "code" not in frame:
        return None
    headers = frame.get("headers")
    if not isinstance(headers, dict) or not isinstance(headers.get("messageId"), str):
        return None
    try:
        code = int(frame["code"])
    except (TypeError, ValueError):
        return None
    later = _status(frame.get("data")) in _LATER
    return Ack(headers["messageId"], code, str(frame.get("message", "")), later)


def _status(data: object) -> object:
    """``status`` of an ack's ``data``: a JSON string as the SDKs send it, or an object."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return None
    if not isinstance(data, dict):
        return None
    status = data.get("status")
    # A bool is an int in Python, and True == 1: it is no status of the SDKs.
    return None if isinstance(status, bool) else status
