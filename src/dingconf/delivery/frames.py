"""Stream-mode frames, as the ``dingtalk-stream`` SDKs read and write them.

Server → client: ``{"specVersion", "type": EVENT|SYSTEM|CALLBACK, "headers",
"data"}`` where every header value is a string and ``data`` is a JSON
string. Client → server: the ack ``{"code", "headers": {"messageId", ...},
"message", "data"}``.
"""

import json
from typing import NamedTuple

from dingconf.model import OutboxEvent

__all__ = ["ACK_OK", "Ack", "event_frame", "parse_ack", "system_frame"]

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
#: The ack code meaning "processed": anything else asks for the event again.
ACK_OK = 200


class Ack(NamedTuple):
    """A client's answer to a frame."""

    message_id: str
    code: int
    message: str


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
    return Ack(headers["messageId"], code, str(frame.get("message", "")))
