"""The change log: which cached rows each commit changed (SQLite only).

A process keeps meetings, the shared clock and the auth epoch between
requests while nothing commits. Voiding all of them at every commit made a
load with any writes re-read every meeting; with this log a moved commit
marker voids only the rows named since it was last read (storage/sql_changes.py).
Triggers fill it, so no write path can forget to. PostgreSQL keeps nothing
between requests (it has no commit marker), so it needs no log, and its
trigger syntax differs: a Python migration, so that it applies to SQLite only.
"""

from typing import Any

from yoyo import step

__depends__ = {"0017.presence"}

_STATEMENTS = [
    "CREATE TABLE cache_changes (seq INTEGER PRIMARY KEY, key TEXT NOT NULL)",
    "CREATE TRIGGER cache_changes_conference_update AFTER UPDATE ON conferences "
    "BEGIN INSERT INTO cache_changes (key) VALUES (OLD.conference_id); END",
    "CREATE TRIGGER cache_changes_conference_delete AFTER DELETE ON conferences "
    "BEGIN INSERT INTO cache_changes (key) VALUES (OLD.conference_id); END",
    "CREATE TRIGGER cache_changes_clock_state_insert AFTER INSERT ON clock_state "
    "BEGIN INSERT INTO cache_changes (key) VALUES ('#clock_state'); END",
    "CREATE TRIGGER cache_changes_clock_state_update AFTER UPDATE ON clock_state "
    "BEGIN INSERT INTO cache_changes (key) VALUES ('#clock_state'); END",
    "CREATE TRIGGER cache_changes_clock_state_delete AFTER DELETE ON clock_state "
    "BEGIN INSERT INTO cache_changes (key) VALUES ('#clock_state'); END",
    "CREATE TRIGGER cache_changes_auth_epoch_insert AFTER INSERT ON auth_epoch "
    "BEGIN INSERT INTO cache_changes (key) VALUES ('#auth_epoch'); END",
    "CREATE TRIGGER cache_changes_auth_epoch_update AFTER UPDATE ON auth_epoch "
    "BEGIN INSERT INTO cache_changes (key) VALUES ('#auth_epoch'); END",
    "CREATE TRIGGER cache_changes_auth_epoch_delete AFTER DELETE ON auth_epoch "
    "BEGIN INSERT INTO cache_changes (key) VALUES ('#auth_epoch'); END",
    # The newest 100,000 rows are enough (a process that fell further behind
    # drops everything it kept), pruned in steps of 1,000 rather than a row per change.
    "CREATE TRIGGER cache_changes_prune AFTER INSERT ON cache_changes WHEN NEW.seq % 1000 = 0 "
    "BEGIN DELETE FROM cache_changes WHERE seq <= NEW.seq - 100000; END",
]


def _apply(conn: Any) -> None:
    if type(conn).__module__ != "sqlite3":
        return
    for statement in _STATEMENTS:
        conn.execute(statement)


steps = [step(_apply)]
