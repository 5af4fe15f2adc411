"""The one error tree of dingconf.

Every failure a client can see is a :class:`DingError` leaf carrying DingTalk's
``code`` and ``message`` (``spec/api.md`` §2, §3, §4). The wire layer picks the
HTTP status from the *category* a leaf derives from, so the domain never talks
HTTP::

    DingError
    ├── InvalidRequest        (HTTP 400: malformed or missing input, bad state)
    ├── AuthenticationError   (HTTP 400: DingTalk answers token problems with 400)
    ├── AccessDenied          (HTTP 403)
    ├── NotFound              (HTTP 404; DingTalk also uses 404 for a few refusals)
    └── InternalError         (HTTP 500)
"""

__all__ = [
    "AccessDenied",
    "AuthenticationError",
    "DingError",
    "InternalError",
    "InvalidRequest",
    "NotFound",
    "ScopeDenied",
]


class DingError(Exception):
    """A failure with DingTalk's error ``code`` and human ``message``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class InvalidRequest(DingError):
    """The request is malformed, incomplete, or conflicts with current state."""


class AuthenticationError(DingError):
    """The caller could not be identified (missing, unknown or expired token)."""


class AccessDenied(DingError):
    """The caller is known but may not do this."""


class ScopeDenied(AccessDenied):
    """The token's app lacks a permission scope (spec §2.3, §7)."""

    def __init__(self, required_scopes: list[str]) -> None:
        super().__init__(
            "Forbidden.AccessDenied.AccessTokenPermissionDenied",
            "没有调用该接口的权限，接口权限申请参考："
            "https://open.dingtalk.com/document/orgapp-server/add-api-permission",
        )
        self.required_scopes = required_scopes


class NotFound(DingError):
    """The thing asked for does not exist (or DingTalk answers 404 anyway)."""


class InternalError(DingError):
    """Something failed inside dingconf or its database."""
