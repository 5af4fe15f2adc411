"""What the web console shows: an operator's read of organisations and meetings.

Everything here is safe to render: apps appear by appKey and scopes, never by
secret, and no token of any kind is held.
"""

from typing import NamedTuple

from dingconf.analytics.records import SessionRecord
from dingconf.content.records import Span, Utterance
from dingconf.core.records import Conference, Org, Participant, User
from dingconf.events.records import Delivery

__all__ = ["AppSummary", "MeetingDetail", "OrgSummary", "Speaker", "TimelineEntry"]


class AppSummary(NamedTuple):
    """An internal app as the console lists it: no secret."""

    app_key: str
    scopes: tuple[str, ...]
    #: Event deliveries kept for it (of every meeting).
    events: int


class OrgSummary(NamedTuple):
    """An organisation with its apps and its (seeded) users."""

    org: Org
    apps: tuple[AppSummary, ...]
    users: tuple[User, ...]


class Speaker(NamedTuple):
    """Someone saying something now (see :func:`~dingconf.control.console.timeline.speaking`)."""

    union_id: str
    nick: str


class TimelineEntry(NamedTuple):
    """One thing that happened in a meeting, at a time on the server clock."""

    at_ms: int
    #: ``start``, ``end``, ``join``, ``leave``, ``kick``, ``record``, ``minutes``,
    #: ``say`` or ``event``.
    kind: str
    text: str
    union_id: str | None = None


class MeetingDetail(NamedTuple):
    """Everything the console's meeting page shows, read at one moment."""

    conference: Conference
    members: tuple[Participant, ...]
    sessions: tuple[SessionRecord, ...]
    record_spans: tuple[Span, ...]
    minutes_spans: tuple[Span, ...]
    utterances: tuple[Utterance, ...]
    #: The meeting's events, one delivery per receiving app, by statusSeqNum.
    deliveries: tuple[Delivery, ...]
    #: The organisation's users: whom the console can make join.
    users: tuple[User, ...]
    timeline: tuple[TimelineEntry, ...]
    #: The server time it was read at, and who was speaking then.
    now_ms: int
    speaking: tuple[Speaker, ...]
