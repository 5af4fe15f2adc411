"""What happens inside a meeting: what people say and when it was recorded or minuted.

Tests drive this content through the control API; the recording, minutes and
transcript operations derive every answer from it (design.md, "Meeting content").
"""

from typing import NamedTuple

__all__ = ["MINUTES", "RECORD", "Span", "Utterance"]

#: ``Span.kind`` of a cloud recording and of the meeting minutes (闪记).
RECORD, MINUTES = "record", "minutes"


class Utterance(NamedTuple):
    """One thing a person said in a meeting, at a time on the server clock."""

    conference_id: str
    seq: int  # order of saying, from 1 per meeting
    union_id: str
    nick: str
    text: str
    at_ms: int


class Span(NamedTuple):
    """A stretch of time while a recording (or the minutes) ran.

    One recording, from start to stop, is a ``take``; pausing closes its
    current span and resuming opens another span of the same take.
    """

    conference_id: str
    kind: str  # RECORD or MINUTES
    take: int  # from 1 per meeting and kind
    owner: str  # unionId of who started it
    start_ms: int
    end_ms: int | None  # None while it runs
