"""QueryUserOnGoingConference and QueryConferenceInfoBatch as DingTalk's pages describe them.

``api-queryuserongoingconference``: the member model carries the join's
``deviceType`` and ``outerOrgMember`` (false in the example); a missing unionId
is 400 ``param.error`` / ``missing.user.info``.
``batch-query-of-video-conference-information``: ``cameraStatus`` 0 init,
1 off, 2 on; ``rejectDescription`` is why an invitee declined; an ended
meeting is 400 ``resourceClose`` "The meeting has ended".
"""

import httpx
from alibabacloud_dingtalk.conference_1_0 import models as m

from lifecycle import sdk

from conftest import auth
from sdk_errors import assert_sdk_error

ONGOING = "/v1.0/conference/users/lists"


def create(conf, token, invitees=None):
    request = m.CreateVideoConferenceRequest(
        user_id="u-host", conf_title="Fidelity", invite_user_ids=invitees
    )
    return sdk(conf, token, "CreateVideoConference", request).conference_id


def test_ongoing_reports_the_joins_device(server, conf, acme_token):
    cid = create(conf, acme_token)
    server.participants.join(cid, "u-carol", device_type="iOS")
    server.participants.join(cid, "u-carol")  # joining again while inside changes nothing
    server.participants.join(cid, "u-host")  # no device given: DingTalk's default client
    carol = sdk(
        conf,
        acme_token,
        "QueryUserOnGoingConference",
        m.QueryUserOnGoingConferenceRequest(union_id="u-carol"),
    ).member_model_map[cid]
    assert (carol.device_type, carol.outer_org_member) == ("iOS", False)
    host = sdk(
        conf,
        acme_token,
        "QueryUserOnGoingConference",
        m.QueryUserOnGoingConferenceRequest(union_id="u-host"),
    ).member_model_map[cid]
    assert host.device_type == "Win"
    # Rejoining from another device: the current stay's device counts.
    server.participants.leave(cid, "u-carol")
    server.participants.join(cid, "u-carol", device_type="Android")
    again = sdk(
        conf,
        acme_token,
        "QueryUserOnGoingConference",
        m.QueryUserOnGoingConferenceRequest(union_id="u-carol"),
    ).member_model_map[cid]
    assert again.device_type == "Android"


def test_ongoing_outer_org_member_always_present(server, http: httpx.Client, token, conf):
    cid = create(conf, token)
    server.participants.join(cid, "u-alice")
    server.participants.join(cid, f"outsider-{cid}")
    for union_id, outsider in [("u-alice", False), (f"outsider-{cid}", True)]:
        resp = http.get(ONGOING, params={"unionId": union_id}, headers=auth(token))
        assert resp.status_code == 200
        model = resp.json()["memberModelMap"][cid]
        assert model["outerOrgMember"] is outsider


def test_ongoing_documented_errors(server, http: httpx.Client, token, conf, acme_token):
    assert_sdk_error(
        lambda: sdk(
            conf, acme_token, "QueryUserOnGoingConference", m.QueryUserOnGoingConferenceRequest()
        ),
        400,
        "param.error",
    )
    missing = http.get(ONGOING, headers=auth(token))
    assert (missing.status_code, missing.json()["code"], missing.json()["message"]) == (
        400,
        "param.error",
        "missing.user.info",
    )
    wrong = http.get(ONGOING, params={"unionId": "not a unionId"}, headers=auth(token))
    assert (wrong.status_code, wrong.json()["code"], wrong.json()["message"]) == (
        400,
        "param.error",
        "param.error",
    )


def test_batch_camera_status_from_the_join(server, conf, acme_token):
    cid = create(conf, acme_token)
    server.participants.join(cid, "u-host", camera_on=True)
    server.participants.join(cid, "u-alice", camera_on=False)
    server.participants.join(cid, "u-bob", camera_on=True)
    server.participants.leave(cid, "u-bob")
    (found,) = sdk(
        conf,
        acme_token,
        "QueryConferenceInfoBatch",
        m.QueryConferenceInfoBatchRequest(conference_id_list=[cid]),
    ).infos
    camera = {u.user_id: u.camera_status for u in found.user_list}
    # 2 on, 1 off, 0 (init) for someone no longer inside.
    assert camera == {"u-host": 2, "u-alice": 1, "u-bob": 0}


def test_batch_reject_description_of_a_declined_call(server, conf, acme_token):
    cid = create(conf, acme_token, invitees=["u-dave", "u-carol"])
    server.participants.join(cid, "u-host")
    server.participants.decline(cid, "u-dave", "抱歉，正在开会")
    (found,) = sdk(
        conf,
        acme_token,
        "QueryConferenceInfoBatch",
        m.QueryConferenceInfoBatchRequest(conference_id_list=[cid]),
    ).infos
    users = {u.user_id: u for u in found.user_list}
    assert (users["u-dave"].attend_status, users["u-dave"].reject_description) == (
        4,
        "抱歉，正在开会",
    )
    # Still being rung, or inside: nothing declined, no rejectDescription.
    assert users["u-carol"].attend_status == 2
    assert users["u-carol"].reject_description is None
    assert users["u-host"].reject_description is None


def test_batch_of_ended_meetings_is_resource_close(server, conf, acme_token):
    ended = create(conf, acme_token)
    server.participants.join(ended, "u-host")
    sdk(
        conf,
        acme_token,
        "CloseVideoConference",
        ended,
        m.CloseVideoConferenceRequest(union_id="u-host"),
    )
    error = assert_sdk_error(
        lambda: sdk(
            conf,
            acme_token,
            "QueryConferenceInfoBatch",
            m.QueryConferenceInfoBatchRequest(conference_id_list=[ended]),
        ),
        400,
        "resourceClose",
    )
    assert "The meeting has ended" in error.message
    # With a meeting in progress asked too, the ended one is only left out.
    running = create(conf, acme_token)
    server.participants.join(running, "u-host")
    infos = sdk(
        conf,
        acme_token,
        "QueryConferenceInfoBatch",
        m.QueryConferenceInfoBatchRequest(conference_id_list=[ended, running]),
    ).infos
    assert [i.conference_id for i in infos] == [running]
