-- Listing totals that cost one indexed read however much data there is.
-- Portable SQL: the same file runs on SQLite and PostgreSQL.

-- How many member rows each meeting has (QueryConferenceMembers' totalCount),
-- moved in the write transaction that adds a member row. Derived data: a
-- state document leaves it out and loading one recounts it.
CREATE TABLE member_counts (
    conference_id TEXT PRIMARY KEY REFERENCES conferences (conference_id),
    members BIGINT NOT NULL
);
INSERT INTO member_counts (conference_id, members)
SELECT conference_id, COUNT(*) FROM participants GROUP BY conference_id;

-- Per organisation, a number moved by every write that can change what its
-- meeting listings hold (a meeting created, closed, started, retitled; state
-- loaded or deleted) and by nothing else: joins and leaves leave it alone.
-- Processes key their cached listing totals by it. Rows are never deleted,
-- so a number is never reused for another set of meetings.
CREATE TABLE listing_generations (
    corp_id TEXT PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO listing_generations (corp_id, generation) SELECT corp_id, 1 FROM orgs;
