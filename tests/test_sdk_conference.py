"""The conference-info query, create and close, through the official SDK."""

import re

import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from alibabacloud_dingtalk.oauth2_1_0 import models as om
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient

from dingconf.testing.plugin import DingconfServer
from lifecycle import member_map

from conftest import RUNTIME, sdk_config
from sdk_errors import assert_sdk_error


def query(
    conf: ConferenceClient, token: str | None, conference_id: str
) -> m.QueryConferenceInfoResponse:
    headers = m.QueryConferenceInfoHeaders(x_acs_dingtalk_access_token=token)
    return conf.query_conference_info_with_options(conference_id, headers, RUNTIME)


def close(
    conf: ConferenceClient, token: str, conference_id: str, union_id: str | None
) -> m.CloseVideoConferenceResponse:
    return conf.close_video_conference_with_options(
        conference_id,
        m.CloseVideoConferenceRequest(union_id=union_id),
        m.CloseVideoConferenceHeaders(x_acs_dingtalk_access_token=token),
        RUNTIME,
    )


def app_token(oauth: OAuthClient, key: str, secret: str) -> str:
    resp = oauth.get_access_token(om.GetAccessTokenRequest(app_key=key, app_secret=secret))
    return resp.body.access_token


def test_meeting_lifecycle(server: DingconfServer, conf, acme_token, create_meeting):
    before_ms = server.clock.advance(0)  # the server clock: other tests move it
    created = create_meeting("Quarterly review", invitees=["u-bob", "u-dave"])
    assert re.fullmatch(r"[0-9a-f]{24}", created.conference_id)
    assert re.fullmatch(r"[1-9][0-9]{10}", created.room_code)
    assert re.fullmatch(r"[0-9]{10}", created.conference_password)
    assert re.fullmatch(r"[0-9]{10}", created.host_password)
    assert created.external_link_url.startswith(
        f"{server.url}/app?roomCode={created.room_code}&token=1_"
    )

    cid = created.conference_id
    for who in ("u-alice", "u-bob", "u-carol"):
        server.participants.join(cid, who)
    server.participants.leave(cid, "u-carol")

    info = query(conf, acme_token, cid).body.conf_info
    assert (info.active_num, info.attend_num, info.invited_num, info.status) == (2, 3, 2, 2)
    assert info.end_time is None and info.conf_duration is None
    assert info.biz_type == "0"
    assert (info.creator_id, info.creator_nick) == ("u-host", "Hana Host")
    assert (info.title, info.room_code, info.conference_id) == (
        "Quarterly review",
        created.room_code,
        cid,
    )
    assert info.external_link_url == created.external_link_url
    assert info.cloud_record_status == 0 and info.cloud_record_owner_union_id is None
    assert info.schedule_conference_id is None
    assert info.extension_app_settings == []
    # The id's first 8 hex digits are the creation second, which is startTime.
    assert int(cid[:8], 16) == info.start_time // 1000
    assert before_ms <= info.start_time <= server.clock.advance(0)

    closed = close(conf, acme_token, cid, "u-host")
    assert (closed.status_code, closed.body.code, closed.body.cause) == (200, 200, "success")

    ended = query(conf, acme_token, cid).body.conf_info
    assert (ended.status, ended.active_num, ended.attend_num) == (1, 0, 3)
    assert ended.end_time is not None and ended.end_time >= ended.start_time
    assert ended.conf_duration == ended.end_time - ended.start_time


def test_title_truncated_at_50(conf, acme_token, create_meeting):
    title = "T" * 49 + "界" + "x" * 100
    cid = create_meeting(title).conference_id
    assert query(conf, acme_token, cid).body.conf_info.title == title[:50]


def test_duplicate_and_self_invitations_count_once(conf, acme_token, create_meeting):
    cid = create_meeting(invitees=["u-bob", "u-bob", "u-host", "u-alice"]).conference_id
    assert query(conf, acme_token, cid).body.conf_info.invited_num == 2


def test_room_codes_of_live_meetings_differ(create_meeting):
    codes = {create_meeting().room_code for _ in range(20)}
    assert len(codes) == 20


# --- every error of the query -------------------------------------------------------------


def test_query_without_token_header(conf, create_meeting):
    cid = create_meeting().conference_id
    assert_sdk_error(lambda: query(conf, None, cid), 400, "AuthenticationFailed.MissingParameter")


def test_query_with_unknown_token(conf, create_meeting):
    cid = create_meeting().conference_id
    assert_sdk_error(lambda: query(conf, "0" * 32, cid), 400, "InvalidAuthentication")


