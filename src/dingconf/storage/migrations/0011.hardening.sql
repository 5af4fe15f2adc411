-- Expired tokens are purged whenever a token is issued; this keeps that cheap.
CREATE INDEX tokens_by_expiry ON tokens (expires_at);

-- Member listings are paged by the database in this order.
CREATE INDEX participants_listing ON participants (conference_id, listed_at, union_id);
