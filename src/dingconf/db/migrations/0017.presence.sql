-- People inside a meeting through its join page (service/presence.py): one
-- row per person and meeting while the page beats. Only the presence id's
-- hash is kept. Every process sweeps rows whose last beat is older than the
-- presence timeout; a conditional DELETE decides which process makes the
-- person leave. Portable SQL: the same file runs on SQLite and PostgreSQL.
CREATE TABLE presences (
    presence_hash TEXT PRIMARY KEY,
    conference_id TEXT NOT NULL,
    corp_id TEXT NOT NULL,
    union_id TEXT NOT NULL,
    nick TEXT NOT NULL,
    joined_at_ms BIGINT NOT NULL,
    last_beat_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX presences_member ON presences (conference_id, union_id);
CREATE INDEX presences_last_beat ON presences (last_beat_ms);
