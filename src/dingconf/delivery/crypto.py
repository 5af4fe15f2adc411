"""DingTalk's encrypted callback protocol (the ``DingCallbackCrypto`` algorithm).

The message is ``16 random bytes + 4-byte big-endian length + message +
owner key`` (the appKey for an internal app's event subscription), padded
PKCS#7 to 32 bytes, AES-256-CBC with the key ``base64(aesKey + "=")`` and
the IV its first 16 bytes, then base64. The signature is the SHA-1 hex of
``token``, ``timestamp``, ``nonce`` and the ciphertext, sorted and joined.
"""

import base64
import hashlib
import os
import secrets
import string

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = ["AES_KEY_LENGTH", "CallbackCrypto", "CryptoError", "signature"]

AES_KEY_LENGTH = 43
_BLOCK = 32


class CryptoError(Exception):
    """A ciphertext that does not decrypt, or was not meant for this owner."""


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """``msg_signature``: SHA-1 of the four values sorted and joined."""
    joined = "".join(sorted([token, timestamp, nonce, encrypted])).encode()
    return hashlib.sha1(joined).hexdigest()  # noqa: S324 (the protocol says SHA-1)


class CallbackCrypto:
    """Encrypt and decrypt callback messages of one app (its token, AES key, appKey)."""

    def __init__(self, token: str, aes_key: str, owner_key: str) -> None:
        if len(aes_key) != AES_KEY_LENGTH:
            raise CryptoError(f"the AES key must be {AES_KEY_LENGTH} characters")
        try:
            self._key = base64.b64decode(aes_key + "=", validate=True)
        except ValueError as exc:
            raise CryptoError("the AES key is not base64") from exc
        self._token = token
        self._owner = owner_key.encode()

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, message: str) -> str:
        """The base64 ciphertext of ``message``."""
        body = message.encode()
        plain = os.urandom(16) + len(body).to_bytes(4, "big") + body + self._owner
        pad = _BLOCK - len(plain) % _BLOCK
        encryptor = self._cipher().encryptor()
        sealed = encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()
        return base64.b64encode(sealed).decode()

    def decrypt(self, encrypted: str) -> str:
        """The message inside a ciphertext, checking that it names this owner.

        Raises:
            CryptoError: not decryptable, badly padded, or for another owner.
        """
        try:
            decryptor = self._cipher().decryptor()
            plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        except ValueError as exc:
            raise CryptoError("not a ciphertext of this key") from exc
        if not plain or not 1 <= plain[-1] <= _BLOCK:
            raise CryptoError("bad padding")
        plain = plain[: -plain[-1]]
        size = int.from_bytes(plain[16:20], "big")
        message, owner = plain[20 : 20 + size], plain[20 + size :]
        if owner != self._owner:
            raise CryptoError("the message names another owner")
        return message.decode()

    def sealed(self, message: str, now_ms: int) -> dict[str, str]:
        """``{"msg_signature", "timeStamp", "nonce", "encrypt"}`` for a message."""
        encrypted = self.encrypt(message)
        timestamp = str(now_ms)
        nonce = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(8))
        return {
            "msg_signature": signature(self._token, timestamp, nonce, encrypted),
            "timeStamp": timestamp,
            "nonce": nonce,
            "encrypt": encrypted,
        }

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str) -> bool:
        """Whether a signature matches (constant time)."""
        expected = signature(self._token, timestamp, nonce, encrypted)
        return secrets.compare_digest(expected, msg_signature)
