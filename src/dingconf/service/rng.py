"""The one source of randomness behind every identifier and token dingconf makes.

By default it is the operating system's CSPRNG. ``serve --random-seed N``
seeds it instead (:func:`seed_ids`), so the same calls made in the same order
get the same conferenceIds, roomCodes, passwords, tokens, request ids, link
tokens and schedule ids on every run. Secret hashes' salts and URL-signing
keys never come from here: they protect, they identify nothing.
"""

import base64
import random
import uuid

__all__ = ["random_below", "random_hex", "random_urlsafe", "random_uuid", "seed_ids"]

_rng: random.Random = random.SystemRandom()


def seed_ids(seed: int | None) -> None:
    """Make identifiers repeatable from ``seed`` (None: random again)."""
    global _rng
    # Repeatable on purpose: these ids identify, they protect nothing.
    _rng = random.SystemRandom() if seed is None else random.Random(seed)  # noqa: S311


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
