"""In-meeting endpoints: members, invitations, host controls, recording (spec §4.5.1–§4.5.5)."""

from dingconf.bookings.schemas import SuccessReply
from dingconf.core import errors
from dingconf.core.records import AttendStatus, Conference, Participant
from dingconf.http.operations import Call, Operation, op
from dingconf.members.schemas import (
    CodeReply,
    CohostsBody,
    InviteUsersBody,
    KickMembersBody,
    LockBody,
    MemberModel,
    MembersReply,
    MuteAllBody,
    MuteMembersBody,
    RecordBody,
    SettingReply,
    UpdateNickBody,
    UpdateSettingBody,
    UserRef,
)
from dingconf.members.service import MeetingSettings, MemberService
from dingconf.recording.service import RecordingService

__all__ = ["member_model", "member_routes"]

_PARAMS = errors.params_error.code
_SUCCESS = SuccessReply(success=True)
_CODE_200 = CodeReply(code="200")
_SETTING_DONE = SettingReply(code="200", case="success")


def _ids(users: list[UserRef]) -> list[str]:
    return [u.union_id for u in users]


def member_model(c: Conference, p: Participant) -> MemberModel:
    """A ``memberModels`` item; ``leaveTime`` only once they are out again."""
    out = p.attend_status in (AttendStatus.LEFT, AttendStatus.KICKED)
    return MemberModel(
        union_id=p.union_id,
        conference_id=c.conference_id,
        user_nick=p.nick,
        attend_status=int(p.attend_status),
        duration=p.duration_ms,
        host=p.union_id == c.host_id,
        co_host=p.union_id in c.cohost_ids,
        pstn_join=False,
        join_time=p.last_join_ms,
        leave_time=p.leave_ms if out else None,
        outer_org_member=True if p.outer_org else None,
        job_number=p.job_number,
    )


def member_routes(members: MemberService, recording: RecordingService) -> list[Operation]:
    """The in-meeting operations."""

    async def query_members(c: Call[None]) -> MembersReply:
        next_token, max_results = c.paging(errors.param_error.code)
        conference, page = await members.page(c.principal, c.conference_id, next_token, max_results)
        return MembersReply(
            member_models=[member_model(conference, p) for p in page.items],
            next_token=page.next_token,
            total_count=page.total,
        )

    def settings(b: UpdateSettingBody) -> MeetingSettings:
        return MeetingSettings(
            lock_conference=b.lock_conference,
            mute_all=b.mute_all,
            only_internal_employees_join=b.only_internal_employees_join,
        )

    one = "/v1.0/conference/videoConferences/{conferenceId}"
    return [
        op(
            f"PUT {one}",
            "UpdateVideoConferenceSetting",
            lambda c: members.update_settings(c.principal, c.conference_id, settings(c.body)),
            _SETTING_DONE,
            body=UpdateSettingBody,
        ),
        op(
            f"GET {one}/members",
            "QueryConferenceMembers",
            query_members,
            param_error=errors.param_error.code,
        ),
        op(
            f"POST {one}/users/invite",
            "InviteUsers",
            lambda c: members.invite(
                c.principal,
                c.conference_id,
                c.body.union_id,
                [(i.union_id, i.nick) for i in c.body.invitee_list],
                [(p.phone_number, p.nick) for p in c.body.phone_invitee_list],
            ),
            _SUCCESS,
            body=InviteUsersBody,
        ),
        op(
            f"POST {one}/members/kick",
            "KickMembers",
            lambda c: members.kick(
                c.principal, c.conference_id, _ids(c.body.user_list), c.body.forbidden_rejoin
            ),
            _SUCCESS,
            body=KickMembersBody,
        ),
        op(
            f"POST {one}/coHosts/set",
            "Cohosts",
            lambda c: members.set_cohosts(
                c.principal, c.conference_id, c.body.action, _ids(c.body.user_list)
            ),
            _SUCCESS,
            body=CohostsBody,
        ),
        op(
            f"POST {one}/members/updateNick",
            "UpdateMemberNick",
            lambda c: members.update_nick(
                c.principal, c.conference_id, c.body.union_id, c.body.nick
            ),
            _SUCCESS,
            body=UpdateNickBody,
        ),
        op(
            f"POST {one}/members/mute",
            "MuteMembers",
            lambda c: members.mute_members(
                c.principal, c.conference_id, c.body.action, _ids(c.body.user_list)
            ),
            _SUCCESS,
            body=MuteMembersBody,
        ),
        op(
            f"POST {one}/allMembers/mute",
            "MuteAll",
            lambda c: members.mute_all(
                c.principal, c.conference_id, c.body.action, c.body.force_mute
            ),
            _SUCCESS,
            body=MuteAllBody,
        ),
        op(
            f"POST {one}/lock",
            "LockConference",
            lambda c: members.lock(c.principal, c.conference_id, c.body.action),
            _SUCCESS,
            body=LockBody,
        ),
        op(
            f"POST {one}/cloudRecords/start",
            "StartCloudRecord",
            lambda c: recording.start(
                c.principal,
                c.conference_id,
                c.body.union_id,
                c.body.mode,
                c.body.small_window_position,
            ),
            _CODE_200,
            body=RecordBody,
        ),
        op(
            f"POST {one}/cloudRecords/stop",
            "StopCloudRecord",
            lambda c: recording.stop(c.principal, c.conference_id, c.body.union_id),
            _CODE_200,
            body=RecordBody,
        ),
    ]
