"""Row mapping for the SQL store: column lists, rows to records, records to parameters.

Shared by the store's reads (:mod:`.sql`) and its write transactions
(:mod:`.sql_tx`), so both read the same columns the same way.
"""

from dingconf.core.records import App, User
from dingconf.db.driver import Connection, Row

__all__ = [
    "app_of",
    "bump_auth_epoch",
    "scopes_of",
    "select_user",
    "user_of",
]


def scopes_of(text: str) -> frozenset[str]:
    return frozenset(text.split())


def user_of(row: Row) -> User:
    return User(
        corp_id=row[0],
        union_id=row[1],
        nick=row[2],
        user_id=row[3],
        job_number=row[4],
        dept_name=row[5],
    )


def app_of(row: Row) -> App:
    return App(app_key=row[0], corp_id=row[1], secret_hash=row[2], scopes=scopes_of(row[3]))


async def select_user(conn: Connection, corp_id: str, union_id: str) -> User | None:
    row = await conn.fetchone(
        "SELECT corp_id, union_id, nick, user_id, job_number, dept_name FROM users "
        "WHERE corp_id = ? AND union_id = ?",
        (corp_id, union_id),
    )
    return user_of(row) if row else None


async def bump_auth_epoch(conn: Connection) -> None:
    """Move the auth epoch: every process's token cache empties at its next use."""
    await conn.execute("UPDATE auth_epoch SET epoch = epoch + 1 WHERE id = 1")
