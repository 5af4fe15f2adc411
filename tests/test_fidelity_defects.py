"""Behaviour corrected against DingTalk's pages and the official SDK (issue 9's defect list).

Each test names the DingTalk doc page (``fuxun2008/dingtalk-docs``,
``zh/open/development/<slug>.mdx``) whose text it follows.
"""

from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient

from lifecycle import HOUR, book, info, instances, join_room, member_map, sdk, token_of, users

from conftest import auth, sdk_config
from sdk_errors import assert_sdk_error

MU = m.MuteMembersRequestUserList
USM = m.UpdateScheduleConfSettingsRequestScheduleConfSettingModel
USM_REC = m.UpdateScheduleConfSettingsRequestScheduleConfSettingModelMoziConfOpenRecordSetting


def _batch_user(conf, token, cid, union_id):
    request = m.QueryConferenceInfoBatchRequest(conference_id_list=[cid])
    (found,) = sdk(conf, token, "QueryConferenceInfoBatch", request).infos
    return found, next(u for u in found.user_list if u.user_id == union_id)


def test_unmute_action_is_un_mute(server, conf, acme_token, create_meeting):
    # mute-all-staff-or-unmute-all-staff: action "mute" / "un_mute".
    cid = create_meeting().conference_id
    server.participants.join(cid, "u-bob")
    sdk(conf, acme_token, "MuteAll", cid, m.MuteAllRequest(action="mute", force_mute=True))
    found, bob = _batch_user(conf, acme_token, cid, "u-bob")
    assert (found.media_status, bob.mic_status) == (4, 1)

    done = sdk(conf, acme_token, "MuteAll", cid, m.MuteAllRequest(action="un_mute"))
    assert done.success is True
    found, bob = _batch_user(conf, acme_token, cid, "u-bob")
    assert (found.media_status, bob.mic_status) == (0, 2)

    mute_bob = m.MuteMembersRequest(action="mute", user_list=users("u-bob", cls=MU))
    sdk(conf, acme_token, "MuteMembers", cid, mute_bob)
    assert _batch_user(conf, acme_token, cid, "u-bob")[1].mic_status == 1
    unmute_bob = m.MuteMembersRequest(action="un_mute", user_list=users("u-bob", cls=MU))
    assert sdk(conf, acme_token, "MuteMembers", cid, unmute_bob).success is True
    assert _batch_user(conf, acme_token, cid, "u-bob")[1].mic_status == 2

    # The spelling DingTalk does not document is refused, as DingTalk would.
    old = m.MuteAllRequest(action="unmute")
    assert_sdk_error(lambda: sdk(conf, acme_token, "MuteAll", cid, old), 400, "paramsError")
    old_members = m.MuteMembersRequest(action="unmute", user_list=users("u-bob", cls=MU))
    assert_sdk_error(
        lambda: sdk(conf, acme_token, "MuteMembers", cid, old_members), 400, "paramsError"
    )


def _settings(conf, token, sid):
    request = m.QueryScheduleConfSettingsRequest(schedule_conference_id=sid)
    return sdk(conf, token, "QueryScheduleConfSettings", request).schedule_conf_setting_model


def test_update_schedule_settings_model_optional_and_errors(conf, oauth, acme_token):
    # api-updatescheduleconfsettings: scheduleConfSettingModel is optional; its error table.
    sid = book(conf, acme_token).schedule_conference_id
    before = _settings(conf, acme_token, sid).to_map()
    bare = m.UpdateScheduleConfSettingsRequest(
        creator_union_id="u-host", schedule_conference_id=sid
    )
    assert sdk(conf, acme_token, "UpdateScheduleConfSettings", bare).success is True
    assert _settings(conf, acme_token, sid).to_map() == before

    def update(token, creator="u-host", schedule_id=sid, model=None):
        request = m.UpdateScheduleConfSettingsRequest(
            creator_union_id=creator,
            schedule_conference_id=schedule_id,
            schedule_conf_setting_model=model,
        )
        return lambda: sdk(conf, token, "UpdateScheduleConfSettings", request)

    assert_sdk_error(
        update(acme_token, schedule_id="no-such-booking"), 400, "scheduleConferenceIdError"
    )
    assert_sdk_error(update(acme_token, creator="u-bob"), 400, "creatorUidError")
    globex = token_of(oauth, "globex-app", "globex-secret")
    assert_sdk_error(update(globex, creator="g-host"), 403, "noPermission")
    assert_sdk_error(update(acme_token, model=USM(host_union_id="g-host")), 400, "userNotInOrg")
    assert_sdk_error(
        update(acme_token, model=USM(cohost_union_ids=["nobody"])), 400, "userNotInOrg"
    )
    bad_type = USM(mozi_conf_open_record_setting=USM_REC(record_auto_start_type=7))
    assert_sdk_error(update(acme_token, model=bad_type), 400, "paramError")
    assert _settings(conf, acme_token, sid).to_map() == before


