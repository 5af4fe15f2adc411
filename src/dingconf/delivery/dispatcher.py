"""The outbox reader: due deliveries, sent one by one over Stream or HTTP push.

Every process runs one :class:`Dispatcher`. It looks for due deliveries of
the apps it can reach: those with an HTTP push subscription (any process can
POST) and, for the others, those with a Stream session in this process. It
claims a tick's batch in the store (so that one process sends each, whichever
committed it), sends them and records each outcome: delivered on an ack that
says processed (code 200 without a LATER, see
:mod:`dingconf.delivery.frames`) or a push answered with the encrypted
``success``, else retried with exponential backoff and dead after
:data:`MAX_ATTEMPTS`. A crash leaves the claim to expire and another process
(or this one, restarted) sends the event again.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable

from dingconf.core.clock import Clock
from dingconf.db.store import Store
from dingconf.delivery.push import PushSender
from dingconf.delivery.stream import StreamHub, StreamSession
from dingconf.events.records import Delivery, PushSubscription
from dingconf.events.tables import DeliveryTables, SubscriberTables

__all__ = ["MAX_ATTEMPTS", "Dispatcher", "backoff_ms"]

log = logging.getLogger("dingconf.delivery")

MAX_ATTEMPTS = 10
_BACKOFF_BASE_MS = 500
_BACKOFF_CAP_MS = 60_000
#: How long a client may take to ack before the event counts as not delivered.
ACK_TIMEOUT_S = 5.0
#: A claim outlives the ack wait, so a live sender never loses its claim.
_LEASE_MS = 30_000
_BATCH = 200
#: How often the commit marker is looked at while this process serves any app.
_MARKER_POLL_S = 0.005
#: How long the list of HTTP push subscriptions is reused before it is read again.
_SUBSCRIPTIONS_TTL_S = 1.0


def backoff_ms(attempts: int) -> int:
    """Wait before the next try after ``attempts`` failed ones: 0.5 s, 1 s, 2 s ... 60 s."""
    return int(min(_BACKOFF_CAP_MS, _BACKOFF_BASE_MS * 2 ** max(0, attempts - 1)))


class Dispatcher:
    """Sends this process's share of the outbox to its Stream sessions."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        hub: StreamHub,
        push: PushSender,
        poll_s: float = 0.05,
        on_settled: Callable[[str], None] | None = None,
    ) -> None:
        self._store = store
        #: Told each attempt's outcome: ``delivered``, ``retry`` or ``dead`` (metrics).
        self._on_settled = on_settled
        self._clock = clock
        self._hub = hub
        self._push = push
        self._pushed: dict[str, PushSubscription] = {}
        self._pushed_at = -_SUBSCRIPTIONS_TTL_S
        self._serving = False
        self._poll_s = poll_s
        self._inflight: set[tuple[str, str]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        # Set when a delivery settles: the meeting's next event may go at once.
        self._wake = asyncio.Event()

    def start(self) -> None:
        """Begin polling the outbox in the background."""
        self._runner = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop polling and abandon sends in flight (their claims expire)."""
        tasks = [t for t in (self._runner, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        marker: int | None = None
        last_tick = -self._poll_s
        while True:
            # Where the store has a cheap commit marker (SQLite), look at it often and
            # read the outbox only when something committed; otherwise read every poll.
            seen = await self._store.change_marker()
            due = seen is None or seen != marker or loop.time() - last_tick >= self._poll_s
            if due or self._wake.is_set():
                marker, last_tick = seen, loop.time()
                self._wake.clear()
                try:
                    await self.tick()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # The database may be briefly away; try again on the next tick.
                    log.exception("event delivery tick failed")
            busy = seen is not None and self._serving
            # Not ``wait_for``: on Python 3.11 it swallows a stop that comes as a
            # delivery settles (wakes this wait), and the poll would go on for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_MARKER_POLL_S if busy else self._poll_s):
                    await self._wake.wait()

    async def tick(self) -> None:
        """Claim and start sending every due delivery this process can send now."""
        # An app with a push subscription gets its events by HTTP, not Stream.
        pushed = await self._subscriptions()
        keys = sorted({*pushed, *self._hub.app_keys()})
        self._serving = bool(keys)
        if not keys:
            return
        now = self._clock.now_ms()
        routed: dict[tuple[str, str], tuple[Delivery, PushSubscription | StreamSession]] = {}
        due = await DeliveryTables(self._store.reader).due_deliveries(keys, now, _BATCH)
        for delivery in due:
            key = (delivery.event.event_id, delivery.app_key)
            if key in self._inflight:
                continue
            route: PushSubscription | StreamSession | None = pushed.get(delivery.app_key)
            if route is None:
                route = self._hub.pick(delivery.app_key, delivery.event.event_type)
            if route is not None:
                routed[key] = (delivery, route)
        if not routed:
            return
        # One claim for the tick's batch: a transaction per delivery was most
        # of what delivery cost on PostgreSQL, which then fell behind the churn.
        async with self._store.write() as tx:
            deliveries = DeliveryTables(tx.conn, tx.row_lock)
            won = await deliveries.claim_deliveries(list(routed), now, now + _LEASE_MS)
        for key, (delivery, route) in routed.items():
            if key not in won:
                continue
            self._inflight.add(key)
            task = asyncio.create_task(self._deliver(delivery, route))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _subscriptions(self) -> dict[str, PushSubscription]:
        """The push subscriptions, re-read at most once a second (any process may change them)."""
        loop = asyncio.get_running_loop()
        if loop.time() - self._pushed_at >= _SUBSCRIPTIONS_TTL_S:
            found = await SubscriberTables(self._store.reader).push_subscriptions()
            self._pushed = {s.app_key: s for s in found}
            self._pushed_at = loop.time()
        return self._pushed

    async def _deliver(self, delivery: Delivery, route: PushSubscription | StreamSession) -> None:
        key = (delivery.event.event_id, delivery.app_key)
        try:
            if isinstance(route, PushSubscription):
                ok, error = await self._push.send(route, delivery)
            else:
                ok, error = await self._hub.send_event(route, delivery, ACK_TIMEOUT_S)
            attempts = delivery.attempts + 1
            async with self._store.write() as tx:
                await DeliveryTables(tx.conn).settle_delivery(
                    key[0],
                    key[1],
                    delivered=ok,
                    next_at_ms=self._clock.now_ms() + backoff_ms(attempts),
                    error=error,
                    max_attempts=MAX_ATTEMPTS,
                )
            if self._on_settled is not None:
                dead = not ok and attempts >= MAX_ATTEMPTS
                self._on_settled("delivered" if ok else "dead" if dead else "retry")
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("delivering event %s to %s failed", key[0], key[1])
        finally:
            self._inflight.discard(key)
            self._wake.set()
