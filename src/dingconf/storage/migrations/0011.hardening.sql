-- Expired tokens are purged whenever a token is issued; this keeps that cheap.
CREATE INDEX tokens_by_expiry ON tokens (expires_at);
