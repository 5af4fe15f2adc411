-- Meeting events: the outbox, each event's deliveries per app, and Stream-mode tickets.

-- The app that created a meeting (by conferenceId) or a booking (by
-- scheduleConferenceId): the one ``*_target_push`` events go to.
CREATE TABLE event_origins (
    subject_id TEXT PRIMARY KEY,
    app_key TEXT NOT NULL
);

-- Written in the same transaction as the change the event describes.
CREATE TABLE events (
    event_id TEXT PRIMARY KEY,
    conference_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    corp_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    target_app TEXT,
    born_at BIGINT NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX events_by_conference ON events (conference_id, seq);

-- One row per (event, receiving app). conference_id, seq and event_type are
-- copied from the event so that "the first undelivered event of each meeting"
-- needs no join.
CREATE TABLE event_deliveries (
    event_id TEXT NOT NULL REFERENCES events (event_id),
    app_key TEXT NOT NULL,
    conference_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_at BIGINT NOT NULL,
    claimed_until BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    PRIMARY KEY (event_id, app_key)
);
CREATE INDEX event_deliveries_due ON event_deliveries (app_key, state, next_at);
CREATE INDEX event_deliveries_order ON event_deliveries (app_key, conference_id, state, seq);

CREATE TABLE stream_tickets (
    ticket_hash TEXT PRIMARY KEY,
    app_key TEXT NOT NULL,
    corp_id TEXT NOT NULL,
    subscriptions TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- HTTP push: where an app wants its events POSTed, encrypted with its token and AES key.
CREATE TABLE push_subscriptions (
    app_key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    token TEXT NOT NULL,
    aes_key TEXT NOT NULL
);
