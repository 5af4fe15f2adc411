-- The foundation schema: organisations, people, apps, tokens and meetings.
-- Portable SQL: the same file runs on SQLite and PostgreSQL.

CREATE TABLE orgs (
    corp_id TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE users (
    corp_id TEXT NOT NULL REFERENCES orgs (corp_id),
    union_id TEXT NOT NULL,
    nick TEXT NOT NULL,
    user_id TEXT,
    job_number TEXT,
    PRIMARY KEY (corp_id, union_id)
);

-- Secrets are stored only as salted scrypt hashes; scopes as space-separated text.
CREATE TABLE apps (
    app_key TEXT PRIMARY KEY,
    corp_id TEXT NOT NULL REFERENCES orgs (corp_id),
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL
);

CREATE TABLE suites (
    suite_key TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL
);

CREATE TABLE suite_corps (
    suite_key TEXT NOT NULL REFERENCES suites (suite_key),
    corp_id TEXT NOT NULL REFERENCES orgs (corp_id),
    PRIMARY KEY (suite_key, corp_id)
);

-- Tokens are looked up by their SHA-256; the plain token is never stored.
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    client_kind TEXT NOT NULL,
    client_key TEXT NOT NULL,
    corp_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    nonce TEXT NOT NULL
);
CREATE INDEX tokens_by_client ON tokens (client_kind, client_key, corp_id, expires_at);

-- Counters are kept in the meeting row, moved only in the transaction that
-- changes the participants, so the query reads one row.
CREATE TABLE conferences (
    conference_id TEXT PRIMARY KEY,
    corp_id TEXT NOT NULL REFERENCES orgs (corp_id),
    title TEXT NOT NULL,
    biz_type TEXT NOT NULL,
    status INTEGER NOT NULL,
    room_code TEXT NOT NULL,
    external_link_url TEXT NOT NULL,
    creator_id TEXT NOT NULL,
    creator_nick TEXT NOT NULL,
    host_id TEXT NOT NULL,
    start_time BIGINT NOT NULL,
    end_time BIGINT,
    schedule_conference_id TEXT,
    active_num INTEGER NOT NULL DEFAULT 0,
    attend_num INTEGER NOT NULL DEFAULT 0,
    invited_num INTEGER NOT NULL DEFAULT 0,
    cloud_record_status INTEGER NOT NULL DEFAULT 0,
    cloud_record_owner TEXT,
    extension_apps TEXT NOT NULL DEFAULT '[]',
    CHECK (active_num >= 0 AND active_num <= attend_num)
);
-- A roomCode is unique among meetings that have not ended (spec §6).
CREATE UNIQUE INDEX conferences_live_room_code ON conferences (room_code) WHERE status <> 1;
CREATE INDEX conferences_by_org ON conferences (corp_id, status, start_time);

CREATE TABLE participants (
    conference_id TEXT NOT NULL REFERENCES conferences (conference_id),
    union_id TEXT NOT NULL,
    nick TEXT NOT NULL,
    attend_status INTEGER NOT NULL,
    first_join BIGINT,
    last_join BIGINT,
    leave_time BIGINT,
    duration BIGINT NOT NULL DEFAULT 0,
    sessions INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conference_id, union_id)
);

-- One row per stay in the meeting: the join/leave history of each person.
CREATE TABLE participant_sessions (
    conference_id TEXT NOT NULL,
    union_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    join_time BIGINT NOT NULL,
    leave_time BIGINT,
    PRIMARY KEY (conference_id, union_id, seq),
    FOREIGN KEY (conference_id, union_id) REFERENCES participants (conference_id, union_id)
);

CREATE TABLE invitations (
    conference_id TEXT NOT NULL REFERENCES conferences (conference_id),
    union_id TEXT NOT NULL,
    nick TEXT NOT NULL,
    invited_by TEXT NOT NULL,
    invited_at BIGINT NOT NULL,
    PRIMARY KEY (conference_id, union_id)
);
