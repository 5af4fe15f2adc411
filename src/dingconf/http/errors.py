"""The only builder of DingTalk error bodies.

Body shape (spec §2.1): ``{"code", "message", "requestid"}``, plus
``accessdenieddetail.requiredScopes`` on a missing scope. Codes and their HTTP
statuses come from the catalogue in :mod:`dingconf.core.errors`.
"""

import itertools

import msgspec

from dingconf.core.errors import DingError, ScopeDenied
from dingconf.core.rng import IdSource

__all__ = [
    "DropConnection",
    "InjectedError",
    "RequestIds",
    "error_body",
    "status_of",
]


class InjectedError(DingError):
    """An error a fault rule makes a call fail with: the rule's own code, at its status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code, message)
        self.status = status


class DropConnection(Exception):
    """Cut the connection instead of answering (a fault rule's ``drop``)."""


class RequestIds:
    """An app's request ids: uppercase and UUID-shaped, like
    ``01A08FE7-CD6B-79BB-8B2E-35D8768AD457``.

    A random prefix (from the app's id source, so a seeded app repeats it)
    and a counter: unique across worker processes and several times cheaper
    than a random UUID per request.
    """

    __slots__ = ("_count", "_prefix")

    def __init__(self, source: IdSource) -> None:
        h = f"{source.rng.getrandbits(80):020X}"
        self._prefix = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-"
        self._count = itertools.count()

    def new(self) -> str:
        """The next request id."""
        return f"{self._prefix}{next(self._count) & 0xFFFFFFFFFFFF:012X}"


def status_of(error: DingError) -> int:
    """The HTTP status DingTalk answers this error with (its category's, or a fault rule's)."""
    return error.status


def error_body(error: DingError, request_id: str) -> bytes:
    """The JSON body of an error response."""
    body: dict[str, object] = {
        "code": error.code,
        "message": error.message,
        "requestid": request_id,
    }
    if isinstance(error, ScopeDenied):
        body["accessdenieddetail"] = {"requiredScopes": error.required_scopes}
    return msgspec.json.encode(body)
