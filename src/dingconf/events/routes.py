"""Control API for events: ``/_dingconf/events`` (list, dead letters, redeliver) and
``/_dingconf/apps/{appKey}/push`` (HTTP push subscriptions)."""

import json
from typing import Any

import msgspec

from dingconf.core import errors
from dingconf.events.log import EventLogService
from dingconf.events.push import PushService
from dingconf.events.records import Delivery
from dingconf.http.operations import Call, Operation, op

__all__ = ["PushBody", "RedeliverBody", "event_log_routes"]


class RedeliverBody(msgspec.Struct, rename="camel"):
    """Which app gets the event again."""

    app_key: str


class PushBody(msgspec.Struct, rename="camel"):
    """An app's HTTP push subscription: callback URL, token, 43-character AES key."""

    url: str
    token: str
    aes_key: str


def _view(d: Delivery) -> dict[str, Any]:
    e = d.event
    return {
        "eventId": e.event_id,
        "eventType": e.event_type,
        "conferenceId": e.conference_id,
        "statusSeqNum": e.seq,
        "corpId": e.corp_id,
        "eventBornTime": e.born_ms,
        "state": d.state,
        "attempts": d.attempts,
        "nextAttemptTime": d.next_at_ms,
        "lastError": d.last_error,
        "data": json.loads(e.payload),
    }


def event_log_routes(log: EventLogService, push: PushService) -> list[Operation]:
    """List an app's events with delivery state; redeliver one; set HTTP push."""

    async def subscribe(c: Call[PushBody]) -> None:
        await push.subscribe(c.path("appKey"), c.body.url, c.body.token, c.body.aes_key)

    async def unsubscribe(c: Call[None]) -> None:
        await push.unsubscribe(c.path("appKey"))

    async def events(c: Call[None]) -> tuple[list[Delivery], str]:
        next_token, max_results = c.paging(errors.param_error.code)
        return await log.deliveries(
            c.optional("appKey") or "", c.optional("state"), next_token, max_results
        )

    async def redeliver(c: Call[RedeliverBody]) -> None:
        await log.redeliver(c.path("eventId"), c.body.app_key)

    return [
        op(
            "GET /_dingconf/events",
            "ListEvents",
            events,
            lambda page: {"events": [_view(d) for d in page[0]], "nextToken": page[1]},
            guard="admin",
        ),
        op(
            "POST /_dingconf/events/{eventId}/redeliver",
            "RedeliverEvent",
            redeliver,
            {"success": True},
            body=RedeliverBody,
            guard="admin",
        ),
        op(
            "PUT /_dingconf/apps/{appKey}/push",
            "SetPushSubscription",
            subscribe,
            {"success": True},
            body=PushBody,
            guard="admin",
        ),
        op(
            "DELETE /_dingconf/apps/{appKey}/push",
            "DeletePushSubscription",
            unsubscribe,
            {"success": True},
            guard="admin",
        ),
    ]
