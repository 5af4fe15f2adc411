"""The web console's static files, and the landing page's (its HTML: ``console.landing``).

The files ship in the package (``dingconf/web``) and are read once. The pages
hold no data: everything they show comes from the control API, which the
admin guard protects (:mod:`dingconf.auth.guards`), so serving them needs no
guard. They load nothing from elsewhere, so the console works offline.
"""

from importlib.resources import files

from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from dingconf.core import errors

__all__ = ["CONSOLE_PATH", "PAGE_HEADERS", "console_pages"]

CONSOLE_PATH = "/_dingconf/console"
_SCRIPTS = ("console.js", "lib.js", "overview.js", "meeting.js", "toolkit.js")

_TYPES = {
    "html": "text/html; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "ico": "image/x-icon",
}
# Scripts and styles only from this server, no framing (the console's buttons act),
# and no referrer: the console's URLs name meetings.
PAGE_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
}


def _load(name: str) -> Response:
    body = files("dingconf").joinpath("web").joinpath(name).read_bytes()
    media_type = _TYPES[name.rsplit(".", 1)[1]]
    return Response(body, headers={**PAGE_HEADERS, "content-type": media_type})


def console_pages() -> list[BaseRoute]:
    """``GET /_dingconf/console`` and its script and style, the landing page's, the icon."""
    pages = {
        "/landing.css": _load("landing.css"),
        "/landing.js": _load("landing.js"),
        "/favicon.ico": _load("favicon.ico"),
        CONSOLE_PATH: _load("console/index.html"),
        f"{CONSOLE_PATH}/console.css": _load("console/console.css"),
        # The console's script is an ES module per view.
        **{f"{CONSOLE_PATH}/{name}": _load(f"console/{name}") for name in _SCRIPTS},
    }

    return [Route(path, _Page(page)) for path, page in pages.items()]


class _Page:
    """One file, on GET and HEAD; other methods answer the JSON 404 of unknown routes
    (an ASGI app, so that Starlette leaves every method to it)."""

    def __init__(self, response: Response) -> None:
        self._response = response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD"):
            raise errors.route_not_found()
        await self._response(scope, receive, send)
