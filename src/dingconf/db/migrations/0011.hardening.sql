-- Expired tokens are purged whenever a token is issued; this keeps that cheap.
CREATE INDEX tokens_by_expiry ON tokens (expires_at);

-- Member listings are paged by the database in this order.
CREATE INDEX participants_listing ON participants (conference_id, listed_at, union_id);

-- The org-wide listings are paged in (startTime, conferenceId) order: with the
-- id in the index, a page is read off it instead of sorting every match.
DROP INDEX conferences_by_org;
CREATE INDEX conferences_by_org ON conferences (corp_id, status, start_time, conference_id);
