"""The only builder of DingTalk error bodies.

Body shape (spec §2.1): ``{"code", "message", "requestid"}``, plus
``accessdenieddetail.requiredScopes`` on a missing scope. Codes and their HTTP
statuses come from the catalogue in :mod:`dingconf.core.errors`.
"""

import itertools
import os

import msgspec

from dingconf.core.errors import DingError, ScopeDenied
from dingconf.core.rng import random_hex

__all__ = [
    "DropConnection",
    "InjectedError",
    "error_body",
    "new_request_id",
    "restart_request_ids",
    "status_of",
]


class InjectedError(DingError):
    """An error a fault rule makes a call fail with: the rule's own code, at its status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code, message)
        self.status = status


class DropConnection(Exception):
    """Cut the connection instead of answering (a fault rule's ``drop``)."""


_request_ids = itertools.count()
_request_id_prefix = ""


def _new_request_id_prefix() -> None:
    global _request_id_prefix
    h = random_hex(10).upper()
    _request_id_prefix = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-"


_new_request_id_prefix()
os.register_at_fork(after_in_child=_new_request_id_prefix)  # each worker its own prefix


def restart_request_ids() -> None:
    """Start request ids afresh from the id generator (after it was seeded)."""
    global _request_ids
    _request_ids = itertools.count()
    _new_request_id_prefix()


def new_request_id() -> str:
    """An uppercase UUID-shaped id, like ``01A08FE7-CD6B-79BB-8B2E-35D8768AD457``.

    A random per-process prefix and a counter: unique across worker processes
    and several times cheaper than a random UUID per request.
    """
    return f"{_request_id_prefix}{next(_request_ids) & 0xFFFFFFFFFFFF:012X}"


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
