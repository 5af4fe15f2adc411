-- The test toolkit's shared state (service.state): one clock for every
-- process on the database, and the accounts the server started with, which
-- a reset goes back to.
-- Portable SQL: the same file runs on SQLite and PostgreSQL.

-- now = frozen_ms when frozen, else the system time plus offset_ms.
CREATE TABLE clock_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    offset_ms BIGINT NOT NULL,
    frozen_ms BIGINT
);
INSERT INTO clock_state (id, offset_ms, frozen_ms) VALUES (1, 0, NULL);

-- A dingconf-state document (docs/state-format.md) holding the seed's
-- organisations, users, apps (secret hashes only) and suites.
CREATE TABLE state_baseline (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    document TEXT NOT NULL
);
