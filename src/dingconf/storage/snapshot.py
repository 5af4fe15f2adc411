"""Rows read since the database last changed, kept until it changes again."""

from typing import Generic, TypeVar

__all__ = ["SnapshotCache"]

K = TypeVar("K")
V = TypeVar("V")


class SnapshotCache(Generic[K, V]):
    """Values read at one change marker, forgotten as soon as the marker moves.

    The marker (:meth:`Database.change_marker`) moves on every commit by any
    connection of any process, so while it stays put a cached value is exactly
    what reading the database again would return: no TTL, nothing stale. With
    no marker (``None``: the driver cannot tell) nothing is kept.

    Callers read the marker *before* reading the database: a value read after
    a commit and kept under the older marker is dropped at the next lookup,
    which sees the newer one.
    """

    __slots__ = ("_limit", "_marker", "_values")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._marker: int | None = None
        self._values: dict[K, V] = {}

    def get(self, marker: int | None, key: K) -> V | None:
        """The value kept for ``key`` if nothing changed since it was read."""
        if marker is None or marker != self._marker:
            self._values.clear()
            self._marker = marker
            return None
        return self._values.get(key)

    def keep(self, marker: int | None, key: K, value: V) -> None:
        """Remember ``value``, read after the marker said ``marker``."""
        if marker is None or marker != self._marker:
            return
        if len(self._values) >= self._limit:
            # Bounded memory; the hot set refills in one read per key.
            self._values.clear()
        self._values[key] = value

    def clear(self) -> None:
        """Forget everything (this process committed a change)."""
        self._values.clear()
        self._marker = None