def test_query_without_read_scope(server, conf, oauth, create_meeting):
    cid = create_meeting().conference_id
    writer = app_token(oauth, "acme-writer", "writer-secret")
    error = assert_sdk_error(
        lambda: query(conf, writer, cid), 403, "Forbidden.AccessDenied.AccessTokenPermissionDenied"
    )
    assert error.data["accessdenieddetail"] == {
        "requiredScopes": ["VideoConference.Conference.Read"]
    }


def test_query_another_orgs_meeting(conf, oauth, create_meeting):
    cid = create_meeting().conference_id
    globex = app_token(oauth, "globex-app", "globex-secret")
    assert_sdk_error(lambda: query(conf, globex, cid), 403, "noPermission")


def test_query_unknown_meeting(conf, acme_token):
    assert_sdk_error(
        lambda: query(conf, acme_token, "6323d7568777190142ab9d10"), 404, "roomNotFound"
    )


@pytest.mark.parametrize(
    "bad_id", ["not-an-id", "6323D7568777190142AB9D10", "6323d75687771901", "x y"]
)
def test_query_malformed_id(conf, acme_token, bad_id):
    assert_sdk_error(lambda: query(conf, acme_token, bad_id), 400, "paramError")


@pytest.mark.parametrize("empty_id", ["", " "])
def test_query_empty_id(conf, acme_token, empty_id):
    assert_sdk_error(lambda: query(conf, acme_token, empty_id), 400, "missingRoomId")


# --- create and close errors --------------------------------------------------------------


def _create(conf, token, **fields):
    return conf.create_video_conference_with_options(
        m.CreateVideoConferenceRequest(**fields),
        m.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=token),
        RUNTIME,
    )


def test_create_errors(conf, oauth, acme_token):
    assert_sdk_error(
        lambda: _create(conf, acme_token, user_id="nobody", conf_title="t"), 400, "unknownUserError"
    )
    assert_sdk_error(
        lambda: _create(
            conf, acme_token, user_id="u-host", conf_title="t", invite_user_ids=["g-host"]
        ),
        400,
        "unknownUserError",
    )
    assert_sdk_error(
        lambda: _create(conf, acme_token, user_id="u-host", conf_title="x" * 257),
        400,
        "paramsTitleError",
    )
    assert_sdk_error(
        lambda: _create(conf, acme_token, user_id="u-host", conf_title="  "),
        400,
        "paramsTitleError",
    )
    assert_sdk_error(lambda: _create(conf, acme_token, user_id="u-host"), 400, "MissingconfTitle")
    assert_sdk_error(lambda: _create(conf, acme_token, conf_title="t"), 400, "MissinguserId")
    reader = app_token(oauth, "acme-reader", "reader-secret")
    error = assert_sdk_error(
        lambda: _create(conf, reader, user_id="u-host", conf_title="t"),
        403,
        "Forbidden.AccessDenied.AccessTokenPermissionDenied",
    )
    assert error.data["accessdenieddetail"]["requiredScopes"] == [
        "VideoConference.Conference.Write"
    ]


def test_title_of_256_is_accepted(conf, acme_token):
    resp = _create(conf, acme_token, user_id="u-host", conf_title="y" * 256)
    assert resp.status_code == 200


def test_close_errors(conf, oauth, acme_token, create_meeting):
    cid = create_meeting().conference_id
    assert_sdk_error(lambda: close(conf, acme_token, cid, "u-alice"), 404, "permissionError")
    assert_sdk_error(lambda: close(conf, acme_token, cid, None), 400, "MissingunionId")
    globex = app_token(oauth, "globex-app", "globex-secret")
    assert_sdk_error(lambda: close(conf, globex, cid, "u-host"), 400, "orgAccessForbidden")
    assert_sdk_error(
        lambda: close(conf, acme_token, "6323d7568777190142ab9d10", "u-host"), 400, "paramsError"
    )
    assert_sdk_error(lambda: close(conf, acme_token, "bogus", "u-host"), 400, "paramsError")
    reader = app_token(oauth, "acme-reader", "reader-secret")
    assert_sdk_error(
        lambda: close(conf, reader, cid, "u-host"),
        403,
        "Forbidden.AccessDenied.AccessTokenPermissionDenied",
    )
    # Nothing above changed the meeting.
    assert query(conf, acme_token, cid).body.conf_info.status == 2
    close(conf, acme_token, cid, "u-host")
    assert_sdk_error(lambda: close(conf, acme_token, cid, "u-host"), 400, "resourceClose")


