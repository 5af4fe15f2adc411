"""A controllable clock.

Token expiry, meeting durations and booked meetings all depend on time. Tests
and the control API move this clock forward instead of sleeping, so nothing in
the code may read the system time directly.
"""

import time

__all__ = ["Clock"]


class Clock:
    """Wall-clock time in epoch milliseconds, plus an adjustable offset."""

    def __init__(self, offset_ms: int = 0) -> None:
        self._offset_ms = offset_ms

    def now_ms(self) -> int:
        """Return the current time in epoch milliseconds, offset included."""
        return time.time_ns() // 1_000_000 + self._offset_ms

    @property
    def offset_ms(self) -> int:
        """How far this clock runs ahead of the system clock."""
        return self._offset_ms

    def advance(self, ms: int) -> int:
        """Move the clock forward by ``ms`` milliseconds; return the new time."""
        if ms < 0:
            raise ValueError("the clock only moves forward")
        self._offset_ms += ms
        return self.now_ms()
