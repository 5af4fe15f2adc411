-- Devices, network quality and departments (model.analytics).
-- Portable SQL: the same file runs on SQLite and PostgreSQL.
-- depends: 0004.content

-- A person's department in their organisation (GetHistoryConfDataList deptName).
ALTER TABLE users ADD COLUMN dept_name TEXT;

-- The client each stay in a meeting came from: DingTalk's deviceType, the
-- client version, and whether the camera was on.
ALTER TABLE participant_sessions ADD COLUMN device_type TEXT NOT NULL DEFAULT 'Win';
ALTER TABLE participant_sessions ADD COLUMN client_version TEXT NOT NULL DEFAULT '6.1.1';
ALTER TABLE participant_sessions ADD COLUMN camera_on INTEGER NOT NULL DEFAULT 0;

-- Why an invitee declined the call (QueryConferenceInfoBatch rejectDescription).
ALTER TABLE participants ADD COLUMN reject_description TEXT;

-- Network samples a person's client reported, in order; rtt and jitter in ms,
-- loss_rate in percent, bit rates in bit/s.
CREATE TABLE network_samples (
    conference_id TEXT NOT NULL REFERENCES conferences (conference_id),
    union_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at_ms BIGINT NOT NULL,
    rtt INTEGER NOT NULL,
    loss_rate INTEGER NOT NULL,
    jitter INTEGER NOT NULL,
    send_bit_rate INTEGER NOT NULL,
    recv_bit_rate INTEGER NOT NULL,
    PRIMARY KEY (conference_id, union_id, seq)
);
CREATE INDEX network_samples_by_time ON network_samples (conference_id, union_id, at_ms);
