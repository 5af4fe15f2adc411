"""In-meeting endpoints: members, invitations, host controls, recording (spec §4.5.1–§4.5.5)."""

from starlette.requests import Request

from dingconf.model import AttendStatus, Conference, Participant
from dingconf.service.auth import TokenService
from dingconf.service.members import MeetingSettings, MemberService
from dingconf.service.recording import RecordingService
from dingconf.wire.booking_schemas import SuccessReply
from dingconf.wire.conference import TOKEN_HEADER
from dingconf.wire.http import Reply, decode_body, header, ok
from dingconf.wire.meeting_schemas import (
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
)
from dingconf.wire.params import paging
from dingconf.wire.routing import ApiRoute

__all__ = ["member_model", "member_routes"]

_PARAMS = "paramsError"
_SUCCESS = SuccessReply(success=True)
_CODE_200 = CodeReply(code="200")
_SETTING_DONE = SettingReply(code="200", case="success")


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


def member_routes(
    tokens: TokenService, members: MemberService, recording: RecordingService
) -> list[ApiRoute]:
    """The in-meeting routes, bound to the services."""

    async def query_members(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        next_token, max_results = paging(request, "paramError")
        conference, page = await members.page(
            principal, request.path_params["conferenceId"], next_token, max_results
        )
        return ok(
            MembersReply(
                member_models=[member_model(conference, p) for p in page.items],
                next_token=page.next_token,
                total_count=page.total,
            )
        )

    async def invite(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, InviteUsersBody, _PARAMS)
        await members.invite(
            principal,
            request.path_params["conferenceId"],
            body.union_id,
            [i.union_id for i in body.invitee_list],
        )
        return ok(_SUCCESS)

    async def kick(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, KickMembersBody, _PARAMS)
        await members.kick(
            principal,
            request.path_params["conferenceId"],
            [u.union_id for u in body.user_list],
            body.forbidden_rejoin,
        )
        return ok(_SUCCESS)

    async def cohosts(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, CohostsBody, _PARAMS)
        await members.set_cohosts(
            principal,
            request.path_params["conferenceId"],
            body.action,
            [u.union_id for u in body.user_list],
        )
        return ok(_SUCCESS)

    async def update_nick(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, UpdateNickBody, _PARAMS)
        await members.update_nick(
            principal, request.path_params["conferenceId"], body.union_id, body.nick
        )
        return ok(_SUCCESS)

    async def mute_members(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, MuteMembersBody, _PARAMS)
        await members.mute_members(
            principal,
            request.path_params["conferenceId"],
            body.action,
            [u.union_id for u in body.user_list],
        )
        return ok(_SUCCESS)

    async def mute_all(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, MuteAllBody, _PARAMS)
        await members.mute_all(
            principal, request.path_params["conferenceId"], body.action, body.force_mute
        )
        return ok(_SUCCESS)

    async def lock(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, LockBody, _PARAMS)
        await members.lock(principal, request.path_params["conferenceId"], body.action)
        return ok(_SUCCESS)

    async def update_setting(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, UpdateSettingBody, _PARAMS)
        settings = MeetingSettings(
            lock_conference=body.lock_conference,
            mute_all=body.mute_all,
            only_internal_employees_join=body.only_internal_employees_join,
        )
        await members.update_settings(principal, request.path_params["conferenceId"], settings)
        return ok(_SETTING_DONE)

    async def start_record(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, RecordBody, _PARAMS)
        await recording.start(principal, request.path_params["conferenceId"], body.union_id)
        return ok(_CODE_200)

    async def stop_record(request: Request) -> Reply:
        principal = await tokens.authenticate(header(request, TOKEN_HEADER))
        body = await decode_body(request, RecordBody, _PARAMS)
        await recording.stop(principal, request.path_params["conferenceId"], body.union_id)
        return ok(_CODE_200)

    one = "/v1.0/conference/videoConferences/{conferenceId}"
    return [
        ApiRoute("PUT", one, "UpdateVideoConferenceSetting", update_setting),
        ApiRoute("GET", f"{one}/members", "QueryConferenceMembers", query_members),
        ApiRoute("POST", f"{one}/users/invite", "InviteUsers", invite),
        ApiRoute("POST", f"{one}/members/kick", "KickMembers", kick),
        ApiRoute("POST", f"{one}/coHosts/set", "Cohosts", cohosts),
        ApiRoute("POST", f"{one}/members/updateNick", "UpdateMemberNick", update_nick),
        ApiRoute("POST", f"{one}/members/mute", "MuteMembers", mute_members),
        ApiRoute("POST", f"{one}/allMembers/mute", "MuteAll", mute_all),
        ApiRoute("POST", f"{one}/lock", "LockConference", lock),
        ApiRoute("POST", f"{one}/cloudRecords/start", "StartCloudRecord", start_record),
        ApiRoute("POST", f"{one}/cloudRecords/stop", "StopCloudRecord", stop_record),
    ]
