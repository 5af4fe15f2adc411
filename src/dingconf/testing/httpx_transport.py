"""An ``httpx`` transport to a mock, for plain HTTP code that opts in.

Imported only when asked for (:meth:`DingconfMock.httpx_transport`): httpx is
not a dependency of dingconf.
"""

import httpx

from dingconf.testing.asgi_bridge import Dropped
from dingconf.testing.sdk_seam import Target

__all__ = ["HttpxTransport"]


def _parts(request: httpx.Request) -> tuple[str, str, list[tuple[str, str]]]:
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
    return request.url.path or "/", request.url.query.decode("ascii"), headers


class HttpxTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answers an ``httpx.Client`` or ``httpx.AsyncClient`` from the mock, whatever the URL."""

    def __init__(self, target: Target) -> None:
        self._target = target

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request of a sync client."""
        path, query, headers = _parts(request)
        try:
            reply = self._target.call(request.method, path, query, headers, request.read())
        except Dropped as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        return httpx.Response(reply.status, headers=reply.headers, content=reply.body)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request of an async client."""
        path, query, headers = _parts(request)
        body = await request.aread()
        try:
            reply = await self._target.acall(request.method, path, query, headers, body)
        except Dropped as exc:
            raise httpx.RemoteProtocolError(str(exc), request=request) from exc
        return httpx.Response(reply.status, headers=reply.headers, content=reply.body)
