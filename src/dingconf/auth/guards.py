"""Who may call: the guards an operation names (see :func:`~dingconf.http.operations.bind`).

``token``: DingTalk's access token (spec §2.4); ``admin``: the control API's
rule (design.md); ``open``: anyone (token issuing, health).
"""

import functools
import hmac
import ipaddress
from urllib.parse import urlsplit

from starlette.requests import Request

from dingconf.auth.service import TokenService
from dingconf.core import errors
from dingconf.core.config import Secret
from dingconf.core.records import Principal
from dingconf.http.asgi import header
from dingconf.http.operations import Authenticate

__all__ = ["ADMIN_HEADER", "TOKEN_HEADER", "guards", "page_guard", "refuse_foreign_pages"]

TOKEN_HEADER = b"x-acs-dingtalk-access-token"
ADMIN_HEADER = "x-dingconf-admin-token"


# Every control call checks its Host, and parsing an address costs more than
# the rest of the check; a client sends the same few Hosts again and again.
@functools.lru_cache(maxsize=256)
def _is_loopback(authority: str) -> bool:
    """Whether ``host[:port]`` names this machine: ``localhost`` or a loopback address."""
    if authority.startswith("["):
        name = authority[1 : authority.find("]")]
    else:
        name = authority.rsplit(":", 1)[0] if ":" in authority else authority
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def refuse_foreign_pages(request: Request, public_host: str | None = None) -> None:
    """Without an admin token only local clients may drive the emulator.

    Any web page a developer opens can send requests to 127.0.0.1: a
    ``text/plain`` or form POST needs no CORS preflight (CSRF), and a page of
    a domain that resolves to 127.0.0.1 sends its own name as ``Host`` (DNS
    rebinding). So the Host must be a loopback name, an ``Origin`` (which
    browsers always send on cross-site POSTs) must be the same, and a body
    must be declared JSON, which a page can only send after a preflight that
    dingconf never grants.

    ``public_host`` (``host[:port]`` of ``--public-url``) is accepted as well
    as loopback names: the join page is opened at the links' address.
    """
    host = request.headers.get("host", "").lower()
    if not (_is_loopback(host) or (public_host is not None and host == public_host)):
        raise errors.cross_origin_refused(f"dingconf refuses Host {host!r}")
    origin = request.headers.get("origin")
    if origin is not None and origin.lower().split("://", 1)[-1] != host:
        raise errors.cross_origin_refused(f"dingconf refuses Origin {origin!r}")
    has_body = request.headers.get("content-length", "0") != "0" or (
        "transfer-encoding" in request.headers
    )
    if has_body:
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type != "application/json":
            raise errors.cross_origin_refused("control API bodies must be sent as application/json")


def _admin(admin_token: Secret | None, loopback: bool) -> Authenticate:
    """The admin-token rule: required when configured; else loopback binds only."""

    async def admit(request: Request) -> None:
        if admin_token is None:
            if not loopback:
                raise errors.control_api_disabled()
            refuse_foreign_pages(request)
            return
        given = request.headers.get(ADMIN_HEADER, "").encode()
        if not hmac.compare_digest(given, admin_token.reveal().encode()):
            raise errors.invalid_authentication(f"missing or wrong {ADMIN_HEADER}")

    return admit


async def _open(_request: Request) -> None:
    return None


def page_guard(base_url: str) -> Authenticate:
    """The join page's rule: its own pages only, at a loopback name or the links' host.

    The link and the presence id authorise the call itself (control.console.presence).
    """
    public_host = urlsplit(base_url).netloc.lower() or None

    async def admit(request: Request) -> None:
        refuse_foreign_pages(request, public_host)

    return admit


def guards(
    tokens: TokenService, admin_token: Secret | None, loopback: bool
) -> dict[str, Authenticate]:
    """Every guard by name."""

    async def token(request: Request) -> Principal:
        return await tokens.authenticate(header(request, TOKEN_HEADER))

    return {"token": token, "admin": _admin(admin_token, loopback), "open": _open}
