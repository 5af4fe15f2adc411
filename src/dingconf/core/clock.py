"""A controllable clock.

Token expiry, meeting durations and booked meetings all depend on time. Tests
and the control API move this clock forward instead of sleeping, so nothing in
the code may read the system time directly.

Every process on one database shares the clock: its state (an offset, or a
time it is frozen at) lives in the database, and each process refreshes its
:class:`Clock` from there before serving a request (control.shared_clock).
"""

import time
from typing import NamedTuple

__all__ = ["Clock", "ClockState", "system_ms"]


def system_ms() -> int:
    """The system time in epoch milliseconds."""
    return time.time_ns() // 1_000_000


class ClockState(NamedTuple):
    """What the clock every process on one database shares is set to."""

    #: How far the clock runs ahead of the system clock.
    offset_ms: int = 0
    #: The time the clock stands still at, when frozen.
    frozen_ms: int | None = None

    def now_ms(self, system: int) -> int:
        """The shared time, given the system time."""
        return self.frozen_ms if self.frozen_ms is not None else system + self.offset_ms


class Clock:
    """Wall-clock time in epoch milliseconds, offset or frozen."""

    def __init__(self, offset_ms: int = 0) -> None:
        self._state = ClockState(offset_ms)

    def now_ms(self) -> int:
        """Return the current time in epoch milliseconds, offset included."""
        frozen = self._state.frozen_ms
        return frozen if frozen is not None else system_ms() + self._state.offset_ms

    def set_state(self, state: ClockState) -> None:
        """Run by ``state`` (read from the database, shared with other processes)."""
        self._state = state