def test_phone_only_invite_and_the_invitee_nick(server, conf, acme_token, create_meeting):
    # invite-users-to-join: inviteeList[].nick is the invitee's name; phoneInviteeList
    # items carry a phoneNumber and no unionId.
    cid = create_meeting().conference_id
    phone_only = m.InviteUsersRequest(
        union_id="u-host",
        phone_invitee_list=[
            m.InviteUsersRequestPhoneInviteeList(phone_number="13800000000", nick="Tel")
        ],
    )
    assert sdk(conf, acme_token, "InviteUsers", cid, phone_only).success is True
    assert info(conf, acme_token, cid).invited_num == 1
    # The same number again counts once.
    sdk(conf, acme_token, "InviteUsers", cid, phone_only)
    assert info(conf, acme_token, cid).invited_num == 1

    named = m.InviteUsersRequest(
        invitee_list=[m.InviteUsersRequestInviteeList(union_id="u-dave", nick="Dave (design)")]
    )
    sdk(conf, acme_token, "InviteUsers", cid, named)
    dave = member_map(conf, acme_token, cid)["u-dave"]
    assert (dave.user_nick, dave.attend_status) == ("Dave (design)", 2)
    # The telephone invitee has no unionId: rung, counted, not a member.
    assert set(member_map(conf, acme_token, cid)) == {"u-host", "u-dave"}
    assert info(conf, acme_token, cid).invited_num == 2
    # Neither list: nothing to invite.
    empty = m.InviteUsersRequest(union_id="u-host")
    assert_sdk_error(lambda: sdk(conf, acme_token, "InviteUsers", cid, empty), 400, "paramsError")


def test_query_schedule_settings_errors(conf, oauth, acme_token):
    # api-queryscheduleconfsettings: scheduleConferenceIdError, 403 noPermission.
    sid = book(conf, acme_token).schedule_conference_id
    assert_sdk_error(
        lambda: _settings(conf, acme_token, "no-such-booking"), 400, "scheduleConferenceIdError"
    )
    globex = token_of(oauth, "globex-app", "globex-secret")
    assert_sdk_error(lambda: _settings(conf, globex, sid), 403, "noPermission")


def test_lock_conference_errors(server, conf, acme_token, create_meeting):
    # api-lockconference: commandError for a bad action, confClosed once ended.
    cid = create_meeting().conference_id
    bad = m.LockConferenceRequest(action="bolt")
    assert_sdk_error(lambda: sdk(conf, acme_token, "LockConference", cid, bad), 400, "commandError")
    sdk(
        conf,
        acme_token,
        "CloseVideoConference",
        cid,
        m.CloseVideoConferenceRequest(union_id="u-host"),
    )
    lock = m.LockConferenceRequest(action="lock")
    assert_sdk_error(lambda: sdk(conf, acme_token, "LockConference", cid, lock), 400, "confClosed")


