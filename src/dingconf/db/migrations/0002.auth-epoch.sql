-- A counter bumped by every change that can invalidate a live token (scopes,
-- secrets, revocation, a suite's authorised corps). Servers cache token
-- lookups and drop the cache when it moves, so such changes apply at once.
CREATE TABLE auth_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch BIGINT NOT NULL
);
INSERT INTO auth_epoch (id, epoch) VALUES (1, 0);
