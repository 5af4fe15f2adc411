"""The route table: every API dingconf serves, by DingTalk action name."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.routing import Route, Router
from starlette.types import ASGIApp, Lifespan, Receive, Scope, Send

from dingconf.wire.errors import RouteNotFound
from dingconf.wire.http import Handler, MethodDispatch

__all__ = ["ApiRoute", "build_router"]


@dataclass(frozen=True, slots=True)
class ApiRoute:
    """One API: its HTTP method and path, its SDK action name, and its handler."""

    method: str
    path: str
    action: str
    handler: Handler


async def _not_found(scope: Scope, receive: Receive, send: Send) -> None:
    raise RouteNotFound()


def build_router(routes: Iterable[ApiRoute], lifespan: Lifespan[Any] | None = None) -> ASGIApp:
    """A router matching paths in the order given, then dispatching on the method.

    Routes sharing a path (GET/PUT/DELETE on one conference) become one
    Starlette route, so a wrong method reaches our JSON error, not a text 405.
    """
    by_path: dict[str, dict[str, Handler]] = defaultdict(dict)
    for route in routes:
        by_path[route.path][route.method] = route.handler
    return Router(
        routes=[Route(path, MethodDispatch(handlers)) for path, handlers in by_path.items()],
        redirect_slashes=False,
        default=_not_found,
        lifespan=lifespan,
    )
