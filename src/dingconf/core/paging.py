"""``nextToken``/``maxResults`` paging, shared by every listing (spec §4.4.5, §4.5).

A token is the decimal offset of the next item; an empty token means "all read".
Listings that can grow without bound (members, the org's meetings, history)
have the database cut the page (:func:`window`, then :func:`page_of`); short
ones (a booking's sessions) are cut in memory (:func:`paginate`). Those add
where the page ended (:func:`resume_at`): ``offset.<ms>.<id>``, so the next
page is an index seek from that row rather than a skip over every row before
it (:func:`seek`); clients treat tokens as opaque, and a bare offset keeps
working.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from dingconf.core import errors
from dingconf.core.digits import digits_value

__all__ = ["MAX_PAGE", "Page", "page_of", "paginate", "resume_at", "seek", "window"]

T = TypeVar("T")

#: The largest page any listing returns (QueryCloudRecordText documents up to
#: 2,000); a larger ``maxResults`` gets this many.
MAX_PAGE = 2000


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


def window(
    next_token: str | None, max_results: int | None, *, default_size: int, error_code: str
) -> tuple[int, int]:
    """The offset and the page size a listing request asks for.

    An empty token or ``"0"`` starts at the beginning (spec §4.5.1); a size
    above :data:`MAX_PAGE` gets :data:`MAX_PAGE`.

    Raises:
        InvalidRequest: ``error_code`` for a token that is not an offset or a
            page size below 1.
    """
    offset = digits_value((next_token or "0").strip())
    if offset is None:
        raise errors.bad_parameter(error_code, f"error:invalid nextToken {next_token!r}")
    size = default_size if max_results is None else max_results
    if size < 1:
        raise errors.bad_parameter(error_code, "error:maxResults must be at least 1")
    return offset, min(size, MAX_PAGE)


def page_of(items: list[T], offset: int, total: int) -> Page[T]:
    """The page of ``items`` read at ``offset`` out of ``total``."""
    end = offset + len(items)
    return Page(items=items, next_token=str(end) if end < total else "", total=total)


def paginate(
    items: Sequence[T],
    next_token: str | None,
    max_results: int | None,
    *,
    default_size: int,
    error_code: str,
) -> Page[T]:
    """Cut one page out of ``items`` (for listings short enough to read whole).

    Raises:
        InvalidRequest: as :func:`window`.
    """
    offset, size = window(next_token, max_results, default_size=default_size, error_code=error_code)
    return page_of(list(items[offset : offset + size]), offset, len(items))


def seek(
    next_token: str | None, *, error_code: str, valid_id: Callable[[str], object]
) -> tuple[str | None, tuple[int, str] | None]:
    """Split a ``nextToken`` into its offset and the ``(ms, id)`` key the last page ended at.

    A bare offset (or no token) has no key. :func:`window` checks the offset;
    ``valid_id`` the id part.

    Raises:
        InvalidRequest: ``error_code`` for a malformed key.
    """
    offset, _, position = (next_token or "").strip().partition(".")
    if not position:
        return offset or None, None
    ms, _, key_id = position.partition(".")
    at_ms = digits_value(ms)
    if at_ms is None or not valid_id(key_id):
        raise errors.bad_parameter(error_code, f"error:invalid nextToken {next_token!r}")
    return offset, (at_ms, key_id)


def resume_at(page: Page[T], key: tuple[int, str] | None) -> Page[T]:
    """``page`` whose token also says the ``(ms, id)`` key of its last item (see :func:`seek`)."""
    if not page.next_token or key is None:
        return page
    return replace(page, next_token=f"{page.next_token}.{key[0]}.{key[1]}")
