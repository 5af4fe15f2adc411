"""Numbered SQL migrations (``migrations/NNNN.name.sql``) applied with yoyo.

yoyo records each applied migration in ``_yoyo_migration`` (the schema version)
and holds a lock while applying, so several processes starting at once apply
each migration exactly once.
"""

from pathlib import Path

from yoyo import get_backend, read_migrations

__all__ = ["MIGRATIONS_DIR", "apply_migrations"]

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def apply_migrations(yoyo_uri: str, lock_timeout_s: float = 60) -> list[str]:
    """Apply pending migrations; return the ids of those applied now."""
    backend = get_backend(yoyo_uri)
    try:
        migrations = read_migrations(str(MIGRATIONS_DIR))
        with backend.lock(timeout=lock_timeout_s):
            pending = backend.to_apply(migrations)
            backend.apply_migrations(pending)
        return [m.id for m in pending]
    finally:
        backend.connection.close()
