"""In-meeting and listing bodies (spec §4.5), field for field as the SDK models them."""

import msgspec

from dingconf.http.body import Body as _Body

__all__ = [
    "BatchInfo",
    "BatchInfoReply",
    "BatchQueryBody",
    "BatchUser",
    "CodeReply",
    "CohostsBody",
    "HistoryItem",
    "HistoryReply",
    "InviteUsersBody",
    "Invitee",
    "KickMembersBody",
    "LockBody",
    "MemberModel",
    "MembersReply",
    "MuteAllBody",
    "MuteMembersBody",
    "OngoingReply",
    "OrgConference",
    "OrgConferencesReply",
    "PhoneInvitee",
    "RecordBody",
    "RoomCodeConference",
    "RoomCodeReply",
    "SettingReply",
    "UpdateNickBody",
    "UpdateSettingBody",
    "UserRef",
]


class UserRef(_Body):
    """A ``userList`` item: ``unionId`` and an optional device (``participantId``)."""

    union_id: str
    participant_id: str | None = None


class Invitee(_Body):
    """An ``inviteeList`` item."""

    union_id: str
    nick: str | None = None


class PhoneInvitee(_Body):
    """A ``phoneInviteeList`` item: a telephone number, no unionId (invite-users-to-join)."""

    phone_number: str | None = None
    nick: str | None = None
    #: Country code (e.g. "86") and whether to ring the app rather than the phone:
    #: accepted, not modelled (dingconf rings no telephones).
    status_code: str | None = None
    invite_client: bool | None = None


class InviteUsersBody(_Body):
    """InviteUsers request (spec §4.5.2): users by unionId, others by telephone number."""

    union_id: str | None = None
    invitee_list: list[Invitee] = msgspec.field(default_factory=list)
    phone_invitee_list: list[PhoneInvitee] = msgspec.field(default_factory=list)


class KickMembersBody(_Body):
    """KickMembers request (spec §4.5.3)."""

    user_list: list[UserRef]
    forbidden_rejoin: bool = False


class CohostsBody(_Body):
    """Cohosts request: ``action`` ``add`` or ``remove``."""

    action: str
    user_list: list[UserRef]


class MuteMembersBody(_Body):
    """MuteMembers request: ``action`` ``mute`` or ``un_mute``."""

    action: str
    user_list: list[UserRef]


class MuteAllBody(_Body):
    """MuteAll request."""

    action: str
    force_mute: bool = False


class LockBody(_Body):
    """LockConference request: ``action`` ``lock`` or ``unlock``."""

    action: str


class UpdateNickBody(_Body):
    """UpdateMemberNick request."""

    union_id: str
    nick: str


class UpdateSettingBody(_Body):
    """UpdateVideoConferenceSetting request; switches not modelled are accepted and ignored."""

    lock_conference: bool | None = None
    mute_all: bool | None = None
    only_internal_employees_join: bool | None = None
    allow_unmute_self: bool | None = None
    auto_transfer_host: bool | None = None
    forbidden_share_screen: bool | None = None


class SettingReply(_Body):
    """UpdateVideoConferenceSetting response (both strings in the SDK)."""

    code: str
    case: str


class RecordBody(_Body):
    """StartCloudRecord / StopCloudRecord request (Start's layout is checked, not kept)."""

    union_id: str
    mode: str | None = None
    small_window_position: str | None = None


class CodeReply(_Body):
    """``{"code": "200"}``: a string here (spec §4.5.4)."""

    code: str


class MemberModel(_Body):
    """A ``memberModels`` item (spec §4.5.1); ``outerOrgMember`` only for outsiders."""

    union_id: str
    conference_id: str
    user_nick: str
    attend_status: int
    duration: int
    host: bool
    co_host: bool
    pstn_join: bool
    join_time: int | None = None
    leave_time: int | None = None
    outer_org_member: bool | None = None
    job_number: str | None = None
    #: QueryUserOnGoingConference only: the client of the person's stay.
    device_type: str | None = None


class MembersReply(_Body):
    """QueryConferenceMembers response."""

    member_models: list[MemberModel]
    next_token: str
    total_count: int


class BatchQueryBody(_Body):
    """QueryConferenceInfoBatch request."""

    conference_id_list: list[str]


class BatchUser(_Body):
    """A ``userList`` item of the batch query (spec §4.5.6)."""

    user_id: str
    nick: str
    attend_status: int
    camera_status: int
    mic_status: int
    reject_description: str | None = None


class BatchInfo(_Body):
    """An ``infos`` item of the batch query."""

    conference_id: str
    title: str
    start_time: int
    status: int
    media_status: int
    user_list: list[BatchUser]


class BatchInfoReply(_Body):
    """QueryConferenceInfoBatch response."""

    infos: list[BatchInfo]


class RoomCodeConference(_Body):
    """A ``conferenceList`` item of QueryConferenceInfoByRoomCode (spec §4.5.7)."""

    conference_id: str
    title: str
    room_code: str
    external_link_url: str
    status: int
    start_time: int
    creator_id: str
    creator_nick: str
    biz_type: str
    end_time: int | None = None
    conf_duration: int | None = None
    schedule_conference_id: str | None = None


class RoomCodeReply(_Body):
    """QueryConferenceInfoByRoomCode response."""

    next_token: str
    has_more: bool
    total_count: int
    conference_list: list[RoomCodeConference]


class OrgConference(_Body):
    """An ``onGoingConfList`` item of QueryOrgConferenceList (spec §4.5.8)."""

    conference_id: str
    title: str
    room_code: str
    status: int
    start_time: int
    #: Always sent: the doc example shows it on a meeting in progress (its time so far).
    end_time: int
    creator_id: str
    creator_nick: str
    biz_type: str


class OrgConferencesReply(_Body):
    """QueryOrgConferenceList response."""

    next_token: str
    has_more: bool
    total_count: int
    on_going_conf_list: list[OrgConference]


class OngoingReply(_Body):
    """QueryUserOnGoingConference response: ids and the person's member model per id."""

    on_going_conf_id_list: list[str]
    member_model_map: dict[str, MemberModel]


class HistoryItem(_Body):
    """A ``list`` item of GetHistoryConfDataList (spec §4.5.9)."""

    conference_id: str
    title: str
    creator_id: str
    creator_nick: str
    start_time: int
    end_time: int
    time_length: int
    user_count: int
    free_type: str
    scene: str
    dept_name: str | None = None


class HistoryReply(_Body):
    """GetHistoryConfDataList response."""

    next_token: str
    list: list[HistoryItem]
