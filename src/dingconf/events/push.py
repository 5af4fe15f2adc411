"""HTTP push subscriptions: an app's callback URL, token and AES key (spec §5).

Registering through the control API or the CLI first runs DingTalk's
``check_url`` handshake against the URL (the delivery adapter performs it,
handed in as ``verify``); a seed file's subscriptions are stored as given.
"""

import ipaddress
import string
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from dingconf.auth.tables import OrgTables
from dingconf.core import errors
from dingconf.db.store import Store
from dingconf.events.records import PushSubscription
from dingconf.events.tables import SubscriberTables

__all__ = ["AES_KEY_LENGTH", "PushService", "Verify", "checked_subscription"]

AES_KEY_LENGTH = 43
_BASE64 = frozenset(string.ascii_letters + string.digits + "+/")

#: Runs the ``check_url`` handshake: (passed, why not).
Verify = Callable[[PushSubscription], Awaitable[tuple[bool, str]]]


def _loopback(host: str) -> bool:
    """Whether a URL's host is this machine: an emulator never calls out to the network."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_subscription(app_key: str, url: str, token: str, aes_key: str) -> PushSubscription:
    """A well-formed subscription.

    Raises:
        InvalidRequest: ``paramError`` for a URL that is not http(s) on a
            loopback address, an empty token, or an AES key that is not 43
            base64 characters.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        raise errors.param_error("url is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise errors.param_error("url must be an http:// or https:// URL")
    if not _loopback(parts.hostname):
        raise errors.param_error("url must point at this machine (127.0.0.0/8, ::1)")
    if not token:
        raise errors.param_error("token must not be empty")
    if len(aes_key) != AES_KEY_LENGTH or not set(aes_key) <= _BASE64:
        raise errors.param_error(f"aesKey must be {AES_KEY_LENGTH} base64 characters")
    return PushSubscription(app_key, url, token, aes_key)


class PushService:
    """Set and remove apps' HTTP push subscriptions."""

    def __init__(self, store: Store, verify: Verify) -> None:
        self._store = store
        self._verify = verify

    async def subscribe(
        self, app_key: str, url: str, token: str, aes_key: str, *, check: bool = True
    ) -> PushSubscription:
        """Register (or replace) an app's callback after the ``check_url`` handshake.

        Raises:
            NotFound: ``appNotFound`` for an unknown app.
            InvalidRequest: ``paramError`` (see :func:`checked_subscription`),
                ``checkUrlFailed`` when the URL does not answer the handshake.
        """
        if await OrgTables(self._store.reader).get_app(app_key) is None:
            raise errors.app_not_found(f"no app {app_key}")
        subscription = checked_subscription(app_key, url, token, aes_key)
        if check:
            passed, why = await self._verify(subscription)
            if not passed:
                raise errors.check_url_failed(f"check_url failed: {why}")
        async with self._store.write() as tx:
            await SubscriberTables(tx.conn).put_push_subscription(subscription)
        return subscription

    async def unsubscribe(self, app_key: str) -> None:
        """Stop pushing an app's events by HTTP (Stream mode takes over).

        Raises:
            NotFound: ``subscriptionNotFound`` when the app had none.
        """
        async with self._store.write() as tx:
            if not await SubscriberTables(tx.conn).delete_push_subscription(app_key):
                raise errors.subscription_not_found(f"app {app_key} has no push subscription")
