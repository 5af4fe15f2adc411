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

-- Per organisation: its meetings by status (0 pending, 2 running, 1 ended),
-- the totals of the status-only listings, and a generation moved by every
-- write that can change what any of its meeting listings holds (a meeting
-- created, closed, started, retitled; state loaded or deleted) and by
-- nothing else: joins and leaves leave the row alone. Processes key the
-- totals they count for the other filters by the generation. Rows are never
-- deleted, so a generation is never reused for another set of meetings.
CREATE TABLE org_listings (
    corp_id TEXT PRIMARY KEY,
    generation BIGINT NOT NULL,
    pending BIGINT NOT NULL,
    running BIGINT NOT NULL,
    ended BIGINT NOT NULL
);
INSERT INTO org_listings (corp_id, generation, pending, running, ended)
SELECT o.corp_id, 1,
    (SELECT COUNT(*) FROM conferences c WHERE c.corp_id = o.corp_id AND c.status = 0),
    (SELECT COUNT(*) FROM conferences c WHERE c.corp_id = o.corp_id AND c.status = 2),
    (SELECT COUNT(*) FROM conferences c WHERE c.corp_id = o.corp_id AND c.status = 1)
FROM orgs o;
