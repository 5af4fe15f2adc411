"""The one source of randomness behind every identifier and token dingconf makes.

By default it is the operating system's CSPRNG. ``serve --random-seed N``
seeds it instead (:func:`seed_ids`), so the same calls made in the same order
get the same conferenceIds, roomCodes, passwords, tokens, request ids, link
tokens and schedule ids on every run, whenever they are made. Secret hashes'
salts and URL-signing keys never come from here: they protect, they identify
nothing.
"""

import base64
import itertools
import random
import uuid
from collections.abc import Iterator

__all__ = ["id_second", "random_below", "random_hex", "random_urlsafe", "random_uuid", "seed_ids"]

#: Where a seeded run's time-stamped ids start counting: 2023-11-14T22:13:20Z.
SEEDED_EPOCH_S = 1_700_000_000

_rng: random.Random = random.SystemRandom()
#: The seconds seeded time-stamped ids carry, one per id (None: not seeded).
_seconds: Iterator[int] | None = None


def seed_ids(seed: int | None) -> None:
    """Make identifiers repeatable from ``seed`` (None: random again)."""
    global _rng, _seconds
    # Repeatable on purpose: these ids identify, they protect nothing.
    _rng = random.SystemRandom() if seed is None else random.Random(seed)  # noqa: S311
    _seconds = None if seed is None else itertools.count(SEEDED_EPOCH_S)


def id_second(now_ms: int) -> int:
    """The second a time-stamped id (a conferenceId) carries.

    The clock's, unseeded; seeded, the next of a fixed sequence, so the same
    calls get the same ids whatever the time (the meeting's own times still
    follow the clock), in the order they were made, as the clock's would be.
    """
    return now_ms // 1000 if _seconds is None else next(_seconds)


def random_below(n: int) -> int:
    """A number in ``[0, n)``."""
    return _rng.randrange(n)


def random_hex(nbytes: int) -> str:
    """``nbytes`` random bytes as lowercase hex."""
    return f"{_rng.getrandbits(nbytes * 8):0{nbytes * 2}x}"


def random_urlsafe(nbytes: int) -> str:
    """``nbytes`` random bytes in URL-safe base64, unpadded."""
    raw = _rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def random_uuid() -> uuid.UUID:
    """A version-4 UUID."""
    return uuid.UUID(int=_rng.getrandbits(128), version=4)
