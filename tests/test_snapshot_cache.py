"""The per-process read cache keeps values only while the database is unchanged."""

from dingconf.db.snapshot import SnapshotCache


def test_a_value_is_kept_until_the_marker_moves():
    cache: SnapshotCache[str, int] = SnapshotCache(limit=10)
    assert cache.get(7, "a") is None
    cache.keep(7, "a", 1)
    assert cache.get(7, "a") == 1
    assert cache.get(8, "a") is None  # a commit happened somewhere
    cache.keep(8, "a", 2)
    assert cache.get(8, "a") == 2


def test_a_value_read_before_a_newer_marker_was_seen_is_not_kept():
    cache: SnapshotCache[str, int] = SnapshotCache(limit=10)
    assert cache.get(1, "a") is None
    assert cache.get(2, "b") is None  # another request saw a newer marker meanwhile
    cache.keep(1, "a", 1)
    assert cache.get(2, "a") is None


def test_nothing_is_kept_without_a_marker_or_after_clear():
    cache: SnapshotCache[str, int] = SnapshotCache(limit=10)
    assert cache.get(None, "a") is None
    cache.keep(None, "a", 1)
    assert cache.get(None, "a") is None
    cache.get(3, "a")
    cache.keep(3, "a", 1)
    cache.clear()
    assert cache.get(3, "a") is None


def test_a_marker_coming_back_does_not_revive_old_values():
    cache: SnapshotCache[str, int] = SnapshotCache(limit=10)
    cache.get(1, "a")
    cache.keep(1, "a", 1)
    assert cache.get(2, "a") is None
    assert cache.get(1, "a") is None


def test_memory_stays_bounded_by_dropping_the_oldest():
    cache: SnapshotCache[int, int] = SnapshotCache(limit=3)
    cache.get(1, 0)
    for key in range(10):
        cache.keep(1, key, key)
    assert [key for key in range(10) if cache.get(1, key) is not None] == [7, 8, 9]
    cache.keep(1, 8, 80)  # replacing a kept key evicts nothing
    assert [cache.get(1, key) for key in (7, 8, 9)] == [7, 80, 9]
