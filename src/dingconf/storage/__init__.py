"""Storage: one async interface (:mod:`.base`), with SQLite and PostgreSQL behind it."""
