-- InviteUsers' phoneInviteeList: people rung by telephone number. They have no
-- unionId, so they are kept apart from the invitations of users.

CREATE TABLE phone_invitations (
    conference_id TEXT NOT NULL REFERENCES conferences (conference_id),
    phone_number TEXT NOT NULL,
    nick TEXT NOT NULL,
    invited_by TEXT NOT NULL,
    invited_at BIGINT NOT NULL,
    PRIMARY KEY (conference_id, phone_number)
);
