"""A booked meeting's whole life, asserting QueryConferenceInfo after every step."""

from alibabacloud_dingtalk.conference_1_0 import models as m

from dingconf.core.ids import agent_id
from lifecycle import book, info, instances, join_room, member_map, sdk, users


def test_booked_meeting_walkthrough(server, conf, acme_token):
    settings = m.CreateScheduleConferenceRequestScheduleConfSettingModel(
        host_union_id="u-host",
        mozi_conf_virtual_extra_setting=m.CreateScheduleConferenceRequestScheduleConfSettingModelMoziConfVirtualExtraSetting(
            mozi_conf_extension_app_settings=[
                m.CreateScheduleConferenceRequestScheduleConfSettingModelMoziConfVirtualExtraSettingMoziConfExtensionAppSettings(
                    cool_app_code="COOLAPP-1", auto_open_mode=1, extension_app_biz_data="{}"
                )
            ]
        ),
    )
    booked = book(conf, acme_token, title="Design review", settings=settings)
    sid = booked.schedule_conference_id
    listed = instances(conf, acme_token, sid)
    assert (listed.total_count, listed.next_token) == (1, "")
    cid = listed.conference_list[0].conference_id
    room = booked.room_code.replace(" ", "")

    # Booked, nobody in: status 0, bizType "3", the booking's id and roomCode.
    i = info(conf, acme_token, cid)
    assert (i.status, i.biz_type, i.schedule_conference_id, i.room_code) == (0, "3", sid, room)
    assert (i.active_num, i.attend_num, i.invited_num, i.cloud_record_status) == (0, 0, 0, 0)
    assert i.start_time == 1_900_000_000_000 and i.end_time is None
    assert [
        (a.app_code, a.app_id, a.auto_open_mode, a.extension_app_biz_data)
        for a in i.extension_app_settings
    ] == [("COOLAPP-1", agent_id("acme-app"), 1, "{}")]

    # First join: 0 -> 2, and startTime becomes the moment it started.
    server.participants.join(cid, "u-host")
    i = info(conf, acme_token, cid)
    assert (i.status, i.active_num, i.attend_num) == (2, 1, 1)
    assert i.start_time < 1_900_000_000_000

    # A co-host.
    server.participants.join(cid, "u-bob")
    sdk(
        conf,
        acme_token,
        "Cohosts",
        cid,
        m.CohostsRequest(action="add", user_list=users("u-carol", cls=m.CohostsRequestUserList)),
    )
    i = info(conf, acme_token, cid)
    assert (i.status, i.active_num, i.attend_num, i.invited_num) == (2, 2, 2, 0)
    server.participants.join(cid, "u-carol")
    assert member_map(conf, acme_token, cid)["u-carol"].co_host is True

    # An invitation rings u-dave (attendStatus 2) and counts in invitedNum.
    sdk(
        conf,
        acme_token,
        "InviteUsers",
        cid,
        m.InviteUsersRequest(
            union_id="u-host",
            invitee_list=[m.InviteUsersRequestInviteeList(union_id="u-dave", nick="Dave")],
        ),
    )
    i = info(conf, acme_token, cid)
    assert (i.active_num, i.attend_num, i.invited_num) == (3, 3, 1)
    assert member_map(conf, acme_token, cid)["u-dave"].attend_status == 2

    # Kick u-bob for good.
    sdk(
        conf,
        acme_token,
        "KickMembers",
        cid,
        m.KickMembersRequest(user_list=users("u-bob"), forbidden_rejoin=True),
    )
    i = info(conf, acme_token, cid)
    assert (i.active_num, i.attend_num, i.invited_num) == (2, 3, 1)
    assert member_map(conf, acme_token, cid)["u-bob"].attend_status == 5

    # Recording: 0 -> 1 (owner the host) -> 3.
    start = sdk(
        conf, acme_token, "StartCloudRecord", cid, m.StartCloudRecordRequest(union_id="u-host")
    )
    assert start.code == "200"
    i = info(conf, acme_token, cid)
    assert (i.cloud_record_status, i.cloud_record_owner_union_id) == (1, "u-host")
    sdk(conf, acme_token, "StopCloudRecord", cid, m.StopCloudRecordRequest(union_id="u-host"))
    i = info(conf, acme_token, cid)
    assert (i.cloud_record_status, i.cloud_record_owner_union_id, i.status) == (3, "u-host", 2)

    # Close: status 1, everyone out.
    sdk(
        conf,
        acme_token,
        "CloseVideoConference",
        cid,
        m.CloseVideoConferenceRequest(union_id="u-host"),
    )
    i = info(conf, acme_token, cid)
    assert (i.status, i.active_num, i.attend_num, i.invited_num) == (1, 0, 3, 1)
    assert i.conf_duration == i.end_time - i.start_time

    # Joining the booking's roomCode again opens its second session.
    cid2 = join_room(server, room, "u-alice")
    assert cid2 != cid
    j = info(conf, acme_token, cid2)
    assert (j.status, j.biz_type, j.schedule_conference_id, j.room_code) == (2, "3", sid, room)
    assert (j.active_num, j.attend_num, j.invited_num, j.cloud_record_status) == (1, 1, 0, 0)
    assert info(conf, acme_token, cid).status == 1
    # Only the last session is listed (the SDK: "currently only the last meeting").
    listed = instances(conf, acme_token, sid)
    assert [(c.conference_id, c.status) for c in listed.conference_list] == [(cid2, 2)]
