"""In-meeting operations through the official SDK: members, controls, recording."""

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m

from lifecycle import info, member_map, members, read_pages, sdk, token_of, users

from sdk_errors import assert_sdk_error

CU = m.CohostsRequestUserList
MU = m.MuteMembersRequestUserList


def invitee(u):
    return m.InviteUsersRequestInviteeList(union_id=u, nick=u)


# Every in-meeting write, as (action, request) on a meeting where u-bob is inside.
WRITES = [
    ("InviteUsers", m.InviteUsersRequest(invitee_list=[invitee("u-dave")])),
    ("KickMembers", m.KickMembersRequest(user_list=users("u-bob"))),
    ("Cohosts", m.CohostsRequest(action="add", user_list=users("u-bob", cls=CU))),
    ("UpdateMemberNick", m.UpdateMemberNickRequest(union_id="u-bob", nick="B")),
    ("MuteMembers", m.MuteMembersRequest(action="mute", user_list=users("u-bob", cls=MU))),
    ("MuteAll", m.MuteAllRequest(action="mute")),
    ("LockConference", m.LockConferenceRequest(action="lock")),
    ("UpdateVideoConferenceSetting", m.UpdateVideoConferenceSettingRequest(lock_conference=True)),
    ("StartCloudRecord", m.StartCloudRecordRequest(union_id="u-host")),
    ("StopCloudRecord", m.StopCloudRecordRequest(union_id="u-host")),
]


def state(conf, token, cid):
    """What the owner sees of a meeting (live durations aside)."""
    return info(conf, token, cid).to_map(), [
        (x.union_id, x.user_nick, x.attend_status, x.co_host)
        for x in members(conf, token, cid).member_models
    ]


@pytest.fixture
def meeting(server, create_meeting):
    cid = create_meeting().conference_id
    server.participants.join(cid, "u-host")
    server.participants.join(cid, "u-bob")
    return cid


@pytest.mark.parametrize(("action", "request_"), WRITES, ids=[w[0] for w in WRITES])
def test_writes_refuse_another_organisation(conf, oauth, acme_token, meeting, action, request_):
    globex = token_of(oauth, "globex-app", "globex-secret")
    before = state(conf, acme_token, meeting)
    assert_sdk_error(
        lambda: sdk(conf, globex, action, meeting, request_), 400, "orgAccessForbidden"
    )
    assert state(conf, acme_token, meeting) == before


@pytest.mark.parametrize(("action", "request_"), WRITES, ids=[w[0] for w in WRITES])
def test_writes_refuse_an_ended_meeting_and_a_reader(
    conf, oauth, acme_token, meeting, action, request_
):
    reader = token_of(oauth, "acme-reader", "reader-secret")
    assert_sdk_error(
        lambda: sdk(conf, reader, action, meeting, request_),
        403,
        "Forbidden.AccessDenied.AccessTokenPermissionDenied",
    )
    sdk(
        conf,
        acme_token,
        "CloseVideoConference",
        meeting,
        m.CloseVideoConferenceRequest(union_id="u-host"),
    )
    # Recording says roomClosed, LockConference confClosed (api-lockconference).
    code = {"LockConference": "confClosed"}.get(
        action, "roomClosed" if "CloudRecord" in action else "resourceClose"
    )
    assert_sdk_error(lambda: sdk(conf, acme_token, action, meeting, request_), 400, code)


def test_members_fields(server, conf, acme_token, meeting):
    server.participants.join(meeting, "guest-9", nick="Visitor")
    server.participants.leave(meeting, "u-bob")
    page = members(conf, acme_token, meeting)
    assert (page.total_count, page.next_token) == (3, "")
    by_id = {x.union_id: x for x in page.member_models}
    host, bob, guest = by_id["u-host"], by_id["u-bob"], by_id["guest-9"]
    assert (host.host, host.co_host, host.attend_status, host.leave_time) == (True, False, 3, None)
    assert (bob.host, bob.attend_status, bob.user_nick) == (False, 6, "Bob")
    assert bob.leave_time >= bob.join_time and bob.duration == bob.leave_time - bob.join_time
    assert (guest.outer_org_member, host.outer_org_member) == (True, None)
    assert guest.conference_id == meeting and guest.pstn_join is False


@pytest.mark.parametrize("n", [0, 1, 3, 4])
def test_members_paging_at_page_boundaries(server, conf, acme_token, n):
    # Without inviteCaller the host is not rung: the members are exactly the n guests.
    request = m.CreateVideoConferenceRequest(
        user_id="u-host", conf_title="Paging", invite_caller=False
    )
    cid = sdk(conf, acme_token, "CreateVideoConference", request).conference_id
    for i in range(n):
        server.participants.join(cid, f"guest-{i}")

    def fetch(token):
        page = members(conf, acme_token, cid, max_results=3, next_token=token)
        assert page.total_count == n
        return page.member_models, page.next_token

    pages = read_pages(fetch, n, 3)
    if n == 4:
        assert [x.union_id for x in pages[1]] == ["guest-3"]


