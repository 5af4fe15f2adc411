"""The recording files' own URLs (not a DingTalk JSON API).

``GET /media/records/<mediaId>.mp4?...`` streams the file;
``GET /media/records/<mediaId>.m3u8?...`` answers an HLS playlist of it. Anyone
holding a URL that QueryCloudRecordVideoPlayInfo signed may fetch it until it
expires; any other request is refused with a JSON error (403), as object
storage refuses a bad signed URL.
"""

from collections.abc import AsyncIterator
from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from dingconf.service.media import MP4, MediaSigner, media_bytes, playlist

__all__ = ["media_routes"]

_MP4_TYPE = "video/mp4"
_M3U8_TYPE = "application/vnd.apple.mpegurl"


def media_routes(signer: MediaSigner) -> list[BaseRoute]:
    """The routes serving recording files."""

    async def serve(request: Request) -> Response:
        file = await signer.verify(
            str(request.path_params["name"]), dict(request.query_params.items())
        )
        if file.kind != MP4:
            mp4 = await signer.url(replace(file, kind=MP4))
            return Response(playlist(mp4, file.duration_ms), media_type=_M3U8_TYPE)

        async def chunks() -> AsyncIterator[bytes]:
            # A generator, so the file is never held whole in memory.
            for chunk in media_bytes(file.media_id, file.size):
                yield chunk

        return StreamingResponse(
            chunks(), media_type=_MP4_TYPE, headers={"content-length": str(file.size)}
        )

    return [Route("/media/records/{name}", serve, methods=["GET"])]
