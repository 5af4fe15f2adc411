"""Organisations, users, apps and suites, from a seed document or one at a time.

Loading the same seed twice changes nothing: a secret is re-hashed only when
it no longer matches what is stored, so existing tokens stay valid.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dingconf.auth.service import READ, WRITE
from dingconf.auth.tables import OrgTables, TokenTables
from dingconf.core import errors
from dingconf.core.closest import did_you_mean
from dingconf.core.errors import InvalidRequest
from dingconf.core.records import App, Org, Suite, User
from dingconf.core.secrets import hash_secret, verify_secret
from dingconf.db.store import Store
from dingconf.events.push import checked_subscription
from dingconf.events.tables import SubscriberTables

__all__ = [
    "DEFAULT_SCOPES",
    "SCOPES",
    "AppChange",
    "ProvisioningService",
    "SeedSummary",
    "known_scopes",
]

DEFAULT_SCOPES = (READ, WRITE)
#: The scopes an app or suite can hold: those the API checks.
SCOPES = frozenset(DEFAULT_SCOPES)
#: The keys each entry of a seed document may have.
_SEED_KEYS = {
    "seed": ("orgs", "suites"),
    "org": ("corpId", "name", "users", "apps"),
    "user": ("unionId", "nick", "userId", "jobNumber", "deptName"),
    "app": ("appKey", "appSecret", "scopes", "push"),
    "push": ("url", "token", "aesKey"),
    "suite": ("suiteKey", "suiteSecret", "authorizedCorps", "scopes"),
}
#: The entries of each kind that hold entries of another.
_SEED_NESTED = {
    ("seed", "orgs"): "org",
    ("seed", "suites"): "suite",
    ("org", "users"): "user",
    ("org", "apps"): "app",
    ("app", "push"): "push",
}


@dataclass(frozen=True, slots=True)
class SeedSummary:
    """How much a seed document contained."""

    orgs: int
    users: int
    apps: int
    suites: int


def _field(item: Mapping[str, Any], name: str, where: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value:
        raise errors.invalid_seed(f"{where}: '{name}' must be a non-empty string")
    return value


def _list(item: Mapping[str, Any], name: str, where: str) -> list[Any]:
    value = item.get(name, [])
    if not isinstance(value, list):
        raise errors.invalid_seed(f"{where}: '{name}' must be a list")
    return value


def _mapping(item: object, where: str) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise errors.invalid_seed(f"{where}: expected a mapping")
    return item


def _check_keys(item: object, kind: str = "seed", where: str = "") -> None:
    """Refuse an unknown key anywhere in a seed, before any of it is applied (the
    shapes are checked as it is applied)."""
    if not isinstance(item, Mapping):
        return
    known = _SEED_KEYS[kind]
    for key, value in item.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in known:
            hint = did_you_mean(str(key), known)
            raise errors.invalid_seed(f"{where or 'seed'}: unknown key {key!r}{hint}")
        inner = _SEED_NESTED.get((kind, key))
        if inner == "push":
            _check_keys(value, inner, path)
        elif inner is not None and isinstance(value, list):
            for i, entry in enumerate(value):
                _check_keys(entry, inner, f"{path}[{i}]")


def known_scopes(scopes: Iterable[str]) -> frozenset[str]:
    """``scopes``, each one the API checks.

    Raises:
        InvalidRequest: ``paramError`` naming an unknown scope and the closest known one.
    """
    granted = frozenset(scopes)
    unknown = sorted(granted - SCOPES)
    if unknown:
        hint = did_you_mean(unknown[0], SCOPES)
        raise errors.param_error(f"unknown scope {unknown[0]!r}{hint}")
    return granted


def _scopes(item: Mapping[str, Any], where: str) -> frozenset[str]:
    scopes = item.get("scopes", list(DEFAULT_SCOPES))
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise errors.invalid_seed(f"{where}: 'scopes' must be a list of strings")
    try:
        return known_scopes(scopes)
    except InvalidRequest as bad:
        raise errors.invalid_seed(f"{where}: {bad.message}") from None


@dataclass(frozen=True, slots=True)
class AppChange:
    """What :meth:`ProvisioningService.add_app` did."""

    app: App
    #: The app as it was (None: created).
    before: App | None
    #: How many of its tokens a changed secret or organisation revoked.
    revoked: int

    @property
    def secret_changed(self) -> bool:
        """Whether an existing app got another secret."""
        return self.before is not None and self.before.secret_hash != self.app.secret_hash


async def _write_org(
    accounts: OrgTables, org: Org, users: Iterable[tuple[str, str]], app: App
) -> None:
    await accounts.upsert_org(org)
    for union_id, nick in users:
        await accounts.upsert_user(User(org.corp_id, union_id, nick))
    await accounts.upsert_app(app)


class ProvisioningService:
    """Create and update the accounts that tokens and meetings belong to."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def add_org(self, corp_id: str, name: str) -> Org:
        """Create or rename an organisation."""
        org = Org(corp_id, name)
        async with self._store.write() as tx:
            await OrgTables(tx.conn).upsert_org(org)
        return org

    async def _require_org(self, corp_id: str) -> None:
        if await OrgTables(self._store.reader).get_org(corp_id) is None:
            raise errors.unknown_org(f"no organisation {corp_id!r}")

    async def add_user(
        self,
        corp_id: str,
        union_id: str,
        nick: str,
        user_id: str | None = None,
        job_number: str | None = None,
        dept_name: str | None = None,
    ) -> User:
        """Create or update a user of an existing organisation."""
        await self._require_org(corp_id)
        user = User(corp_id, union_id, nick, user_id, job_number, dept_name)
        async with self._store.write() as tx:
            await OrgTables(tx.conn).upsert_user(user)
        return user

    async def add_app(
        self,
        corp_id: str,
        app_key: str,
        secret: str | None,
        scopes: Iterable[str] | None = None,
    ) -> AppChange:
        """Create or update an internal app, and say what changed.

        ``secret`` None keeps an existing app's secret, ``scopes`` None its
        scopes (a new app's default: Read and Write). A changed secret or
        organisation revokes the app's tokens.

        Raises:
            InvalidRequest: ``unknownOrg``; ``paramError`` for a new app without a secret.
        """
        await self._require_org(corp_id)
        existing = await OrgTables(self._store.reader).get_app(app_key)
        same_secret = existing is not None and (
            secret is None or await verify_secret(secret, existing.secret_hash)
        )
        if existing is not None and same_secret:
            secret_hash = existing.secret_hash
        elif secret is not None:
            secret_hash = hash_secret(secret)
        else:
            raise errors.param_error(f"a new app ({app_key!r}) needs a secret")
        granted = existing.scopes if scopes is None and existing else scopes or DEFAULT_SCOPES
        app = App(app_key, corp_id, secret_hash, known_scopes(granted))
        revoked = 0
        async with self._store.write() as tx:
            await OrgTables(tx.conn).upsert_app(app)
            if existing is not None and (not same_secret or existing.corp_id != corp_id):
                revoked = await TokenTables(tx.conn).delete_tokens("app", app_key)
        return AppChange(app, existing, revoked)

    async def provision_org(
        self,
        corp_id: str,
        name: str,
        users: Iterable[tuple[str, str]],
        app_key: str,
        secret: str,
        scopes: Iterable[str],
    ) -> Org:
        """An organisation (created or renamed), its users ``(unionId, nick)`` and a new
        internal app, in one transaction: interrupted, none of it is stored."""
        org = Org(corp_id, name)
        app = App(app_key, corp_id, hash_secret(secret), known_scopes(scopes))
        async with self._store.write() as tx:
            await _write_org(OrgTables(tx.conn), org, users, app)
        return org

    async def provision_first_org(
        self,
        corp_id: str,
        name: str,
        users: Iterable[tuple[str, str]],
        app_key: str,
        secret: str,
        scopes: Iterable[str],
    ) -> bool:
        """As :meth:`provision_org`, only on a database with no organisation, or
        whose ``corp_id`` has no app (as an interrupted start of an earlier
        version left it); whether it did.

        Decided inside the transaction, under the auth epoch row's lock (which
        the new app's write takes anyway): of servers starting together on one
        database, exactly one provisions it. The secret is hashed (slow on
        purpose) only then, not on every start.
        """
        granted = known_scopes(scopes)
        async with self._store.write() as tx:
            await TokenTables(tx.conn, tx.row_lock).lock_epoch()
            accounts = OrgTables(tx.conn)
            orgs = await accounts.org_ids()
            if orgs and (corp_id not in orgs or await accounts.app_keys(corp_id)):
                return False
            app = App(app_key, corp_id, hash_secret(secret), granted)
            await _write_org(accounts, Org(corp_id, name), users, app)
        return True

    async def _seed_push(self, app: Mapping[str, Any], where: str) -> None:
        """A seed app's ``push`` entry (``url``, ``token``, ``aesKey``), stored unchecked:
        the receiver need not be up when the seed loads."""
        push = _mapping(app["push"], f"{where}.push")
        try:
            subscription = checked_subscription(
                _field(app, "appKey", where),
                _field(push, "url", f"{where}.push"),
                _field(push, "token", f"{where}.push"),
                _field(push, "aesKey", f"{where}.push"),
            )
        except InvalidRequest as bad:
            raise errors.invalid_seed(f"{where}.push: {bad.message}") from None
        async with self._store.write() as tx:
            await SubscriberTables(tx.conn).put_push_subscription(subscription)

    async def add_suite(
        self, suite_key: str, secret: str, authorized_corps: Iterable[str], scopes: Iterable[str]
    ) -> Suite:
        """Create or update a third-party suite; a changed secret revokes its tokens."""
        corps = frozenset(authorized_corps)
        for corp_id in sorted(corps):
            await self._require_org(corp_id)
        existing = await OrgTables(self._store.reader).get_suite(suite_key)
        same_secret = existing is not None and await verify_secret(secret, existing.secret_hash)
        secret_hash = existing.secret_hash if existing and same_secret else hash_secret(secret)
        suite = Suite(suite_key, secret_hash, known_scopes(scopes), corps)
        async with self._store.write() as tx:
            await OrgTables(tx.conn).upsert_suite(suite)
            if existing is not None and not same_secret:
                await TokenTables(tx.conn).delete_tokens("suite", suite_key)
        return suite

    async def answers_to(self, app_key: str, secret: str) -> bool | None:
        """Whether ``secret`` is the app's secret (compared in constant time); None:
        there is no such app."""
        app = await OrgTables(self._store.reader).get_app(app_key)
        if app is None:
            return None
        return await verify_secret(secret, app.secret_hash)

    async def reset_secret(self, app_key: str, secret: str) -> App:
        """Give an existing internal app a new secret; its tokens are revoked.

        Raises:
            InvalidRequest: ``unknownApp`` when there is no such app.
        """
        existing = await OrgTables(self._store.reader).get_app(app_key)
        if existing is None:
            raise errors.unknown_app(f"no app {app_key!r}")
        return (await self.add_app(existing.corp_id, app_key, secret, existing.scopes)).app

    async def revoke_tokens(self, app_key: str) -> int:
        """Revoke every token of an internal app; return how many there were.

        Raises:
            NotFound: ``appNotFound`` when there is no such app.
        """
        if await OrgTables(self._store.reader).get_app(app_key) is None:
            raise errors.app_not_found(f"no app {app_key!r}")
        async with self._store.write() as tx:
            return await TokenTables(tx.conn).delete_tokens("app", app_key)

    async def load_seed(self, document: object) -> SeedSummary:
        """Apply a seed document (the shape in the README); idempotent.

        Raises:
            InvalidRequest: ``invalidSeed`` naming the first malformed entry.
        """
        _check_keys(document)
        seed = _mapping(document, "seed")
        orgs = users = apps = suites = 0
        for i, raw_org in enumerate(_list(seed, "orgs", "seed")):
            where = f"orgs[{i}]"
            org = _mapping(raw_org, where)
            corp_id = _field(org, "corpId", where)
            await self.add_org(corp_id, str(org.get("name", corp_id)))
            orgs += 1
            for j, raw_user in enumerate(_list(org, "users", where)):
                user = _mapping(raw_user, f"{where}.users[{j}]")
                union_id = _field(user, "unionId", f"{where}.users[{j}]")
                await self.add_user(
                    corp_id,
                    union_id,
                    str(user.get("nick", union_id)),
                    user.get("userId"),
                    user.get("jobNumber"),
                    user.get("deptName"),
                )
                users += 1
            for j, raw_app in enumerate(_list(org, "apps", where)):
                app_where = f"{where}.apps[{j}]"
                app = _mapping(raw_app, app_where)
                await self.add_app(
                    corp_id,
                    _field(app, "appKey", app_where),
                    _field(app, "appSecret", app_where),
                    _scopes(app, app_where),
                )
                if app.get("push") is not None:
                    await self._seed_push(app, app_where)
                apps += 1
        for i, raw_suite in enumerate(_list(seed, "suites", "seed")):
            where = f"suites[{i}]"
            suite = _mapping(raw_suite, where)
            corps = _list(suite, "authorizedCorps", where)
            await self.add_suite(
                _field(suite, "suiteKey", where),
                _field(suite, "suiteSecret", where),
                [str(c) for c in corps],
                _scopes(suite, where),
            )
            suites += 1
        return SeedSummary(orgs, users, apps, suites)
