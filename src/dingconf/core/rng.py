"""The one source of randomness behind every identifier and token dingconf makes.

By default it is the operating system's CSPRNG. ``serve --random-seed N``
seeds it instead, so the same calls made in the same order get the same
conferenceIds, roomCodes, passwords, tokens, request ids, link tokens and
schedule ids on every run, whenever they are made. Secret hashes' salts and
URL-signing keys never come from here: they protect, they identify nothing.

Each app has an :class:`IdSource` of its own, which it makes current for
everything it runs (:func:`use_ids`): two apps in one process, seeded or not,
never draw from each other's sequence.
"""

import base64
import itertools
import random
import uuid
from collections.abc import Iterator
from contextvars import ContextVar, Token

__all__ = [
    "IdSource",
    "id_second",
    "random_below",
    "random_hex",
    "random_urlsafe",
    "random_uuid",
    "use_ids",
]

#: Where a seeded run's time-stamped ids start counting: 2023-11-14T22:13:20Z.
SEEDED_EPOCH_S = 1_700_000_000


class IdSource:
    """One app's generator of ids: the CSPRNG, or a sequence repeated from a seed."""

    __slots__ = ("rng", "seconds")

    def __init__(self, seed: int | None = None) -> None:
        # Repeatable on purpose: these ids identify, they protect nothing.
        self.rng = random.SystemRandom() if seed is None else random.Random(seed)  # noqa: S311
        #: The seconds seeded time-stamped ids carry, one per id (None: not seeded).
        self.seconds: Iterator[int] | None = (
            None if seed is None else itertools.count(SEEDED_EPOCH_S)
        )


# Outside any app (provisioning commands, tests of a service alone): the CSPRNG,
# shared on purpose (unseeded, it has no sequence to keep apart).
_current: ContextVar[IdSource] = ContextVar("dingconf_ids", default=IdSource())  # noqa: B039


def use_ids(source: IdSource) -> Token[IdSource]:
    """Make ``source`` the one this context (and the tasks it starts) draws from."""
    return _current.set(source)


def id_second(now_ms: int) -> int:
    """The second a time-stamped id (a conferenceId) carries.

    The clock's, unseeded; seeded, the next of a fixed sequence, so the same
    calls get the same ids whatever the time (the meeting's own times still
    follow the clock), in the order they were made, as the clock's would be.
    """
    seconds = _current.get().seconds
    return now_ms // 1000 if seconds is None else next(seconds)


def random_below(n: int) -> int:
    """A number in ``[0, n)``."""
    return _current.get().rng.randrange(n)


def random_hex(nbytes: int) -> str:
    """``nbytes`` random bytes as lowercase hex."""
    return f"{_current.get().rng.getrandbits(nbytes * 8):0{nbytes * 2}x}"


def random_urlsafe(nbytes: int) -> str:
    """``nbytes`` random bytes in URL-safe base64, unpadded."""
    raw = _current.get().rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def random_uuid() -> uuid.UUID:
    """A version-4 UUID."""
    return uuid.UUID(int=_current.get().rng.getrandbits(128), version=4)
