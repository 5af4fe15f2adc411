"""The files a cloud recording produces, derived from its RECORD spans.

Nothing here is stored: every take that has stopped is one file, whose ids,
times, duration and size follow from the meeting's id and the take's spans,
so every process (and every call) answers the same.

* ``recordId``: one per meeting — DingTalk gives every recording of a meeting
  the same recordId (``query-recording-information``). A decimal string of at
  most 16 digits, so that QueryCloudRecordText can carry it as a JSON number.
* ``mediaId``: one per take, 32 hex digits like the doc's example.
* ``duration``: the take's recorded time, pauses excluded.
* ``fileSize``: :data:`BYTES_PER_SECOND` of recorded time (about the doc
  example's rate) after a :data:`HEADER_BYTES` header, capped at :data:`MAX_FILE_BYTES`.
"""

import hashlib
from typing import NamedTuple

from dingconf.content.records import Span

__all__ = [
    "BYTES_PER_SECOND",
    "HEADER_BYTES",
    "MAX_FILE_BYTES",
    "READY_AFTER_MS",
    "RECORD_TYPE",
    "REGION_ID",
    "Take",
    "file_size",
    "media_id",
    "record_id",
    "takes",
]

#: Where every file is said to live (the doc example's region).
REGION_ID = "cn-shenzhen"
#: ``recordType`` of a meeting's composed recording (the doc example's value).
RECORD_TYPE = 1
#: How long after a take stops its file becomes playable (server clock).
READY_AFTER_MS = 60_000
#: The doc's example: 1 127 942 bytes for 59 886 ms, about 18.8 kB/s.
BYTES_PER_SECOND = 18_750
#: An ISO-BMFF ``ftyp`` box and the header of the ``free`` box holding the rest.
HEADER_BYTES = 32
#: Files stay small so that tests download them quickly.
MAX_FILE_BYTES = 4 * 1024 * 1024


class Take(NamedTuple):
    """One recording from start to stop: the file it produces once finished."""

    take: int
    owner: str  # unionId of who started it
    media_id: str
    start_ms: int  # when it started
    end_ms: int | None  # when it stopped; None while it runs or is paused
    duration_ms: int  # recorded time so far, pauses excluded
    file_size: int


def record_id(conference_id: str) -> str:
    """The meeting's recordId: the same for all its recordings."""
    digest = hashlib.sha256(f"record:{conference_id}".encode()).hexdigest()
    # 13 hex digits < 2**52: exact as a JSON number in every client.
    return str(int(digest[:13], 16))


def media_id(conference_id: str, take: int) -> str:
    """The mediaId of a take's file."""
    return hashlib.sha256(f"media:{conference_id}:{take}".encode()).hexdigest()[:32]


def file_size(duration_ms: int) -> int:
    """The size in bytes of a file recording ``duration_ms``."""
    return min(MAX_FILE_BYTES, HEADER_BYTES + duration_ms * BYTES_PER_SECOND // 1000)


def takes(conference_id: str, spans: list[Span], running: bool) -> list[Take]:
    """The takes of a meeting's RECORD spans (ordered by take and start).

    Args:
        conference_id: the meeting.
        spans: its RECORD spans.
        running: whether its recording is running or paused now (then the
            last take has not stopped).
    """
    by_take: dict[int, list[Span]] = {}
    for span in spans:
        by_take.setdefault(span.take, []).append(span)
    last = max(by_take, default=0)
    result: list[Take] = []
    for number, parts in sorted(by_take.items()):
        stopped = not (running and number == last)
        duration = sum(s.end_ms - s.start_ms for s in parts if s.end_ms is not None)
        result.append(
            Take(
                take=number,
                owner=parts[0].owner,
                media_id=media_id(conference_id, number),
                start_ms=parts[0].start_ms,
                end_ms=parts[-1].end_ms if stopped else None,
                duration_ms=duration,
                file_size=file_size(duration),
            )
        )
    return result
