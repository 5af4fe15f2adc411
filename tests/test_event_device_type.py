"""Member events carry the device each person's join declared (``deviceType``).

Through the official SDK and the control API on the shared server, each test
with an organisation of its own; the events are read from the control API's
event log (what Stream and HTTP push send is the same payload).
"""

from alibabacloud_dingtalk.conference_1_0 import models as m

from dingconf.testing.plugin import DingconfServer
from lifecycle import sdk, users

PEOPLE = [("u-host", "Host"), ("u-alice", "Alice"), ("u-bob", "Bob")]
PEOPLE += [("u-carol", "Carol"), ("u-dave", "Dave")]


def test_member_events_carry_the_device_of_the_join(server: DingconfServer):
    org = server.create_org(users=PEOPLE)
    create = m.CreateVideoConferenceRequest(user_id="u-host", conf_title="Devices")
    cid = sdk(org.client, org.token, "CreateVideoConference", create).conference_id

    server.participants.join(cid, "u-alice", device_type="Mac")
    server.participants.join(cid, "u-bob", device_type="iOS")
    server.participants.join(cid, "u-carol")  # no device declared: the default client
    server.participants.leave(cid, "u-alice")
    server.participants.join(cid, "u-alice", device_type="Android")  # a new stay, another device
    sdk(org.client, org.token, "KickMembers", cid, m.KickMembersRequest(user_list=users("u-bob")))
    invite = m.InviteUsersRequest(invitee_list=[m.InviteUsersRequestInviteeList(union_id="u-dave")])
    sdk(org.client, org.token, "InviteUsers", cid, invite)

    seen = [
        (e["data"]["changeScene"], member["userId"], member["deviceType"])
        for e in server.events(org.app_key)
        if e["eventType"] == "meeting_member_status_change" and e["conferenceId"] == cid
        for member in e["data"]["openMemberModels"]
    ]
    assert seen == [
        ("user_join", "u-alice", "Mac"),
        ("user_join", "u-bob", "iOS"),
        ("user_join", "u-carol", "Win"),
        ("user_leave", "u-alice", "Mac"),  # the stay that ended
        ("user_join", "u-alice", "Android"),
        ("user_kicked", "u-bob", "iOS"),
        ("user_invited", "u-dave", "Win"),  # never joined: the default client
    ]
    # The targeted twins carry the same members.
    twins = [
        e["data"]["openMemberModels"]
        for e in server.events(org.app_key)
        if e["eventType"] == "meeting_member_status_change_target_push" and e["conferenceId"] == cid
    ]
    assert [(m["userId"], m["deviceType"]) for t in twins for m in t] == [
        (who, device) for _, who, device in seen
    ]
