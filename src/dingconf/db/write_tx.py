"""Write transactions of the SQL store: every change, with the counters it moves."""

from dingconf.db.driver import Connection
from dingconf.db.store import WriteTx

__all__ = ["SqlWriteTx"]


class SqlWriteTx(
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
