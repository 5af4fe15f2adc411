-- Meeting minutes (闪记): their state on the meeting row, explicit summaries, who may see them.
-- Portable SQL: the same file runs on SQLite and PostgreSQL.
-- depends: 0004.content

-- minutesStatus (spec §6): 0 never started, 1 running, 2 paused (stopped), 3 ended
-- with the meeting; minutes_owner: ownerUnionId of the latest start.
ALTER TABLE conferences ADD COLUMN minutes_status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conferences ADD COLUMN minutes_owner TEXT;

-- A summary set through the control API, as JSON; it wins over the derived one.
CREATE TABLE minutes_summaries (
    conference_id TEXT PRIMARY KEY REFERENCES conferences (conference_id),
    summary TEXT NOT NULL
);

-- AddRecordPermission: people the minutes' owner shared them with.
CREATE TABLE minutes_grants (
    conference_id TEXT NOT NULL REFERENCES conferences (conference_id),
    union_id TEXT NOT NULL,
    share_scope INTEGER NOT NULL,
    task_uuid TEXT NOT NULL,
    granted_ms BIGINT NOT NULL,
    PRIMARY KEY (conference_id, union_id)
);
