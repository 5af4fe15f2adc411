-- The remaining in-meeting features: live streams out, focus/ext info/subtitle
-- flags, the organisation's recording whitelist, auto-login and short links.
-- Portable SQL: the same file runs on SQLite and PostgreSQL.
-- depends: 0003.lifecycle

-- seq: the order streams were started in, from 1 per meeting.
CREATE TABLE stream_outs (
    stream_id TEXT PRIMARY KEY,
    conference_id TEXT NOT NULL REFERENCES conferences (conference_id),
    seq INTEGER NOT NULL,
    url TEXT NOT NULL,
    name TEXT NOT NULL,
    mode TEXT NOT NULL,
    window_position TEXT NOT NULL,
    need_host_join INTEGER NOT NULL,
    started_by TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    stopped_at BIGINT
);
CREATE UNIQUE INDEX stream_outs_by_conference ON stream_outs (conference_id, seq);

CREATE TABLE conference_extras (
    conference_id TEXT PRIMARY KEY REFERENCES conferences (conference_id),
    focus_union_id TEXT,
    ext_info TEXT,
    subtitle_events INTEGER NOT NULL DEFAULT 0
);

-- biz_type: cloud_record or local_record.
CREATE TABLE record_whitelist (
    corp_id TEXT NOT NULL REFERENCES orgs (corp_id),
    biz_type TEXT NOT NULL,
    union_id TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (corp_id, biz_type, union_id)
);

-- Auto-login URLs act as credentials: only the SHA-256 of their token is kept.
CREATE TABLE login_links (
    token_hash TEXT PRIMARY KEY,
    corp_id TEXT NOT NULL REFERENCES orgs (corp_id),
    union_id TEXT NOT NULL,
    target TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE short_links (
    code TEXT PRIMARY KEY,
    corp_id TEXT NOT NULL REFERENCES orgs (corp_id),
    schedule_conference_id TEXT NOT NULL,
    creator_id TEXT NOT NULL,
    cool_app_code TEXT NOT NULL,
    biz_data TEXT,
    use_extension_app INTEGER NOT NULL,
    target TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
