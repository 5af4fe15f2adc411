"""Counting the statements requests run on the real drivers' connections.

Only statements run in a context where :data:`COUNTING` is set count: the
requests a test makes copy it into their tasks, while the app's background
tasks (the dispatcher polling the outbox, the sweepers) run in contexts of
their own, so a poll that happens to fall inside the counted calls on a slow
machine is not counted. Each statement is one round trip on PostgreSQL.
"""

from contextvars import ContextVar
from typing import Any

import pytest

from dingconf.db import postgres as postgres_driver
from dingconf.db import sqlite as sqlite_driver

COUNTING: ContextVar[bool] = ContextVar("counting", default=False)


def count_statements(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A counter (its one item) of the statements counted requests run, BEGIN and COMMIT aside."""
    counted = [0]
    for connection in (sqlite_driver._SQLiteConnection, postgres_driver._PgConnection):
        for name in ("execute", "fetchone", "fetchall"):
            original = getattr(connection, name)

            async def counting(self: Any, *args: Any, _original: Any = original) -> Any:
                counted[0] += COUNTING.get()
                return await _original(self, *args)

            monkeypatch.setattr(connection, name, counting)
    return counted
