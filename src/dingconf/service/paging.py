"""``nextToken``/``maxResults`` paging, shared by every listing (spec §4.4.5, §4.5).

A token is the decimal offset of the next item; an empty token means "all read".
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from dingconf.errors import InvalidRequest

__all__ = ["MAX_PAGE", "Page", "paginate"]

T = TypeVar("T")

#: The largest page any listing returns; a larger ``maxResults`` gets this many.
MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing."""

    items: list[T]
    #: The token of the next page; "" once everything has been read.
    next_token: str
    total: int

    @property
    def has_more(self) -> bool:
        """Whether another page follows."""
        return self.next_token != ""


def paginate(
    items: Sequence[T],
    next_token: str | None,
    max_results: int | None,
    *,
    default_size: int,
    error_code: str,
) -> Page[T]:
    """Cut one page out of ``items``.

    An empty token or ``"0"`` starts at the beginning (spec §4.5.1).

    Raises:
        InvalidRequest: ``error_code`` for a token that is not an offset or a
            page size below 1.
    """
    token = (next_token or "0").strip()
    # ASCII digits of a plausible offset: isdigit() alone admits "²", and int()
    # refuses numbers past 4,300 digits.
    if not (token.isascii() and token.isdigit() and len(token) <= 18):
        raise InvalidRequest(error_code, f"error:invalid nextToken {next_token!r}")
    size = default_size if max_results is None else max_results
    if size < 1:
        raise InvalidRequest(error_code, "error:maxResults must be at least 1")
    size = min(size, MAX_PAGE)
    start = int(token)
    end = start + size
    return Page(
        items=list(items[start:end]),
        next_token=str(end) if end < len(items) else "",
        total=len(items),
    )
