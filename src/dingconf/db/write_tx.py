"""Write transactions of the SQL store: every change, with the counters it moves."""

from dingconf.control.state_tables import StateWrites
from dingconf.core.records import (
    App,
    Org,
    Suite,
    TokenRecord,
    User,
)
from dingconf.db.driver import Connection
from dingconf.db.rows import (
    bump_auth_epoch,
    select_user,
)
from dingconf.db.store import WriteTx

__all__ = ["SqlWriteTx"]


class SqlWriteTx(
    StateWrites,
    WriteTx,
):
    """Write operations on the connection that holds the transaction."""

    def __init__(self, conn: Connection, row_lock: str) -> None:
        self._conn = conn
        self._row_lock = row_lock

    @property
    def conn(self) -> Connection:
        return self._conn

    @property
    def row_lock(self) -> str:
        return self._row_lock

    async def get_user(self, corp_id: str, union_id: str) -> User | None:
        return await select_user(self._conn, corp_id, union_id)

    async def org_ids(self) -> list[str]:
        return [row[0] for row in await self._conn.fetchall("SELECT corp_id FROM orgs")]

    async def app_keys(self, corp_id: str) -> list[str]:
        rows = await self._conn.fetchall("SELECT app_key FROM apps WHERE corp_id = ?", (corp_id,))
        return [row[0] for row in rows]

    async def _bump_auth_epoch(self) -> None:
        await bump_auth_epoch(self._conn)

    async def upsert_org(self, org: Org) -> None:
        await self._conn.execute(
            "INSERT INTO orgs (corp_id, name) VALUES (?, ?) "
            "ON CONFLICT (corp_id) DO UPDATE SET name = excluded.name",
            (org.corp_id, org.name),
        )

    async def upsert_user(self, user: User) -> None:
        await self._conn.execute(
            "INSERT INTO users (corp_id, union_id, nick, user_id, job_number, dept_name) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (corp_id, union_id) DO UPDATE SET "
            "nick = excluded.nick, user_id = excluded.user_id, "
            "job_number = excluded.job_number, dept_name = excluded.dept_name",
            (user.corp_id, user.union_id, user.nick, user.user_id, user.job_number, user.dept_name),
        )

    async def upsert_app(self, app: App) -> None:
        # The WHERE makes an identical upsert a no-op, so reloading a seed
        # neither rewrites rows nor invalidates token caches.
        changed = await self._conn.execute(
            "INSERT INTO apps (app_key, corp_id, secret_hash, scopes) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (app_key) DO UPDATE SET corp_id = excluded.corp_id, "
            "secret_hash = excluded.secret_hash, scopes = excluded.scopes "
            "WHERE apps.corp_id <> excluded.corp_id OR apps.secret_hash <> excluded.secret_hash "
            "OR apps.scopes <> excluded.scopes",
            (app.app_key, app.corp_id, app.secret_hash, " ".join(sorted(app.scopes))),
        )
        if changed:
            await self._bump_auth_epoch()

    async def upsert_suite(self, suite: Suite) -> None:
        changed = await self._conn.execute(
            "INSERT INTO suites (suite_key, secret_hash, scopes) VALUES (?, ?, ?) "
            "ON CONFLICT (suite_key) DO UPDATE SET secret_hash = excluded.secret_hash, "
            "scopes = excluded.scopes "
            "WHERE suites.secret_hash <> excluded.secret_hash OR suites.scopes <> excluded.scopes",
            (suite.suite_key, suite.secret_hash, " ".join(sorted(suite.scopes))),
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
            await self._bump_auth_epoch()

    async def purge_tokens(self, expired_before_ms: int) -> int:
        return await self._conn.execute(
            "DELETE FROM tokens WHERE expires_at < ?", (expired_before_ms,)
        )

    async def put_token(self, token: TokenRecord) -> None:
        await self._conn.execute(
            "INSERT INTO tokens (token_hash, client_kind, client_key, corp_id, expires_at, nonce) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                token.token_hash,
                token.client_kind,
                token.client_key,
                token.corp_id,
                token.expires_at_ms,
                token.nonce,
            ),
        )

    async def find_live_token(
        self, client_kind: str, client_key: str, corp_id: str, now_ms: int
    ) -> TokenRecord | None:
        if client_kind == "app":
            # Two concurrent requests of one app must agree on one token.
            await self._conn.fetchone(
                "SELECT 1 FROM apps WHERE app_key = ?" + self._row_lock, (client_key,)
            )
        row = await self._conn.fetchone(
            "SELECT token_hash, client_kind, client_key, corp_id, expires_at, nonce FROM tokens "
            "WHERE client_kind = ? AND client_key = ? AND corp_id = ? AND expires_at > ? "
            "ORDER BY expires_at DESC LIMIT 1",
            (client_kind, client_key, corp_id, now_ms),
        )
        return TokenRecord(*row) if row else None

    async def extend_token(self, token_hash: str, expires_at_ms: int) -> None:
        await self._conn.execute(
            "UPDATE tokens SET expires_at = ? WHERE token_hash = ?", (expires_at_ms, token_hash)
        )

    async def delete_tokens(self, client_kind: str, client_key: str) -> int:
        deleted = await self._conn.execute(
            "DELETE FROM tokens WHERE client_kind = ? AND client_key = ?",
            (client_kind, client_key),
        )
        await self._bump_auth_epoch()
        return deleted