def test_members_errors(conf, oauth, acme_token, meeting):
    globex = token_of(oauth, "globex-app", "globex-secret")
    assert_sdk_error(lambda: members(conf, globex, meeting), 403, "noPermission")
    assert_sdk_error(lambda: members(conf, acme_token, "f" * 24), 404, "roomNotFound")
    assert_sdk_error(lambda: members(conf, acme_token, meeting, next_token="x"), 400, "paramError")
    assert_sdk_error(lambda: members(conf, acme_token, meeting, max_results=0), 400, "paramError")


def test_invite_rings_then_joining_enters(server, conf, acme_token, meeting):
    request = m.InviteUsersRequest(invitee_list=[invitee("u-dave"), invitee("u-dave")])
    assert sdk(conf, acme_token, "InviteUsers", meeting, request).success is True
    sdk(conf, acme_token, "InviteUsers", meeting, request)  # again: counted once
    assert info(conf, acme_token, meeting).invited_num == 1
    assert member_map(conf, acme_token, meeting)["u-dave"].attend_status == 2
    server.participants.join(meeting, "u-dave")
    listed = member_map(conf, acme_token, meeting)
    assert listed["u-dave"].attend_status == 3
    # The organisation's job number of a user (seeded for u-dave only).
    assert listed["u-dave"].job_number == "0042"
    assert {member.job_number for who, member in listed.items() if who != "u-dave"} == {None}
    bad = m.InviteUsersRequest(invitee_list=[invitee("g-host")])
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "InviteUsers", meeting, bad), 400, "unknownUserError"
    )
    empty = m.InviteUsersRequest(invitee_list=[])
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "InviteUsers", meeting, empty), 400, "paramsError"
    )


def test_kick_and_forbidden_rejoin(server, conf, acme_token, meeting):
    server.participants.join(meeting, "u-alice")
    kick = m.KickMembersRequest(user_list=users("u-alice"))
    sdk(conf, acme_token, "KickMembers", meeting, kick)
    assert member_map(conf, acme_token, meeting)["u-alice"].attend_status == 5
    server.participants.join(meeting, "u-alice")  # allowed back without forbiddenRejoin
    sdk(
        conf,
        acme_token,
        "KickMembers",
        meeting,
        m.KickMembersRequest(user_list=users("u-bob"), forbidden_rejoin=True),
    )
    status, _, body = server.request(
        "POST", f"/_dingconf/conferences/{meeting}/join", {"unionId": "u-bob"}
    )
    assert (status, body["code"]) == (400, "forbiddenRejoin")
    assert info(conf, acme_token, meeting).active_num == 2
    for bad, code in [
        (users("nobody"), "unknownUserError"),
        (users("u-host"), "paramsError"),
        ([], "paramsError"),
    ]:
        request = m.KickMembersRequest(user_list=bad)
        assert_sdk_error(
            lambda r=request: sdk(conf, acme_token, "KickMembers", meeting, r), 400, code
        )


def test_cohosts_nick_and_mute(server, conf, acme_token, meeting):
    add = m.CohostsRequest(action="add", user_list=users("u-bob", cls=CU))
    sdk(conf, acme_token, "Cohosts", meeting, add)
    assert member_map(conf, acme_token, meeting)["u-bob"].co_host is True
    sdk(
        conf,
        acme_token,
        "Cohosts",
        meeting,
        m.CohostsRequest(action="remove", user_list=users("u-bob", cls=CU)),
    )
    assert member_map(conf, acme_token, meeting)["u-bob"].co_host is False
    for bad in [
        m.CohostsRequest(action="promote", user_list=users("u-bob", cls=CU)),
        m.CohostsRequest(action="add", user_list=users("u-host", cls=CU)),
    ]:
        assert_sdk_error(
            lambda r=bad: sdk(conf, acme_token, "Cohosts", meeting, r), 400, "paramsError"
        )

    sdk(
        conf,
        acme_token,
        "UpdateMemberNick",
        meeting,
        m.UpdateMemberNickRequest(union_id="u-bob", nick="Bobby"),
    )
    assert member_map(conf, acme_token, meeting)["u-bob"].user_nick == "Bobby"
    missing = m.UpdateMemberNickRequest(union_id="u-bob")
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "UpdateMemberNick", meeting, missing), 400, "Missingnick"
    )

    def batch():
        body = sdk(
            conf,
            acme_token,
            "QueryConferenceInfoBatch",
            m.QueryConferenceInfoBatchRequest(conference_id_list=[meeting]),
        )
        (only,) = body.infos
        return only.media_status, {u.user_id: u.mic_status for u in only.user_list}

    assert batch() == (0, {"u-host": 2, "u-bob": 2})
    sdk(
        conf,
        acme_token,
        "MuteMembers",
        meeting,
        m.MuteMembersRequest(action="mute", user_list=users("u-bob", cls=MU)),
    )
    assert batch() == (0, {"u-host": 2, "u-bob": 1})
    sdk(conf, acme_token, "MuteAll", meeting, m.MuteAllRequest(action="mute", force_mute=True))
    server.participants.join(meeting, "u-carol")  # joins muted
    assert batch() == (4, {"u-host": 1, "u-bob": 1, "u-carol": 1})
    sdk(conf, acme_token, "MuteAll", meeting, m.MuteAllRequest(action="un_mute"))
    assert batch() == (0, {"u-host": 2, "u-bob": 2, "u-carol": 2})