def test_org_list_end_time_of_a_running_meeting(fresh_server):
    # api-queryorgconferencelist: the example's in-progress item carries endTime.
    conf = ConferenceClient(sdk_config(fresh_server))
    token = fresh_server.token("acme-app", "acme-secret")
    request = m.CreateVideoConferenceRequest(user_id="u-host", conf_title="Running")
    created = sdk(conf, token, "CreateVideoConference", request)
    start = info(conf, token, created.conference_id).start_time
    now = fresh_server.clock.advance(HOUR)
    status, _, body = fresh_server.request(
        "GET", "/v1.0/conference/orgConferences", headers=auth(token)
    )
    assert status == 200, body
    (item,) = body["onGoingConfList"]
    assert type(item["endTime"]) is int
    # A meeting in progress has lasted until now: its endTime is the query's time.
    assert start + HOUR <= item["endTime"] and now <= item["endTime"] < now + 60_000


def test_schedule_info_lists_the_last_instance_with_end_time(server, conf, acme_token, http, token):
    # query-appointment-meeting-history-meeting-information and the SDK's summary:
    # "currently only the last meeting"; the example's item carries endTime.
    booked = book(conf, acme_token)
    sid, room = booked.schedule_conference_id, booked.room_code.replace(" ", "")
    path = f"/v1.0/conference/videoConferences/scheduleConferences/{sid}"

    def only_item():
        reply = http.get(path, headers=auth(token)).json()
        assert (reply["totalCount"], reply["nextToken"]) == (1, "")
        (item,) = reply["conferenceList"]
        assert type(item["endTime"]) is int and type(item["startTime"]) is int
        return item

    pending = only_item()
    # Not started yet: it runs from the booked start to the booked end.
    assert (pending["status"], pending["endTime"]) == (0, pending["startTime"] + HOUR)
    first = pending["conferenceId"]
    server.participants.join(first, "u-host")
    running = only_item()
    assert (running["conferenceId"], running["status"]) == (first, 2)
    assert running["endTime"] == 1_900_000_000_000 + HOUR  # the booked end
    sdk(
        conf,
        acme_token,
        "CloseVideoConference",
        first,
        m.CloseVideoConferenceRequest(union_id="u-host"),
    )
    ended = only_item()
    closed_at = info(conf, acme_token, first).end_time
    assert (ended["conferenceId"], ended["status"], ended["endTime"]) == (first, 1, closed_at)

    second = join_room(server, room, "u-host")
    latest = instances(conf, acme_token, sid)
    assert [c.conference_id for c in latest.conference_list] == [second]
    assert instances(conf, acme_token, sid, next_token="1").conference_list == []


def test_room_code_unknown_is_invalid(conf, acme_token):
    # api-queryconferenceinfobyroomcode: 400 invalidRoomCode "会议码无效".
    def by_room(code):
        request = m.QueryConferenceInfoByRoomCodeRequest()
        return lambda: sdk(conf, acme_token, "QueryConferenceInfoByRoomCode", code, request)

    assert_sdk_error(by_room("12345678901"), 400, "invalidRoomCode")
    assert_sdk_error(by_room("1234"), 400, "invalidRoomCode")


def test_invite_caller(server, conf, acme_token):
    # create-a-video-conference: inviteCaller, "whether to invite the caller", default true.
    def create(**kw):
        request = m.CreateVideoConferenceRequest(
            user_id="u-host", conf_title="Call", invite_user_ids=["u-bob"], **kw
        )
        return sdk(conf, acme_token, "CreateVideoConference", request).conference_id

    rung = create()
    host = member_map(conf, acme_token, rung)["u-host"]
    assert (host.attend_status, host.host) == (2, True)
    assert info(conf, acme_token, rung).invited_num == 1  # the caller is not an invitee
    assert member_map(conf, acme_token, create(invite_caller=True))["u-host"].attend_status == 2

    quiet = create(invite_caller=False)
    assert set(member_map(conf, acme_token, quiet)) == {"u-bob"}
    assert info(conf, acme_token, quiet).invited_num == 1
    # The caller rung and never answering is "not answered" (4) at close.
    sdk(
        conf,
        acme_token,
        "CloseVideoConference",
        rung,
        m.CloseVideoConferenceRequest(union_id="u-host"),
    )
    assert member_map(conf, acme_token, rung)["u-host"].attend_status == 4
