"""Recording whitelist, auto-login URLs and custom short links through the official SDK."""

import json
import re

import httpx
import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient

from lifecycle import book, info, sdk, token_of

from backends import table_rows
from conftest import auth, sdk_config
from sdk_errors import assert_sdk_error

WL = m.OptRecordWhiteAccountRequestRequestBody
RANGE = m.OptRecordWhiteAccountRequestRequestBodySettingRangeList
TEN_MINUTES = 10 * 60 * 1000


def whitelist_request(*union_ids, operation=1, biz_type="cloud_record", kind=3, by="u-host"):
    ranges = [RANGE(setting_range_id=u, setting_range_type=kind) for u in union_ids]
    body = WL(biz_type=biz_type, operation=operation, setting_range_list=ranges, union_id=by)
    return m.OptRecordWhiteAccountRequest(request_body=body)


def record(union_id):
    return m.StartCloudRecordRequest(union_id=union_id)


@pytest.fixture
def own(fresh_server):
    """An SDK client and Acme token of a private server (its whitelist and clock)."""
    return ConferenceClient(sdk_config(fresh_server)), fresh_server.token("acme-app", "acme-secret")


def new_meeting(conf, token, host="u-host"):
    request = m.CreateVideoConferenceRequest(user_id=host, conf_title="Rec")
    return sdk(conf, token, "CreateVideoConference", request)


def test_whitelisted_account_may_record_without_hosting(fresh_server, own):
    conf, token = own
    cid = new_meeting(conf, token).conference_id
    stop = m.StopCloudRecordRequest(union_id="u-carol")
    assert_sdk_error(
        lambda: sdk(conf, token, "StartCloudRecord", cid, record("u-carol")),
        404,
        "recordStartPermissionError",
    )
    body = sdk(conf, token, "OptRecordWhiteAccount", whitelist_request("u-carol", "u-dave"))
    assert body.to_map() == {"code": "200"}
    status, _, listed = fresh_server.request("GET", "/_dingconf/orgs/dingacme/recordWhitelist")
    assert (status, listed) == (200, {"unionIds": ["u-carol", "u-dave"]})
    sdk(conf, token, "StartCloudRecord", cid, record("u-carol"))
    confinfo = info(conf, token, cid)
    assert (confinfo.cloud_record_status, confinfo.cloud_record_owner_union_id) == (1, "u-carol")
    sdk(conf, token, "StopCloudRecord", cid, stop)
    # Removed again: back to the host only. Local recording is a list of its own.
    sdk(conf, token, "OptRecordWhiteAccount", whitelist_request("u-carol", operation=2))
    sdk(conf, token, "OptRecordWhiteAccount", whitelist_request("u-carol", biz_type="local_record"))
    assert_sdk_error(
        lambda: sdk(conf, token, "StartCloudRecord", cid, record("u-carol")),
        404,
        "recordStartPermissionError",
    )
    status, _, listed = fresh_server.request("GET", "/_dingconf/orgs/dingacme/recordWhitelist")
    assert listed == {"unionIds": ["u-dave"]}


def test_whitelist_errors(fresh_server, own):
    conf, token = own
    globex_conf_token = fresh_server.token("globex-app", "globex-secret")
    cases = [
        (token, whitelist_request("u-carol", biz_type="screen"), "paramError"),
        (token, whitelist_request("u-carol", operation=7), "paramError"),
        (token, whitelist_request("u-carol", kind=1), "paramError"),
        (token, whitelist_request("nobody"), "unknownUserError"),
        (token, whitelist_request("u-carol", by="nobody"), "unknownUserError"),
        # Another organisation's users are unknown in yours.
        (globex_conf_token, whitelist_request("u-carol", by="g-host"), "unknownUserError"),
    ]
    for tok, request, code in cases:
        assert_sdk_error(
            lambda t=tok, r=request: sdk(conf, t, "OptRecordWhiteAccount", r), 400, code
        )
    _, _, listed = fresh_server.request("GET", "/_dingconf/orgs/dingacme/recordWhitelist")
    assert listed == {"unionIds": []}
    # Plain HTTP: the SDK puts requestBody as JSON in the query string.
    with httpx.Client(base_url=fresh_server.url) as client:
        path = "/v1.0/conference/videoConferences/enterpriseSetting/record/whiteAccount"
        body = {"bizType": "cloud_record", "operation": 1, "unionId": "u-host"}
        ok = client.post(path, headers=auth(token), params={"requestBody": json.dumps(body)})
        assert (ok.status_code, ok.json()) == (200, {"code": "200"})
        bad = client.post(path, headers=auth(token), params={"requestBody": "{"})
        assert (bad.status_code, bad.json()["code"]) == (400, "paramError")
        missing = client.post(path, headers=auth(token))
        assert (missing.status_code, missing.json()["code"]) == (400, "MissingrequestBody")


def login(conf, token, url, union_id="u-alice"):
    request = m.CreateAutoLoginUrlRequest(meeting_url=url, union_id=union_id)
    return sdk(conf, token, "CreateAutoLoginUrl", request)


