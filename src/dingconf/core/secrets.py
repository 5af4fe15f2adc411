"""Hashing of app secrets and access tokens, and constant-time comparison.

App secrets are chosen by people and may be weak, so they get a salted,
memory-hard scrypt hash. Access tokens are 128 random bits, so a plain SHA-256
is enough and lets the store look a token up by its hash.
"""

import asyncio
import hashlib
import hmac
import secrets

from dingconf.core.rng import random_hex

__all__ = [
    "derive_token",
    "hash_secret",
    "hash_token",
    "is_refused",
    "new_token",
    "verify_secret",
]

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024)


def hash_secret(secret: str) -> str:
    """Return ``scrypt$N$r$p$salt$hash`` for a secret."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(secret, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def _verify(secret: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = _scrypt(secret, bytes.fromhex(salt), int(n), int(r), int(p))
    return hmac.compare_digest(candidate, bytes.fromhex(digest))


# Checked against when the key is unknown, so that an unknown key costs the
# same scrypt work as a known one and keys cannot be found by timing.
_DECOY_HASH = hash_secret(secrets.token_urlsafe(18))


async def verify_secret(secret: str, stored: str | None) -> bool:
    """Check a secret against its stored hash, in constant time, off the event loop.

    ``stored`` None (no such app or suite) does the same work and answers False.
    """
    if stored is None:
        await asyncio.to_thread(_verify, secret, _DECOY_HASH)
        return False
    return await asyncio.to_thread(_verify, secret, stored)


def is_refused(secret: str, refused: str | None) -> bool:
    """Whether ``secret`` is ``refused``, a secret turned away whatever is stored
    (the well-known demo secret beyond loopback); compared in constant time."""
    return refused is not None and hmac.compare_digest(secret.encode(), refused.encode())


def hash_token(token: str) -> str:
    """The lookup key of an access token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random token: 32 hex characters, like DingTalk's."""
    return random_hex(16)


def derive_token(client_secret: str, client_key: str, corp_id: str, nonce: str) -> str:
    """An internal app's token, recomputable only by someone holding its secret.

    DingTalk returns the *same* token when an app asks again within validity
    (spec §3). Deriving it from the secret the app presents lets dingconf do
    that while storing only the token's hash and a random nonce.
    """
    message = f"{client_key}\n{corp_id}\n{nonce}".encode()
    return hmac.new(client_secret.encode(), message, hashlib.sha256).hexdigest()[:32]
