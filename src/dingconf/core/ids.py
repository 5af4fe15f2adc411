"""Identifier formats (spec §6)."""

import hashlib
import re

from dingconf.core.rng import id_second, random_below, random_hex, random_uuid

__all__ = [
    "CONFERENCE_ID",
    "agent_id",
    "new_conference_id",
    "new_link_token",
    "new_password",
    "new_room_code",
]

#: 24 lowercase hex digits, the first 8 being the creation time in seconds
#: (under ``--random-seed``, a fixed sequence instead: see ``rng.id_second``).
CONFERENCE_ID = re.compile(r"[0-9a-f]{24}")


def new_conference_id(now_ms: int) -> str:
    """A MongoDB-ObjectId-like id whose first 8 hex digits are the creation second."""
    return f"{id_second(now_ms) & 0xFFFFFFFF:08x}{random_hex(8)}"


def new_room_code() -> str:
    """An 11-digit meeting code with no leading zero."""
    return str(10**10 + random_below(9 * 10**10))


def new_password() -> str:
    """A 10-digit numeric meeting password."""
    return f"{random_below(10**10):010d}"


def new_link_token() -> str:
    """The ``token`` parameter of a join link: ``1_`` and a UUID."""
    return f"1_{random_uuid()}"


def agent_id(client_key: str) -> str:
    """The AgentId of the app with this key (appKey, or suiteKey): 10 digits, no leading zero.

    Derived, not stored: every app has one from its creation on, the same in
    every process and backend, and meetings stored before it existed show it too.
    """
    digest = hashlib.sha256(client_key.encode()).digest()
    return str(10**9 + int.from_bytes(digest[:8], "big") % (9 * 10**9))
