"""SQL for the accounts tokens and meetings belong to, and for the tokens themselves.

Tables orgs, users, apps, suites and suite_corps (:class:`OrgTables`), tokens
and auth_epoch (:class:`TokenTables`). A write that may change what a live
token means (an app's or suite's secret or scopes, an authorisation, a
revocation) moves the auth epoch in the same transaction, so every process's
token cache empties at its next use.
"""

from dingconf.core.records import App, Org, Principal, Suite, TokenRecord, User
from dingconf.db.driver import Connection, Row
from dingconf.db.table import Table

#: The people of an organisation.
USERS = Table(
    "users",
    "users",
    ("corp_id", "union_id", "nick", "user_id", "job_number", "dept_name"),
    ("union_id",),
    False,
)

#: An organisation's internal apps (their secrets hashed).
APPS = Table("apps", "apps", ("app_key", "corp_id", "secret_hash", "scopes"), ("app_key",), False)

#: The columns of a third-party suite (shared by organisations: no :class:`Table`).
SUITE_COLUMNS = ("suite_key", "secret_hash", "scopes")

__all__ = ["APPS", "SUITE_COLUMNS", "USERS", "OrgTables", "TokenTables"]

_USER_COLUMNS = ", ".join(USERS.columns)
_APP_COLUMNS = ", ".join(APPS.columns)
_TOKEN_COLUMNS = ", ".join(
    ("token_hash", "client_kind", "client_key", "corp_id", "expires_at", "nonce")
)


def _scopes_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _scopes_text(scopes: frozenset[str]) -> str:
    return " ".join(sorted(scopes))


def _user_of(row: Row) -> User:
    return User(*row)


def _app_of(row: Row) -> App:
    return App(app_key=row[0], corp_id=row[1], secret_hash=row[2], scopes=_scopes_of(row[3]))


class OrgTables:
    """SQL for organisations, their users and apps, and suites (tables orgs, users,
    apps, suites, suite_corps)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get_org(self, corp_id: str) -> Org | None:
        """Read an organisation."""
        row = await self._conn.fetchone(
            "SELECT corp_id, name FROM orgs WHERE corp_id = ?", (corp_id,)
        )
        return Org(*row) if row else None

    async def list_orgs(self) -> list[Org]:
        """All organisations, by corpId."""
        rows = await self._conn.fetchall("SELECT corp_id, name FROM orgs ORDER BY corp_id")
        return [Org(*row) for row in rows]

    async def org_ids(self) -> list[str]:
        """Every organisation's corpId."""
        return [row[0] for row in await self._conn.fetchall("SELECT corp_id FROM orgs")]

    async def upsert_org(self, org: Org) -> None:
        """Insert or rename an organisation."""
        await self._conn.execute(
            "INSERT INTO orgs (corp_id, name) VALUES (?, ?) "
            "ON CONFLICT (corp_id) DO UPDATE SET name = excluded.name",
            (org.corp_id, org.name),
        )

    async def get_user(self, corp_id: str, union_id: str) -> User | None:
        """Read a user of an organisation."""
        row = await self._conn.fetchone(
            f"SELECT {_USER_COLUMNS} FROM users WHERE corp_id = ? AND union_id = ?",
            (corp_id, union_id),
        )
        return _user_of(row) if row else None

    async def list_users(self, corp_id: str) -> list[User]:
        """The users of an organisation, by unionId."""
        rows = await self._conn.fetchall(
            f"SELECT {_USER_COLUMNS} FROM users WHERE corp_id = ? ORDER BY union_id", (corp_id,)
        )
        return [_user_of(row) for row in rows]

    async def upsert_user(self, user: User) -> None:
        """Insert or update a user of an organisation."""
        await self._conn.execute(
            f"INSERT INTO users ({_USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (corp_id, union_id) DO UPDATE SET "
            "nick = excluded.nick, user_id = excluded.user_id, "
            "job_number = excluded.job_number, dept_name = excluded.dept_name",
            tuple(user),
        )

    async def get_app(self, app_key: str) -> App | None:
        """Read an internal app."""
        row = await self._conn.fetchone(
            f"SELECT {_APP_COLUMNS} FROM apps WHERE app_key = ?", (app_key,)
        )
        return _app_of(row) if row else None

    async def list_apps(self, corp_id: str) -> list[App]:
        """The apps of an organisation, by appKey."""
        rows = await self._conn.fetchall(
            f"SELECT {_APP_COLUMNS} FROM apps WHERE corp_id = ? ORDER BY app_key", (corp_id,)
        )
        return [_app_of(row) for row in rows]

    async def app_keys(self, corp_id: str) -> list[str]:
        """The appKeys of an organisation's internal apps."""
        rows = await self._conn.fetchall("SELECT app_key FROM apps WHERE corp_id = ?", (corp_id,))
        return [row[0] for row in rows]

    async def upsert_app(self, app: App) -> None:
        """Insert or update an internal app; a change moves the auth epoch."""
        # The WHERE makes an identical upsert a no-op, so reloading a seed
        # neither rewrites rows nor invalidates token caches.
        changed = await self._conn.execute(
            f"INSERT INTO apps ({_APP_COLUMNS}) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (app_key) DO UPDATE SET corp_id = excluded.corp_id, "
            "secret_hash = excluded.secret_hash, scopes = excluded.scopes "
            "WHERE apps.corp_id <> excluded.corp_id OR apps.secret_hash <> excluded.secret_hash "
            "OR apps.scopes <> excluded.scopes",
            (app.app_key, app.corp_id, app.secret_hash, _scopes_text(app.scopes)),
        )
        if changed:
            await TokenTables(self._conn).bump_epoch()

    async def get_suite(self, suite_key: str) -> Suite | None:
        """Read a third-party suite with the organisations that authorised it."""
        row = await self._conn.fetchone(
            f"SELECT {', '.join(SUITE_COLUMNS)} FROM suites WHERE suite_key = ?", (suite_key,)
        )
        if row is None:
            return None
        corps = await self._conn.fetchall(
            "SELECT corp_id FROM suite_corps WHERE suite_key = ?", (suite_key,)
        )
        return Suite(row[0], row[1], _scopes_of(row[2]), frozenset(c[0] for c in corps))

    async def upsert_suite(self, suite: Suite) -> None:
        """Insert or update a suite and replace its authorised corps; a change moves the
        auth epoch."""
        changed = await self._conn.execute(
            f"INSERT INTO suites ({', '.join(SUITE_COLUMNS)}) VALUES (?, ?, ?) "
            "ON CONFLICT (suite_key) DO UPDATE SET secret_hash = excluded.secret_hash, "
            "scopes = excluded.scopes "
            "WHERE suites.secret_hash <> excluded.secret_hash OR suites.scopes <> excluded.scopes",
            (suite.suite_key, suite.secret_hash, _scopes_text(suite.scopes)),
        )
        rows = await self._conn.fetchall(
            "SELECT corp_id FROM suite_corps WHERE suite_key = ?", (suite.suite_key,)
        )
        current = {row[0] for row in rows}
        for corp_id in sorted(current - suite.authorized_corps):
            changed += await self._conn.execute(
                "DELETE FROM suite_corps WHERE suite_key = ? AND corp_id = ?",
                (suite.suite_key, corp_id),
            )
        for corp_id in sorted(suite.authorized_corps - current):
            changed += await self._conn.execute(
                "INSERT INTO suite_corps (suite_key, corp_id) VALUES (?, ?)",
                (suite.suite_key, corp_id),
            )
        if changed:
            await TokenTables(self._conn).bump_epoch()


