"""Signed links to the minutes' media: URLs dingconf serves, valid until an expiry.

A link carries ``expires`` (ms on the server clock) and ``sig``, an
HMAC-SHA256 of the path, its other query parameters and the expiry, so nobody
can widen or extend a link. The key lives in the database (``media_keys``,
migration 0008, under its own name) so every process sharing the database
accepts links any of them signed.
"""

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from urllib.parse import urlencode

from dingconf.core import errors
from dingconf.core.digits import digits_value
from dingconf.db.store import Store
from dingconf.recording.media_tables import MediaKeyTables

__all__ = ["LinkSigner", "SigningKey"]

_KEY_NAME = "minutes"


class SigningKey:
    """An HMAC-SHA256 key kept in the database under a name.

    The first process to need it stores a random one (``media_keys``,
    migration 0008); every process sharing the database then signs and
    checks with the same key.
    """

    def __init__(self, store: Store, name: str) -> None:
        self._store = store
        self._name = name
        self._key: bytes | None = None

    async def sign(self, message: str) -> str:
        """The hex HMAC-SHA256 of ``message``."""
        if self._key is None:
            async with self._store.write() as tx:
                stored = await MediaKeyTables(tx.conn).keep_media_key(
                    self._name, secrets.token_hex(32)
                )
            self._key = stored.encode()
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()

    async def matches(self, message: str, signature: str) -> bool:
        """Whether ``signature`` is ``message``'s, compared in constant time."""
        return hmac.compare_digest(signature.encode(), (await self.sign(message)).encode())


class LinkSigner:
    """Sign and check the minutes' media links."""

    def __init__(self, store: Store, base_url: str) -> None:
        self._key = SigningKey(store, _KEY_NAME)
        self._base_url = base_url.rstrip("/")

    @staticmethod
    def _message(path: str, params: Mapping[str, str], expires_ms: int) -> str:
        return "\n".join([path, *(f"{k}={params[k]}" for k in sorted(params)), str(expires_ms)])

    async def _sig(self, path: str, params: Mapping[str, str], expires_ms: int) -> str:
        return await self._key.sign(self._message(path, params, expires_ms))

    async def url(self, path: str, params: Mapping[str, str], expires_ms: int) -> str:
        """The absolute, signed URL of ``path`` with ``params``, valid until ``expires_ms``."""
        sig = await self._sig(path, params, expires_ms)
        query = {**params, "expires": str(expires_ms), "sig": sig}
        return f"{self._base_url}{path}?{urlencode(query)}"

    async def check(
        self, path: str, params: Mapping[str, str], expires: str, sig: str, now_ms: int
    ) -> None:
        """Admit a signed request.

        Raises:
            AccessDenied: ``invalidSignature`` for a tampered or unsigned link,
                ``urlExpired`` once the expiry has passed.
        """
        expires_ms = digits_value(expires)
        if expires_ms is None or not await self._key.matches(
            self._message(path, params, expires_ms), sig
        ):
            raise errors.invalid_signature()
        if now_ms >= expires_ms:
            raise errors.url_expired()
