"""SQL for the links dingconf serves and the recording whitelist (:mod:`dingconf.links.service`).

Auto-login links, custom short links and the accounts an organisation lets record.
"""

from dingconf.db.driver import Connection, Row
from dingconf.db.table import Table
from dingconf.streams.records import LoginLink, ShortLink

__all__ = ["LOGIN_LINK_COLUMNS", "RECORD_WHITELIST", "SHORT_LINKS", "LinkTables"]

RECORD_WHITELIST = Table(
    "record_whitelist",
    "recordWhitelist",
    ("corp_id", "biz_type", "union_id", "added_by", "added_at"),
    ("biz_type", "union_id"),
    False,
)
SHORT_LINKS = Table(
    "short_links",
    "shortLinks",
    (
        "code",
        "corp_id",
        "schedule_conference_id",
        "creator_id",
        "cool_app_code",
        "biz_data",
        "use_extension_app",
        "target",
        "created_at",
    ),
    ("code",),
    False,
)
#: One-use credentials: no state document carries them, so no :class:`Table`.
LOGIN_LINK_COLUMNS = ("token_hash", "corp_id", "union_id", "target", "expires_at", "used_at")


def _placeholders(columns: tuple[str, ...]) -> str:
    return ", ".join("?" * len(columns))


def _short_link_of(row: Row) -> ShortLink:
    code, corp_id, schedule_id, creator_id, cool_app_code, biz_data, use_app, target, at = row
    return ShortLink(
        code, corp_id, schedule_id, creator_id, cool_app_code, biz_data, bool(use_app), target, at
    )


class LinkTables:
    """SQL for auto-login links, short links and the recording whitelist
    (tables login_links, short_links, record_whitelist)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def insert_login_link(self, link: LoginLink) -> None:
        """Store an auto-login link (by its token's hash)."""
        await self._conn.execute(
            f"INSERT INTO login_links ({', '.join(LOGIN_LINK_COLUMNS)}) "
            f"VALUES ({_placeholders(LOGIN_LINK_COLUMNS)})",
            tuple(link),
        )

    async def get_login_link(self, token_hash: str) -> LoginLink | None:
        """An auto-login link by its token's hash."""
        row = await self._conn.fetchone(
            f"SELECT {', '.join(LOGIN_LINK_COLUMNS)} FROM login_links WHERE token_hash = ?",
            (token_hash,),
        )
        return LoginLink(*row) if row else None

    async def use_login_link(self, token_hash: str, at_ms: int) -> bool:
        """Mark an auto-login link used at ``at_ms``; False when it was already used."""
        changed = await self._conn.execute(
            "UPDATE login_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL",
            (at_ms, token_hash),
        )
        return changed == 1

    async def insert_short_link(self, link: ShortLink) -> None:
        """Store a short link."""
        params = (*link[:6], int(link.use_extension_app), link.target, link.created_at_ms)
        await self._conn.execute(
            f"INSERT INTO short_links ({', '.join(SHORT_LINKS.columns)}) "
            f"VALUES ({_placeholders(SHORT_LINKS.columns)})",
            params,
        )

    async def get_short_link(self, code: str) -> ShortLink | None:
        """A short link by its code."""
        row = await self._conn.fetchone(
            f"SELECT {', '.join(SHORT_LINKS.columns)} FROM short_links WHERE code = ?", (code,)
        )
        return _short_link_of(row) if row else None

    async def add_to_record_whitelist(
        self, corp_id: str, biz_type: str, union_ids: list[str], by: str, at_ms: int
    ) -> None:
        """Add accounts to an organisation's recording whitelist (present ones stay)."""
        for union_id in union_ids:
            await self._conn.execute(
                f"INSERT INTO record_whitelist ({', '.join(RECORD_WHITELIST.columns)}) "
                f"VALUES ({_placeholders(RECORD_WHITELIST.columns)}) "
                "ON CONFLICT (corp_id, biz_type, union_id) DO NOTHING",
                (corp_id, biz_type, union_id, by, at_ms),
            )

    async def remove_from_record_whitelist(
        self, corp_id: str, biz_type: str, union_ids: list[str]
    ) -> None:
        """Remove accounts from an organisation's recording whitelist."""
        for union_id in union_ids:
            await self._conn.execute(
                "DELETE FROM record_whitelist WHERE corp_id = ? AND biz_type = ? AND union_id = ?",
                (corp_id, biz_type, union_id),
            )

    async def on_record_whitelist(self, corp_id: str, biz_type: str, union_id: str) -> bool:
        """Whether an account is on an organisation's recording whitelist."""
        row = await self._conn.fetchone(
            "SELECT 1 FROM record_whitelist WHERE corp_id = ? AND biz_type = ? AND union_id = ?",
            (corp_id, biz_type, union_id),
        )
        return row is not None

    async def record_whitelist(self, corp_id: str, biz_type: str) -> list[str]:
        """The accounts on an organisation's recording whitelist, by unionId."""
        rows = await self._conn.fetchall(
            "SELECT union_id FROM record_whitelist WHERE corp_id = ? AND biz_type = ? "
            "ORDER BY union_id",
            (corp_id, biz_type),
        )
        return [str(row[0]) for row in rows]