def test_auto_login_url_lands_the_person_in_the_meeting_once(fresh_server, own):
    conf, token = own
    created = new_meeting(conf, token)
    body = login(conf, token, created.external_link_url)
    assert body.success is True
    assert set(body.to_map()) == {"loginInfo", "success"}
    login_url = body.login_info.login_url
    assert login_url.startswith(fresh_server.url + "/autoLogin/")
    with httpx.Client(follow_redirects=False) as client:
        landed = client.get(login_url)
        assert landed.status_code == 302
        # The person's own member pass comes along: the join page admits them by it.
        person, member_pass = landed.headers["location"].split("&memberPass=")
        assert person == created.external_link_url + "&unionId=u-alice"
        assert re.fullmatch(r"[0-9]+\.[0-9a-f]{64}", member_pass)
        again = client.get(login_url)
        assert (again.status_code, again.json()["code"]) == (404, "loginUrlNotFound")
        # Valid for ten minutes on the server clock.
        late = login(conf, token, created.external_link_url).login_info.login_url
        fresh_server.clock.advance(TEN_MINUTES)
        expired = client.get(late)
        assert (expired.status_code, expired.json()["code"]) == (404, "loginUrlNotFound")
        forged = client.get(fresh_server.url + "/autoLogin/" + "A" * 22)
        assert forged.status_code == 404
    fresh_server.stop()
    # The URL's token acts as a credential: neither the database nor the log holds it.
    secret = login_url.rsplit("/", 1)[1]
    if fresh_server.database.startswith("sqlite:///"):
        stored = b"".join(p.read_bytes() for p in fresh_server.workdir.glob("dingconf.sqlite3*"))
    else:
        stored = "\n".join(row for _, row in table_rows(fresh_server.database)).encode()
    assert b"u-alice" in stored  # the link's row is there
    assert secret.encode() not in stored
    assert secret not in fresh_server.log()


def test_auto_login_url_for_a_booking_link(conf, acme_token):
    booking = book(conf, acme_token)
    login_url = login(conf, acme_token, booking.url, "u-bob").login_info.login_url
    with httpx.Client(follow_redirects=False) as client:
        landed = client.get(login_url)
    assert (landed.status_code, landed.headers["location"]) == (302, booking.url + "?unionId=u-bob")
    cancel = m.CancelScheduleConferenceRequest(
        creator_union_id="u-host", schedule_conference_id=booking.schedule_conference_id
    )
    sdk(conf, acme_token, "CancelScheduleConference", cancel)
    assert_sdk_error(lambda: login(conf, acme_token, booking.url), 400, "resourceCancel")


def test_auto_login_url_errors(server, conf, oauth, acme_token, create_meeting):
    globex = token_of(oauth, "globex-app", "globex-secret")
    created = create_meeting()
    url = created.external_link_url
    for tok, meeting_url, union_id, code in [
        (acme_token, url + "x", "u-alice", "paramsError"),
        (acme_token, "https://meeting.dingtalk.com/j/abc", "u-alice", "paramsError"),
        (acme_token, url, "nobody", "unknownUserError"),
        (globex, url, "g-host", "paramsError"),
    ]:
        assert_sdk_error(
            lambda t=tok, u=meeting_url, who=union_id: login(conf, t, u, who), 400, code
        )
    sdk(
        conf,
        acme_token,
        "CloseVideoConference",
        created.conference_id,
        m.CloseVideoConferenceRequest(union_id="u-host"),
    )
    assert_sdk_error(lambda: login(conf, acme_token, url), 400, "resourceClose")


def short(conf, token, sid, creator="u-host", code="COOLAPP-0-1"):
    request = m.CreateCustomShortLinkRequest(
        creator_union_id=creator,
        schedule_conference_id=sid,
        cool_app_code=code,
        extension_app_biz_data="bizData",
        use_extension_app=True,
    )
    return sdk(conf, token, "CreateCustomShortLink", request)


def test_short_link_redirects_to_the_booking_until_cancelled(server, conf, acme_token, http, token):
    booking = book(conf, acme_token)
    body = short(conf, acme_token, booking.schedule_conference_id)
    assert set(body.to_map()) == {"result"}
    link = body.result.custom_short_link
    code = link.rsplit("/", 1)[1]
    assert link == f"{server.url}/s/{code}" and len(code) == 11 and code.isalnum()
    with httpx.Client(follow_redirects=False) as client:
        landed = client.get(link)
        assert (landed.status_code, landed.headers["location"]) == (302, booking.url)
        assert client.get(link).status_code == 302  # not single-use
        cancel = m.CancelScheduleConferenceRequest(
            creator_union_id="u-host", schedule_conference_id=booking.schedule_conference_id
        )
        sdk(conf, acme_token, "CancelScheduleConference", cancel)
        gone = client.get(link)
        assert (gone.status_code, gone.json()["code"]) == (404, "shortLinkNotFound")
    resp = http.post(
        "/v1.0/conference/customShortLinks",
        headers=auth(token),
        json={
            "creatorUnionId": "u-host",
            "scheduleConferenceId": book(conf, acme_token).schedule_conference_id,
            "coolAppCode": "COOLAPP-0-1",
        },
    )
    assert resp.status_code == 200
    assert isinstance(resp.json()["result"]["customShortLink"], str)


def test_short_link_errors(conf, oauth, acme_token):
    globex = token_of(oauth, "globex-app", "globex-secret")
    sid = book(conf, acme_token).schedule_conference_id
    theirs = book(conf, globex, creator="g-host").schedule_conference_id
    for creator, schedule_id, code, status, error in [
        ("u-alice", sid, "COOLAPP-0-1", 400, "creatorUidError"),
        ("u-host", "no-such-booking", "COOLAPP-0-1", 400, "scheduleConferenceIdError"),
        ("nobody", sid, "COOLAPP-0-1", 400, "userNotInOrg"),
        ("u-host", sid, "", 400, "paramError"),
        ("u-host", theirs, "COOLAPP-0-1", 403, "noPermission"),
    ]:
        assert_sdk_error(
            lambda s=schedule_id, c=creator, k=code: short(conf, acme_token, s, c, k), status, error
        )
