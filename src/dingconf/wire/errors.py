"""The only builder of DingTalk error bodies and the only place choosing HTTP statuses.

Body shape (spec §2.1): ``{"code", "message", "requestid"}``, plus
``accessdenieddetail.requiredScopes`` on a missing scope.
"""

import itertools

import msgspec

from dingconf.errors import (
    AccessDenied,
    AuthenticationError,
    DingError,
    InternalError,
    InvalidRequest,
    NotFound,
    ScopeDenied,
)
from dingconf.service.rng import IdSource

__all__ = [
    "DropConnection",
    "InjectedError",
    "PayloadTooLarge",
    "RequestIds",
    "RouteNotFound",
    "error_body",
    "status_of",
    "system_error",
]


class PayloadTooLarge(InvalidRequest):
    """The body is over the size limit (HTTP 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__("RequestEntityTooLarge", f"the request body exceeds {limit} bytes")


class InjectedError(DingError):
    """An error a fault rule makes a call fail with, at the status the rule names."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code, message)
        self.status = status


class DropConnection(Exception):
    """Cut the connection instead of answering (a fault rule's ``drop``)."""


_STATUS_BY_CATEGORY: tuple[tuple[type[DingError], int], ...] = (
    (PayloadTooLarge, 413),
    (InvalidRequest, 400),
    (AuthenticationError, 400),
    (AccessDenied, 403),
    (NotFound, 404),
    (InternalError, 500),
)


class RouteNotFound(NotFound):
    """No API at this method and path; DingTalk's gateway routes on both."""

    def __init__(self) -> None:
        super().__init__(
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )


def system_error() -> InternalError:
    """The last-resort error for anything unexpected."""
    return InternalError("systemError", "SYSTEM ERROR")


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
    """The HTTP status DingTalk answers this error with."""
    if isinstance(error, InjectedError):
        return error.status
    for category, status in _STATUS_BY_CATEGORY:
        if isinstance(error, category):
            return status
    return 500


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
