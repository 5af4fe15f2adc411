"""Who may call: the guards an operation names (see :func:`~dingconf.wire.operations.bind`).

``token``: DingTalk's access token (spec §2.4); ``admin``: the control API's
rule (design.md); ``open``: anyone (token issuing, health).
"""

import hmac

from starlette.requests import Request

from dingconf.config import Secret
from dingconf.errors import AccessDenied, AuthenticationError
from dingconf.model import Principal
from dingconf.service.auth import TokenService
from dingconf.wire.http import header
from dingconf.wire.operations import Authenticate

__all__ = ["ADMIN_HEADER", "TOKEN_HEADER", "guards"]

TOKEN_HEADER = b"x-acs-dingtalk-access-token"
ADMIN_HEADER = "x-dingconf-admin-token"


def _admin(admin_token: Secret | None, loopback: bool) -> Authenticate:
    """The admin-token rule: required when configured; else loopback binds only."""

    async def admit(request: Request) -> None:
        if admin_token is None:
            if not loopback:
                raise AccessDenied(
                    "controlApiDisabled",
                    "the control API needs an admin token on a non-loopback bind",
                )
            return
        given = request.headers.get(ADMIN_HEADER, "").encode()
        if not hmac.compare_digest(given, admin_token.reveal().encode()):
            raise AuthenticationError("InvalidAuthentication", f"missing or wrong {ADMIN_HEADER}")

    return admit


async def _open(_request: Request) -> None:
    return None


def guards(
    tokens: TokenService, admin_token: Secret | None, loopback: bool
) -> dict[str, Authenticate]:
    """Every guard by name."""

    async def token(request: Request) -> Principal:
        return await tokens.authenticate(header(request, TOKEN_HEADER))

    return {"token": token, "admin": _admin(admin_token, loopback), "open": _open}
