"""Access tokens (spec §3) and the permission checks of every call (spec §2.3, §7)."""

from dingconf.auth.tables import OrgTables, TokenTables
from dingconf.core import errors
from dingconf.core.clock import Clock
from dingconf.core.records import Principal, TokenRecord
from dingconf.core.rng import random_hex
from dingconf.core.secrets import derive_token, hash_token, is_refused, new_token, verify_secret
from dingconf.db.store import Store

__all__ = ["READ", "WRITE", "IssuedToken", "TokenService", "require_scope"]

READ = "VideoConference.Conference.Read"
WRITE = "VideoConference.Conference.Write"


def require_scope(principal: Principal, scope: str) -> None:
    """Refuse the call unless the caller's app currently holds ``scope``.

    Raises:
        ScopeDenied: with ``requiredScopes`` for the error detail.
    """
    if scope not in principal.scopes:
        raise errors.scope_denied([scope])


class IssuedToken:
    """An access token as handed to the client, with its lifetime in seconds."""

    __slots__ = ("expires_in_s", "token")

    def __init__(self, token: str, expires_in_s: int) -> None:
        self.token = token
        self.expires_in_s = expires_in_s


_CACHE_LIMIT = 10_000


class TokenService:
    """Issues tokens to apps and suites, and turns a presented token into a caller.

    Every API call authenticates, so successful lookups are cached in the
    process. The cache is emptied whenever the store's auth epoch moves (scope
    or secret changes, revocations, in any process), and a cached expiry is
    re-checked against the clock on every use, so nothing cached outlives
    what it describes.
    """

    def __init__(
        self, store: Store, clock: Clock, ttl_s: int, refused_secret: str | None = None
    ) -> None:
        self._store = store
        self._clock = clock
        self._ttl_s = ttl_s
        # The well-known demo secret, on a server reachable from elsewhere: a
        # database served on loopback before may still hold it.
        self._refused = refused_secret
        self._cache: dict[str, tuple[Principal, int]] = {}
        self._cache_epoch = -1

    async def issue_app_token(self, app_key: str, app_secret: str) -> IssuedToken:
        """GetAccessToken: the same token again while it is valid, its expiry renewed.

        Raises:
            InvalidRequest: ``invalidClientIdOrSecret`` for an unknown key or wrong secret,
                or the refused (well-known) secret.
        """
        app = await OrgTables(self._store.reader).get_app(app_key)
        verified = await verify_secret(app_secret, app.secret_hash if app else None)
        if not verified or app is None or is_refused(app_secret, self._refused):
            raise errors.invalid_client()
        now = self._clock.now_ms()
        expires = now + self._ttl_s * 1000
        async with self._store.write() as tx:
            tokens = TokenTables(tx.conn, tx.row_lock)
            # Expired tokens answer like unknown ones, so nothing needs them.
            await tokens.purge_tokens(now)
            await tokens.lock_app(app_key)
            live = await tokens.find_live_token("app", app_key, app.corp_id, now)
            if live is not None:
                token = derive_token(app_secret, app_key, app.corp_id, live.nonce)
                await tokens.extend_token(live.token_hash, expires)
            else:
                nonce = random_hex(16)
                token = derive_token(app_secret, app_key, app.corp_id, nonce)
                await tokens.put_token(
                    TokenRecord(hash_token(token), "app", app_key, app.corp_id, expires, nonce)
                )
        return IssuedToken(token, self._ttl_s)

    async def issue_corp_token(
        self, suite_key: str, suite_secret: str, corp_id: str
    ) -> IssuedToken:
        """GetCorpAccessToken: a new token on every call (spec §3.2).

        Raises:
            InvalidRequest: ``invalidSuiteKey`` for an unknown suite or wrong secret,
                ``invalidAuthInfo`` when the corp has not authorised the suite.
        """
        suite = await OrgTables(self._store.reader).get_suite(suite_key)
        verified = await verify_secret(suite_secret, suite.secret_hash if suite else None)
        if not verified or suite is None or is_refused(suite_secret, self._refused):
            raise errors.invalid_suite_key()
        if corp_id not in suite.authorized_corps:
            raise errors.invalid_auth_info()
        token = new_token()
        now = self._clock.now_ms()
        expires = now + self._ttl_s * 1000
        async with self._store.write() as tx:
            tokens = TokenTables(tx.conn)
            await tokens.purge_tokens(now)
            await tokens.put_token(
                TokenRecord(hash_token(token), "suite", suite_key, corp_id, expires, "")
            )
        return IssuedToken(token, self._ttl_s)

    async def authenticate(self, token: str | None) -> Principal:
        """The caller a token stands for, with its app's current scopes.

        Raises:
            AuthenticationError: ``AuthenticationFailed.MissingParameter`` without a
                token, ``InvalidAuthentication`` for an unknown or expired one.
        """
        if not token:
            raise errors.missing_access_token()
        # The lookup is by SHA-256, so no comparison ever runs on the token itself.
        token_hash = hash_token(token)
        epoch = await self._store.auth_epoch()
        if epoch != self._cache_epoch:
            self._cache.clear()
            self._cache_epoch = epoch
        now = self._clock.now_ms()
        found = self._cache.get(token_hash)
        if found is None or found[1] <= now:
            # A miss, or a cached expiry that a renewal may since have moved.
            found = await TokenTables(self._store.reader).resolve_token(token_hash)
            if found is None or found[1] <= now:
                raise errors.invalid_authentication()
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[token_hash] = found
        return found[0]
