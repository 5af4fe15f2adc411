"""The event dispatcher stops when asked, whatever it was doing.

A delivery settling wakes the dispatcher's poll. On Python 3.11,
``asyncio.wait_for`` returns the awaited result instead of raising when the
task is cancelled just as that result arrives: a stop that came with a
delivery settling was swallowed, the dispatcher polled on, and the server's
shutdown waited on it for ever (an in-process server once hung at stop).
"""

import asyncio
from pathlib import Path

from dingconf.app import open_store
from dingconf.core.clock import Clock
from dingconf.delivery.dispatcher import Dispatcher
from dingconf.delivery.push import PushSender
from dingconf.delivery.stream import StreamHub


async def _stop_as_a_delivery_settles(url: str) -> bool:
    store = open_store(url)
    await store.open()
    clock = Clock()
    dispatcher = Dispatcher(store, clock, StreamHub(clock), PushSender(clock), poll_s=60)
    wake = dispatcher._wake
    try:
        dispatcher.start()
        # Until the poll waits on the event (its waiter registered): no other sign of it.
        while not wake._waiters:  # noqa: ASYNC110
            await asyncio.sleep(0)
        wake.set()  # what a settling delivery does
        await asyncio.sleep(0)  # the poll's wait has ended; the poll has not yet resumed
        stopping = asyncio.ensure_future(dispatcher.stop())
        done, _ = await asyncio.wait([stopping], timeout=10)
        if not done and dispatcher._runner is not None:
            dispatcher._runner.cancel()  # the swallowed stop, asked again to clean up
            await stopping
        return bool(done)
    finally:
        await store.close()


def test_a_stop_that_comes_as_a_delivery_settles_is_not_lost(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'dingconf.sqlite3'}"
    assert asyncio.run(_stop_as_a_delivery_settles(url)), "the dispatcher did not stop"
