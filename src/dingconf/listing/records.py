"""What listings ask for and get: which meetings, and one page of a meeting's members."""

from dataclasses import dataclass
from typing import NamedTuple

from dingconf.core.records import ConferenceStatus, Participant

__all__ = ["ConferenceFilter", "MemberKey", "MemberPage"]


@dataclass(frozen=True, slots=True)
class ConferenceFilter:
    """Which meetings a listing wants; None matches anything."""

    status: ConferenceStatus | None = None
    room_code: str | None = None
    schedule_conference_id: str | None = None
    started_from_ms: int | None = None
    started_to_ms: int | None = None
    #: Substrings (case-sensitive) of the title and of the creator's nick.
    title_contains: str | None = None
    creator_nick_contains: str | None = None


#: Where a member sits in the listing order: ``(listed_at ms, unionId)``.
MemberKey = tuple[int, str]


class MemberPage(NamedTuple):
    """Members in listing order, how many the meeting has, and the last one's key."""

    members: list[Participant]
    total: int
    #: The key of the last member of the page (None for an empty page): the
    #: next page is read from right after it.
    last: MemberKey | None