def test_close_makes_everyone_leave_at_the_end_time(server, conf, acme_token, create_meeting):
    cid = create_meeting().conference_id
    server.participants.join(cid, "u-alice")
    server.participants.join(cid, "u-bob")
    close(conf, acme_token, cid, "u-host")
    end = query(conf, acme_token, cid).body.conf_info.end_time
    status, _, body = server.request("GET", f"/_dingconf/conferences/{cid}/participants")
    assert status == 200
    assert {
        p["unionId"]: (p["attendStatus"], p.get("leaveTime")) for p in body["participants"]
    } == {"u-alice": (6, end), "u-bob": (6, end)}
    # The host was rung at creation (inviteCaller) and never answered: a member, not a participant.
    assert member_map(conf, acme_token, cid)["u-host"].attend_status == 4


# --- tokens ---------------------------------------------------------------------------------


def test_internal_app_token_is_stable_within_validity(oauth):
    first = oauth.get_access_token(
        om.GetAccessTokenRequest(app_key="acme-app", app_secret="acme-secret")
    ).body
    second = oauth.get_access_token(
        om.GetAccessTokenRequest(app_key="acme-app", app_secret="acme-secret")
    ).body
    assert first.access_token == second.access_token
    assert re.fullmatch(r"[0-9a-f]{32}", first.access_token)
    assert first.expire_in == second.expire_in == 7200


def test_internal_app_token_errors(oauth):
    assert_sdk_error(
        lambda: oauth.get_access_token(
            om.GetAccessTokenRequest(app_key="acme-app", app_secret="wrong")
        ),
        400,
        "invalidClientIdOrSecret",
    )
    assert_sdk_error(
        lambda: oauth.get_access_token(
            om.GetAccessTokenRequest(app_key="no-such-app", app_secret="x")
        ),
        400,
        "invalidClientIdOrSecret",
    )
    assert_sdk_error(
        lambda: oauth.get_access_token(om.GetAccessTokenRequest(app_key="acme-app")),
        400,
        "MissingappSecret",
    )


def _corp_token(oauth, suite_key="suite-x", secret="suite-secret", corp="dingacme"):
    return oauth.get_corp_access_token(
        om.GetCorpAccessTokenRequest(
            suite_key=suite_key, suite_secret=secret, auth_corp_id=corp, suite_ticket="any"
        )
    )


def test_corp_token_is_new_each_call_and_reads_the_authorising_corp(conf, oauth, create_meeting):
    first, second = _corp_token(oauth).body, _corp_token(oauth).body
    assert first.access_token != second.access_token
    assert first.expire_in == 7200
    cid = create_meeting().conference_id
    # Both tokens stay valid; the suite holds only the Read scope.
    for token in (first.access_token, second.access_token):
        assert query(conf, token, cid).body.conf_info.conference_id == cid
    assert_sdk_error(
        lambda: _create(conf, first.access_token, user_id="u-host", conf_title="t"),
        403,
        "Forbidden.AccessDenied.AccessTokenPermissionDenied",
    )


def test_corp_token_errors(oauth):
    assert_sdk_error(lambda: _corp_token(oauth, suite_key="nope"), 400, "invalidSuiteKey")
    assert_sdk_error(lambda: _corp_token(oauth, secret="wrong"), 400, "invalidSuiteKey")
    assert_sdk_error(lambda: _corp_token(oauth, corp="dingglobex"), 400, "invalidAuthInfo")


def test_expired_token_is_refused(fresh_server: DingconfServer):
    oauth = OAuthClient(sdk_config(fresh_server))
    conf = ConferenceClient(sdk_config(fresh_server))
    token = app_token(oauth, "acme-app", "acme-secret")
    cid = _create(conf, token, user_id="u-host", conf_title="t").body.conference_id
    fresh_server.clock.advance(7199 * 1000)
    assert query(conf, token, cid).status_code == 200
    fresh_server.clock.advance(1000)
    assert_sdk_error(lambda: query(conf, token, cid), 400, "InvalidAuthentication")
    # After expiry the app gets a new token, which works.
    renewed = app_token(oauth, "acme-app", "acme-secret")
    assert renewed != token
    assert query(conf, renewed, cid).status_code == 200


def test_asking_again_renews_the_internal_token(fresh_server: DingconfServer):
    oauth = OAuthClient(sdk_config(fresh_server))
    conf = ConferenceClient(sdk_config(fresh_server))
    token = app_token(oauth, "acme-app", "acme-secret")
    cid = _create(conf, token, user_id="u-host", conf_title="t").body.conference_id
    fresh_server.clock.advance(7000 * 1000)
    assert app_token(oauth, "acme-app", "acme-secret") == token  # renewed for 7200 s more
    fresh_server.clock.advance(7000 * 1000)
    assert query(conf, token, cid).status_code == 200
