"""One page of a meeting's members, as the store cuts it."""

from typing import NamedTuple

from dingconf.core.records import Participant

__all__ = ["MemberKey", "MemberPage"]

#: Where a member sits in the listing order: ``(listed_at ms, unionId)``.
MemberKey = tuple[int, str]


class MemberPage(NamedTuple):
    """Members in listing order, how many the meeting has, and the last one's key."""

    members: list[Participant]
    total: int
    #: The key of the last member of the page (None for an empty page): the
    #: next page is read from right after it.
    last: MemberKey | None
