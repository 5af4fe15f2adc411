"""The database: drivers (SQLite, PostgreSQL), migrations, transactions and caches."""