class TokenTables:
    """SQL for access tokens (stored by hash) and the auth epoch (tables tokens, auth_epoch)."""

    __slots__ = ("_conn", "_row_lock")

    def __init__(self, conn: Connection, row_lock: str = "") -> None:
        """``row_lock``: the transaction's row-lock clause, for the methods that lock."""
        self._conn = conn
        self._row_lock = row_lock

    async def lock_epoch(self) -> None:
        """Hold the auth epoch's row until the transaction ends (one writer at a time)."""
        await self._conn.fetchone("SELECT epoch FROM auth_epoch WHERE id = 1" + self._row_lock)

    async def bump_epoch(self) -> None:
        """Move the auth epoch: every process's token cache empties at its next use."""
        await self._conn.execute("UPDATE auth_epoch SET epoch = epoch + 1 WHERE id = 1")

    async def resolve_token(self, token_hash: str) -> tuple[Principal, int] | None:
        """Who a token acts for, with the client's *current* scopes, and its expiry."""
        # The scopes come from the app or suite now, not from when the token was
        # issued, so a scope change applies to live tokens at once. A suite token
        # stops working when the corp withdraws its authorisation.
        row = await self._conn.fetchone(
            "SELECT t.corp_id, t.client_key, t.expires_at, COALESCE(a.scopes, s.scopes) "
            "FROM tokens t "
            "LEFT JOIN apps a ON t.client_kind = 'app' AND a.app_key = t.client_key "
            "AND a.corp_id = t.corp_id "
            "LEFT JOIN suites s ON t.client_kind = 'suite' AND s.suite_key = t.client_key "
            "AND EXISTS (SELECT 1 FROM suite_corps sc WHERE sc.suite_key = s.suite_key "
            "AND sc.corp_id = t.corp_id) "
            "WHERE t.token_hash = ?",
            (token_hash,),
        )
        if row is None or row[3] is None:
            return None
        return Principal(corp_id=row[0], client_key=row[1], scopes=_scopes_of(row[3])), row[2]

    async def put_token(self, token: TokenRecord) -> None:
        """Store a new access token record."""
        await self._conn.execute(
            f"INSERT INTO tokens ({_TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)", tuple(token)
        )

    async def purge_tokens(self, expired_before_ms: int) -> int:
        """Delete tokens that expired before the time; return how many."""
        return await self._conn.execute(
            "DELETE FROM tokens WHERE expires_at < ?", (expired_before_ms,)
        )

    async def lock_app(self, app_key: str) -> None:
        """Hold an app's row until the transaction ends: two concurrent token requests
        of one app then agree on one token."""
        await self._conn.fetchone(
            "SELECT 1 FROM apps WHERE app_key = ?" + self._row_lock, (app_key,)
        )

    async def find_live_token(
        self, client_kind: str, client_key: str, corp_id: str, now_ms: int
    ) -> TokenRecord | None:
        """The newest unexpired token of a client for a corp, if any."""
        row = await self._conn.fetchone(
            f"SELECT {_TOKEN_COLUMNS} FROM tokens "
            "WHERE client_kind = ? AND client_key = ? AND corp_id = ? AND expires_at > ? "
            "ORDER BY expires_at DESC LIMIT 1",
            (client_kind, client_key, corp_id, now_ms),
        )
        return TokenRecord(*row) if row else None

    async def extend_token(self, token_hash: str, expires_at_ms: int) -> None:
        """Move a token's expiry."""
        await self._conn.execute(
            "UPDATE tokens SET expires_at = ? WHERE token_hash = ?", (expires_at_ms, token_hash)
        )

    async def delete_tokens(self, client_kind: str, client_key: str) -> int:
        """Revoke every token of a client (moving the auth epoch); return how many there were."""
        deleted = await self._conn.execute(
            "DELETE FROM tokens WHERE client_kind = ? AND client_key = ?",
            (client_kind, client_key),
        )
        await self.bump_epoch()
        return deleted
