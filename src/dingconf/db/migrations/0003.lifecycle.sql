-- Meeting lifecycle: in-meeting controls, member state and booked meetings.
-- Portable SQL: the same file runs on SQLite and PostgreSQL.
-- depends: 0001.initial

-- In-meeting controls (spec §4.5). co-hosts as a JSON array of unionIds;
-- mute_all 0 off, 1 on, 2 forced; auto_record_* copied from the booking.
ALTER TABLE conferences ADD COLUMN cohost_ids TEXT NOT NULL DEFAULT '[]';
ALTER TABLE conferences ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conferences ADD COLUMN mute_all INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conferences ADD COLUMN internal_only INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conferences ADD COLUMN auto_record_type INTEGER;
ALTER TABLE conferences ADD COLUMN auto_record_owner TEXT;
CREATE INDEX conferences_by_room_code ON conferences (room_code);
CREATE INDEX conferences_by_schedule ON conferences (schedule_conference_id);

-- listed_at: when the person first became a member (invited or joined), the
-- order of the members query.
ALTER TABLE participants ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN rejoin_forbidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN outer_org INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN listed_at BIGINT NOT NULL DEFAULT 0;

-- A booking owns its roomCode for life; settings as JSON (spec §4.4.1).
CREATE TABLE bookings (
    schedule_conference_id TEXT PRIMARY KEY,
    corp_id TEXT NOT NULL REFERENCES orgs (corp_id),
    creator_id TEXT NOT NULL,
    title TEXT NOT NULL,
    start_time BIGINT NOT NULL,
    end_time BIGINT NOT NULL,
    room_code TEXT NOT NULL,
    url TEXT NOT NULL,
    cancelled INTEGER NOT NULL DEFAULT 0,
    settings TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX bookings_by_room_code ON bookings (room_code);
