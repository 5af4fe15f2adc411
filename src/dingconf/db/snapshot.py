"""Rows read since the database last changed, kept until it changes again."""

from collections import OrderedDict
from typing import Generic, TypeVar

__all__ = ["SnapshotCache"]

K = TypeVar("K")
V = TypeVar("V")


class SnapshotCache(Generic[K, V]):
    """Values read at one change marker, void as soon as the marker moves.

    The marker (:meth:`Database.change_marker`) moves on every commit by any
    connection of any process, so while it stays put a kept value is exactly
    what reading the database again would return: no TTL, nothing stale. With
    no marker (``None``: the driver cannot tell) nothing is kept.

    Callers read the marker *before* reading the database: a value read after
    a commit and kept under the older marker is void at the next lookup,
    which sees the newer one.

    Values carry the generation they were read in, and a moved marker starts a
    new generation, so invalidation costs nothing however much is kept (freeing
    10,000 meetings at once would stall the event loop for ~3 ms). Void values
    are overwritten or, beyond ``limit``, evicted oldest first.
    """

    __slots__ = ("_generation", "_limit", "_marker", "_values")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._marker: int | None = None
        # Generations count markers seen, not marker values, so a marker that
        # ever came back to an earlier value could not revive old values.
        self._generation = 0
        self._values: OrderedDict[K, tuple[int, V]] = OrderedDict()

    def get(self, marker: int | None, key: K) -> V | None:
        """The value kept for ``key`` if nothing changed since it was read."""
        if marker is None:
            return None
        if marker != self._marker:
            self._marker = marker
            self._generation += 1
            return None
        kept = self._values.get(key)
        if kept is None or kept[0] != self._generation:
            return None
        return kept[1]

    def keep(self, marker: int | None, key: K, value: V) -> None:
        """Remember ``value``, read after the marker said ``marker``."""
        if marker is None or marker != self._marker:
            return
        values = self._values
        if len(values) >= self._limit and key not in values:
            values.popitem(last=False)
        values[key] = (self._generation, value)

    def clear(self) -> None:
        """Void everything (this process committed a change)."""
        self._marker = None
        self._generation += 1
