"""Stream-mode sessions of this process: who is connected, sending, waiting for acks."""

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from dingconf.core.clock import Clock
from dingconf.core.rng import random_hex
from dingconf.delivery.frames import ACK_OK, Ack, event_frame, parse_ack, system_frame
from dingconf.events.records import Delivery, StreamChannel, StreamTicket

__all__ = ["StreamHub", "StreamSession"]

log = logging.getLogger("dingconf.delivery")

#: How often an idle session is pinged (the SDK answers each ping with an ack).
PING_INTERVAL_S = 30.0


@dataclass(eq=False, slots=True)
class StreamSession:
    """One connected WebSocket of an app, and the acks it owes."""

    ticket: StreamTicket
    channel: StreamChannel
    connection_id: str
    topics: frozenset[str]
    pending: dict[str, "asyncio.Future[Ack]"] = field(default_factory=dict)
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def wants(self, event_type: str) -> bool:
        """Whether the session subscribed to EVENT frames of this type."""
        return "*" in self.topics or event_type in self.topics

    async def send(self, text: str) -> None:
        """Send one frame; frames of concurrent senders never interleave."""
        async with self.send_lock:
            await self.channel.send(text)


def _event_topics(ticket: StreamTicket) -> frozenset[str]:
    pairs = json.loads(ticket.subscriptions)
    return frozenset(str(topic) for kind, topic in pairs if kind == "EVENT")


class StreamHub:
    """The Stream sessions connected to this process, by app."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._sessions: dict[str, list[StreamSession]] = {}
        self._turn = 0

    def app_keys(self) -> list[str]:
        """Apps with at least one session here."""
        return sorted(self._sessions)

    def pick(self, app_key: str, event_type: str) -> StreamSession | None:
        """A session of the app that wants this event type, taking turns among them."""
        wanting = [s for s in self._sessions.get(app_key, ()) if s.wants(event_type)]
        if not wanting:
            return None
        self._turn += 1
        return wanting[self._turn % len(wanting)]

    async def serve(self, ticket: StreamTicket, channel: StreamChannel) -> None:
        """Run one session: register it, read acks until the socket closes."""
        session = StreamSession(ticket, channel, random_hex(16), _event_topics(ticket))
        self._sessions.setdefault(ticket.app_key, []).append(session)
        pinger = asyncio.create_task(self._ping(session))
        try:
            while (text := await channel.receive()) is not None:
                ack = parse_ack(text)
                waiter = session.pending.pop(ack.message_id, None) if ack else None
                if ack is not None and waiter is not None and not waiter.done():
                    waiter.set_result(ack)
        finally:
            pinger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pinger
            sessions = self._sessions.get(ticket.app_key, [])
            if session in sessions:
                sessions.remove(session)
            if not sessions:
                self._sessions.pop(ticket.app_key, None)
            for waiter in session.pending.values():
                waiter.cancel()

    async def _ping(self, session: StreamSession) -> None:
        while True:
            await asyncio.sleep(PING_INTERVAL_S)
            opaque = random_hex(16)
            try:
                await session.send(
                    system_frame("ping", opaque, self._clock.now_ms(), {"opaque": opaque})
                )
            except Exception:  # a closing socket; serve() notices and cleans up
                return

    async def send_event(
        self, session: StreamSession, delivery: Delivery, timeout_s: float
    ) -> tuple[bool, str]:
        """Send an event and wait for its ack: (processed, what went wrong).

        Processed is code 200 without a LATER in the ack's data (see
        :mod:`dingconf.delivery.frames`); anything else is a failed attempt.
        """
        message_id = random_hex(16)
        waiter: asyncio.Future[Ack] = asyncio.get_running_loop().create_future()
        session.pending[message_id] = waiter
        frame = event_frame(
            delivery.event,
            delivery.app_key,
            session.connection_id,
            message_id,
            self._clock.now_ms(),
        )
        try:
            await session.send(frame)
            ack = await asyncio.wait_for(waiter, timeout_s)
        except TimeoutError:
            return False, "no ack"
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():  # we are being stopped
                raise
            return False, "connection closed"  # the session closed under us
        except Exception as exc:
            return False, f"send failed: {exc}"
        finally:
            session.pending.pop(message_id, None)
        if ack.code != ACK_OK or ack.later:
            later = " LATER" if ack.later else ""
            return False, f"ack {ack.code}{later} {ack.message}".strip()
        return True, ""

    def sessions(self) -> Iterator[StreamSession]:
        """Every session of this process."""
        for sessions in self._sessions.values():
            yield from sessions

    async def disconnect_all(self) -> None:
        """Tell every client to reconnect (a SYSTEM ``disconnect``), then close."""
        for session in list(self.sessions()):
            with contextlib.suppress(Exception):
                await session.send(
                    system_frame(
                        "disconnect",
                        random_hex(16),
                        self._clock.now_ms(),
                        {"reason": "server shutting down"},
                    )
                )
                await session.channel.close()
