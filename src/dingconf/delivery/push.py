"""HTTP push: events POSTed to an app's callback URL with DingTalk's encryption.

The request is ``POST url?msg_signature=..&timestamp=..&nonce=..`` with the
body ``{"encrypt": ...}``; the receiver answers ``{"msg_signature",
"timeStamp", "nonce", "encrypt"}`` whose ciphertext says ``success``. Anything
else is a failed attempt. Registering a URL first sends the ``check_url``
event and wants the same answer.
"""

import asyncio
import json
import urllib.error
import urllib.parse
import urllib.request

from dingconf.core.clock import Clock
from dingconf.delivery.crypto import CallbackCrypto, CryptoError
from dingconf.events.records import Delivery, PushSubscription

__all__ = ["PushSender", "push_body"]

_TIMEOUT_S = 5.0
_REPLY_LIMIT = 64 * 1024


def push_body(delivery: Delivery) -> str:
    """The plaintext of an HTTP push: the payload's keys at the root with the envelope's."""
    e = delivery.event
    body = {
        "EventType": e.event_type,
        "EventTime": e.born_ms,
        "CorpId": e.corp_id,
        "BizId": e.event_id,
        "eventId": e.event_id,
        **json.loads(e.payload),
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _post(url: str, body: bytes) -> tuple[int, bytes]:
    # Only http(s) URLs are ever registered (events.push checks the scheme).
    request = urllib.request.Request(  # noqa: S310
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as reply:  # noqa: S310
            return reply.status, reply.read(_REPLY_LIMIT)
    except urllib.error.HTTPError as err:
        return err.code, b""


class PushSender:
    """Sends one encrypted callback and checks the encrypted ``success`` reply."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def send(self, subscription: PushSubscription, delivery: Delivery) -> tuple[bool, str]:
        """Push one event: (acknowledged, what went wrong)."""
        return await self._call(subscription, push_body(delivery))

    async def check_url(self, subscription: PushSubscription) -> tuple[bool, str]:
        """The ``check_url`` handshake a URL must pass to be registered."""
        return await self._call(subscription, json.dumps({"EventType": "check_url"}))

    async def _call(self, sub: PushSubscription, plaintext: str) -> tuple[bool, str]:
        try:
            crypto = CallbackCrypto(sub.token, sub.aes_key, sub.app_key)
        except CryptoError as exc:
            return False, str(exc)
        sealed = crypto.sealed(plaintext, self._clock.now_ms())
        query = urllib.parse.urlencode(
            {
                "msg_signature": sealed["msg_signature"],
                "timestamp": sealed["timeStamp"],
                "nonce": sealed["nonce"],
            }
        )
        url = f"{sub.url}{'&' if '?' in sub.url else '?'}{query}"
        body = json.dumps({"encrypt": sealed["encrypt"]}).encode()
        try:
            status, raw = await asyncio.to_thread(_post, url, body)
        except (OSError, ValueError) as exc:
            return False, f"unreachable: {exc}"
        if status != 200:
            return False, f"HTTP {status}"
        return self._check_reply(crypto, raw)

    @staticmethod
    def _check_reply(crypto: CallbackCrypto, raw: bytes) -> tuple[bool, str]:
        try:
            reply = json.loads(raw)
            fields = [str(reply[k]) for k in ("msg_signature", "timeStamp", "nonce", "encrypt")]
        except (ValueError, KeyError, TypeError):
            return False, "reply is not an encrypted answer"
        if not crypto.verify(*fields):
            return False, "reply signature mismatch"
        try:
            answer = crypto.decrypt(fields[3])
        except CryptoError as exc:
            return False, f"reply: {exc}"
        if answer != "success":
            return False, f"reply says {answer!r}"
        return True, ""
