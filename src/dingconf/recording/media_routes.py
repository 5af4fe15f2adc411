"""The recording files' own URLs (not a DingTalk JSON API).

``GET /media/records/<mediaId>.mp4?...`` streams the file;
``GET /media/records/<mediaId>.m3u8?...`` answers an HLS playlist of it. Anyone
holding a URL that QueryCloudRecordVideoPlayInfo signed may fetch it until it
expires; any other request is refused with a JSON error (403), as object
storage refuses a bad signed URL; another method gets the usual JSON 404.
"""

from collections.abc import AsyncIterator
from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from dingconf.core import errors
from dingconf.recording.media import MP4, MediaSigner, media_bytes, playlist

__all__ = ["media_routes"]

_MP4_TYPE = "video/mp4"
_M3U8_TYPE = "application/vnd.apple.mpegurl"


class _Files:
    """An ASGI app serving signed file URLs (a class: Starlette would wrap a function)."""

    __slots__ = ("_signer",)

    def __init__(self, signer: MediaSigner) -> None:
        self._signer = signer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "GET":
            raise errors.route_not_found()
        response = await self._respond(Request(scope, receive))
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        name = str(request.path_params["name"])
        file = await self._signer.verify(name, dict(request.query_params.items()))
        if file.kind != MP4:
            mp4 = await self._signer.url(replace(file, kind=MP4))
            return Response(playlist(mp4, file.duration_ms), media_type=_M3U8_TYPE)

        async def chunks() -> AsyncIterator[bytes]:
            # A generator, so the file is never held whole in memory.
            for chunk in media_bytes(file.media_id, file.size):
                yield chunk

        return StreamingResponse(
            chunks(), media_type=_MP4_TYPE, headers={"content-length": str(file.size)}
        )


def media_routes(signer: MediaSigner) -> list[BaseRoute]:
    """The routes serving recording files."""
    return [Route("/media/records/{name}", _Files(signer))]
