"""SQL for meetings (table conferences) and their members (table participants)."""

from dingconf.db.table import Table

#: Meetings, with their counters and in-meeting controls.
CONFERENCES = Table(
    "conferences",
    "conferences",
    (
        "conference_id",
        "corp_id",
        "title",
        "biz_type",
        "status",
        "room_code",
        "external_link_url",
        "creator_id",
        "creator_nick",
        "host_id",
        "start_time",
        "end_time",
        "schedule_conference_id",
        "active_num",
        "attend_num",
        "invited_num",
        "cloud_record_status",
        "cloud_record_owner",
        "extension_apps",
        "cohost_ids",
        "locked",
        "mute_all",
        "internal_only",
        "auto_record_type",
        "auto_record_owner",
        "minutes_status",
        "minutes_owner",
    ),
    ("conference_id",),
    False,
)

#: The members of a meeting.
PARTICIPANTS = Table(
    "participants",
    "participants",
    (
        "conference_id",
        "union_id",
        "nick",
        "attend_status",
        "first_join",
        "last_join",
        "leave_time",
        "duration",
        "sessions",
        "muted",
        "rejoin_forbidden",
        "outer_org",
        "listed_at",
        "reject_description",
    ),
    ("conference_id", "union_id"),
    True,
)
