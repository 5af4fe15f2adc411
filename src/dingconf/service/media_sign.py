"""Signed media links: URLs that dingconf serves, valid until an expiry on the server clock.

A link carries ``expires`` (ms) and ``sig``, an HMAC-SHA256 of the path, its
other query parameters and the expiry, so nobody can widen or extend a link
without the server's key.
"""

import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import urlencode

from dingconf.errors import AccessDenied

__all__ = ["MediaSigner"]


class MediaSigner:
    """Sign and check media links with one server key."""

    def __init__(self, key: bytes, base_url: str) -> None:
        self._key = key
        self._base_url = base_url.rstrip("/")

    def _sig(self, path: str, params: Mapping[str, str], expires_ms: int) -> str:
        message = "\n".join([path, *(f"{k}={params[k]}" for k in sorted(params)), str(expires_ms)])
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()

    def url(self, path: str, params: Mapping[str, str], expires_ms: int) -> str:
        """The absolute, signed URL of ``path`` with ``params``, valid until ``expires_ms``."""
        query = {**params, "expires": str(expires_ms), "sig": self._sig(path, params, expires_ms)}
        return f"{self._base_url}{path}?{urlencode(query)}"

    def check(
        self, path: str, params: Mapping[str, str], expires: str, sig: str, now_ms: int
    ) -> None:
        """Admit a signed request.

        Raises:
            AccessDenied: ``invalidSignature`` for a tampered or unsigned link,
                ``urlExpired`` once the expiry has passed.
        """
        if not expires.isdigit() or not hmac.compare_digest(
            sig.encode(), self._sig(path, params, int(expires)).encode()
        ):
            raise AccessDenied("invalidSignature", "the link's signature does not match")
        if now_ms >= int(expires):
            raise AccessDenied("urlExpired", "the link has expired")
