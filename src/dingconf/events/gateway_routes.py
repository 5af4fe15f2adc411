"""Stream mode's gateway (spec §5): the open-connection API and the WebSocket.

``POST /v1.0/gateway/connections/open`` answers ``{endpoint, ticket}``; the
official ``dingtalk-stream`` SDK then opens ``endpoint?ticket=...``. The
session itself (frames, acks, redelivery) belongs to the delivery adapter,
reached through :class:`~dingconf.model.StreamSessions`.
"""

import contextlib

import msgspec
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from dingconf.events.gateway import GatewayService, Subscription
from dingconf.events.records import StreamSessions
from dingconf.http.body import Body as _Struct
from dingconf.http.operations import Call, Operation, op

__all__ = [
    "STREAM_PATH",
    "OpenConnectionBody",
    "OpenConnectionReply",
    "gateway_routes",
    "stream_routes",
]

#: Where the WebSocket lives (DingTalk's is ``wss://wss-open-connection.dingtalk.com/connect``).
STREAM_PATH = "/connect"
_POLICY_VIOLATION = 1008


class SubscriptionItem(_Struct):
    """One ``subscriptions`` entry of the open-connection request."""

    type: str
    topic: str


class OpenConnectionBody(_Struct):
    """The open-connection request the ``dingtalk-stream`` SDK sends."""

    client_id: str
    client_secret: str
    subscriptions: list[SubscriptionItem] = msgspec.field(default_factory=list)
    ua: str = ""
    local_ip: str = ""


class OpenConnectionReply(_Struct):
    """Where to connect, and the ticket to present."""

    endpoint: str
    ticket: str


def gateway_routes(gateway: GatewayService) -> list[Operation]:
    """The open-connection API (authenticated by the body's clientId and clientSecret)."""

    async def open_connection(call: Call[OpenConnectionBody]) -> OpenConnectionReply:
        body = call.body
        ticket = await gateway.open_connection(
            body.client_id,
            body.client_secret,
            [Subscription(s.type, s.topic) for s in body.subscriptions],
        )
        url = call.request.url
        scheme = "wss" if url.scheme == "https" else "ws"
        return OpenConnectionReply(f"{scheme}://{url.netloc}{STREAM_PATH}", ticket)

    return [
        op(
            "POST /v1.0/gateway/connections/open",
            "OpenConnection",
            open_connection,
            lambda reply: reply,
            body=OpenConnectionBody,
            guard="open",
            returns=OpenConnectionReply,
        )
    ]


class _Channel:
    """A Starlette WebSocket as a :class:`~dingconf.model.StreamChannel`."""

    def __init__(self, websocket: WebSocket) -> None:
        self._ws = websocket

    async def send(self, text: str) -> None:
        await self._ws.send_text(text)

    async def receive(self) -> str | None:
        try:
            message = await self._ws.receive()
        except (WebSocketDisconnect, RuntimeError):
            return None
        if message["type"] == "websocket.disconnect":
            return None
        # Acks are text frames; a binary one is read as UTF-8 all the same.
        text = message.get("text")
        if text is None:
            text = (message.get("bytes") or b"").decode("utf-8", "replace")
        return str(text)

    async def close(self) -> None:
        if self._ws.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError):
                await self._ws.close()


def stream_routes(gateway: GatewayService, sessions: StreamSessions) -> list[BaseRoute]:
    """The Stream-mode WebSocket: a valid ticket opens a session, any other is refused."""

    async def connect(websocket: WebSocket) -> None:
        ticket = await gateway.redeem(websocket.query_params.get("ticket", ""))
        if ticket is None:
            await websocket.close(code=_POLICY_VIOLATION)
            return
        await websocket.accept()
        channel = _Channel(websocket)
        try:
            await sessions.serve(ticket, channel)
        finally:
            await channel.close()

    return [WebSocketRoute(STREAM_PATH, connect)]
