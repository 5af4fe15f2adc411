"""A person inside a meeting through its join page, while the page beats."""

from typing import NamedTuple

__all__ = ["Presence"]


class Presence(NamedTuple):
    """One join page's stay in a meeting (the presence id itself is never stored)."""

    #: The hash of the presence id the page was handed at its join.
    presence_hash: str
    conference_id: str
    corp_id: str
    union_id: str
    nick: str
    joined_at_ms: int
    #: The server-clock time of the page's last heartbeat.
    last_beat_ms: int
