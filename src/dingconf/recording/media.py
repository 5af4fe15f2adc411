"""Recording files served by dingconf itself, behind signed, expiring URLs.

A URL names the file (mediaId and format) and carries what the server needs
to produce it (its size and duration), an expiry and an HMAC-SHA256 signature
over all of these, like a signed object-storage URL: whoever holds the URL may
download the file until it expires, and nobody can change any part of it.
The key lives in the database (migration 0008) so that every process sharing
it accepts URLs any of them signed. Expiry is measured on the server clock.

The file's bytes are an ISO-BMFF ``ftyp`` box, then one ``free`` box filled
with bytes derived from the mediaId: deterministic, of exactly the reported
size, and produced chunk by chunk.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.digits import digits_value
from dingconf.db.store import Store
from dingconf.links.signing import SigningKey
from dingconf.recording.files import HEADER_BYTES

__all__ = ["M3U8", "MP4", "URL_TTL_S", "MediaFile", "MediaSigner", "media_bytes", "playlist"]

MP4, M3U8 = "mp4", "m3u8"
#: How long a signed URL stays valid.
URL_TTL_S = 3600
_KEY_NAME = "records"
_CHUNK = 64 * 1024
_FTYP = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41"


@dataclass(frozen=True, slots=True)
class MediaFile:
    """What a verified URL names."""

    media_id: str
    kind: str  # MP4 or M3U8
    size: int
    duration_ms: int


class MediaSigner:
    """Sign and check the URLs of recording files."""

    def __init__(self, store: Store, clock: Clock, base_url: str) -> None:
        self._key = SigningKey(store, _KEY_NAME)
        self._clock = clock
        self._base_url = base_url

    @staticmethod
    def _message(file: MediaFile, expires: int) -> str:
        return f"{file.media_id}.{file.kind}\n{file.size}\n{file.duration_ms}\n{expires}"

    async def url(self, file: MediaFile) -> str:
        """A URL serving ``file`` for the next :data:`URL_TTL_S` seconds."""
        expires = self._clock.now_ms() // 1000 + URL_TTL_S
        signature = await self._key.sign(self._message(file, expires))
        query = urlencode(
            {
                "size": file.size,
                "duration": file.duration_ms,
                "Expires": expires,
                "Signature": signature,
            }
        )
        return f"{self._base_url}/media/records/{file.media_id}.{file.kind}?{query}"

    async def verify(self, name: str, params: dict[str, str]) -> MediaFile:
        """The file a URL's last path segment and query name, if its signature holds.

        Raises:
            AccessDenied: ``SignatureDoesNotMatch`` for a malformed or altered
                URL, ``AccessDenied`` once it expired (object storage's codes).
        """
        media_id, _, kind = name.rpartition(".")
        size, duration, expires = (
            digits_value(params.get(k, "")) for k in ("size", "duration", "Expires")
        )
        given = params.get("Signature")
        if size is None or duration is None or expires is None or given is None:
            raise errors.signature_does_not_match()
        file = MediaFile(media_id, kind, size, duration)
        if kind not in (MP4, M3U8) or file.size < HEADER_BYTES:
            raise errors.signature_does_not_match()
        if not await self._key.matches(self._message(file, expires), given.lower()):
            raise errors.signature_does_not_match()
        if self._clock.now_ms() // 1000 > expires:
            raise errors.request_expired()
        return file


def media_bytes(media_id: str, size: int) -> Iterator[bytes]:
    """The ``size`` bytes of a file, in chunks (``size`` ≥ the 32-byte header)."""
    yield _FTYP + (size - len(_FTYP)).to_bytes(4, "big") + b"free"
    # One chunk of filler derived from the mediaId, repeated.
    seed = hashlib.sha256(media_id.encode()).digest()
    block = b"".join(
        hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range(_CHUNK // 32)
    )
    left = size - HEADER_BYTES
    while left > 0:
        piece = block[: min(left, _CHUNK)]
        left -= len(piece)
        yield piece


def playlist(url: str, duration_ms: int) -> bytes:
    """An HLS playlist of one segment: the file at ``url``."""
    seconds = f"{duration_ms / 1000:.3f}"
    return (
        "#EXTM3U\n#EXT-X-VERSION:3\n"
        f"#EXT-X-TARGETDURATION:{-(-duration_ms // 1000)}\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:{seconds},\n{url}\n#EXT-X-ENDLIST\n"
    ).encode()