def test_lock_refuses_new_joiners(server, conf, acme_token, meeting):
    assert sdk(
        conf, acme_token, "LockConference", meeting, m.LockConferenceRequest(action="lock")
    ).success
    status, _, body = server.request(
        "POST", f"/_dingconf/conferences/{meeting}/join", {"unionId": "u-carol"}
    )
    assert (status, body["code"]) == (400, "conferenceLocked")
    server.participants.leave(meeting, "u-host")
    server.participants.join(meeting, "u-host")  # the host gets in anyway
    reply = sdk(
        conf,
        acme_token,
        "UpdateVideoConferenceSetting",
        meeting,
        m.UpdateVideoConferenceSettingRequest(
            lock_conference=False, only_internal_employees_join=True
        ),
    )
    assert (reply.code, reply.case) == ("200", "success")
    server.participants.join(meeting, "u-carol")
    status, _, body = server.request(
        "POST", f"/_dingconf/conferences/{meeting}/join", {"unionId": "guest-1"}
    )
    assert (status, body["code"]) == (400, "internalOnly")
    bad = m.LockConferenceRequest(action="bolt")
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "LockConference", meeting, bad), 400, "commandError"
    )


def test_cloud_recording(server, conf, acme_token, meeting):
    start = m.StartCloudRecordRequest(union_id="u-host")
    stop = m.StopCloudRecordRequest(union_id="u-host")
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "StopCloudRecord", meeting, stop), 400, "cloudRecordNotFound"
    )
    not_host = m.StartCloudRecordRequest(union_id="u-bob")
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "StartCloudRecord", meeting, not_host),
        404,
        "recordStartPermissionError",
    )
    sdk(conf, acme_token, "StartCloudRecord", meeting, start)
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "StartCloudRecord", meeting, start), 404, "recordStartError"
    )
    bob_stop = m.StopCloudRecordRequest(union_id="u-bob")
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "StopCloudRecord", meeting, bob_stop),
        400,
        "recordStopPermissionError",
    )
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "StopCloudRecord", meeting, m.StopCloudRecordRequest()),
        400,
        "MissingunionId",
    )

    pause = f"/_dingconf/conferences/{meeting}/cloudRecord/pause"
    assert server.request("POST", pause)[2] == {"cloudRecordStatus": 2}
    assert info(conf, acme_token, meeting).cloud_record_status == 2
    assert server.request("POST", pause)[0] == 400
    server.request("POST", f"/_dingconf/conferences/{meeting}/cloudRecord/resume")
    assert info(conf, acme_token, meeting).cloud_record_status == 1
    # Closing the meeting finishes the recording.
    sdk(
        conf,
        acme_token,
        "CloseVideoConference",
        meeting,
        m.CloseVideoConferenceRequest(union_id="u-host"),
    )
    i = info(conf, acme_token, meeting)
    assert (i.status, i.cloud_record_status, i.cloud_record_owner_union_id) == (1, 3, "u-host")


def test_a_guest_inside_becomes_a_cohost_of_a_meeting_named_with_a_space(
    server, conf, acme_token, meeting
):
    # The SDK sends " id" as %20id; the meeting is found by its trimmed id,
    # and so must its guests be.
    server.participants.join(meeting, "guest-7", "Guest", outsider=True)
    add = m.CohostsRequest(action="add", user_list=users("guest-7", cls=CU))
    assert sdk(conf, acme_token, "Cohosts", " " + meeting, add).to_map() == {"success": True}
    assert member_map(conf, acme_token, meeting)["guest-7"].co_host is True
