-- QueryUserOnGoingConference looks a person up across the organisation's
-- running meetings: from the person's member rows (this index), not from
-- every running meeting's. Portable SQL: the same file runs on SQLite and
-- PostgreSQL.
CREATE INDEX participants_by_person ON participants (union_id, attend_status);
