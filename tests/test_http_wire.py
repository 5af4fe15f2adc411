"""Plain-HTTP tests: exact JSON types, absent fields, headers and error bodies."""

import re

import httpx
import pytest

from in_process_server import InProcessServer

from backends import drop_meeting_tables
from conftest import auth

REQUEST_ID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
CONF_INFO_TYPES = {
    "conferenceId": str,
    "title": str,
    "status": int,
    "bizType": str,
    "roomCode": str,
    "externalLinkUrl": str,
    "creatorId": str,
    "creatorNick": str,
    "startTime": int,
    "activeNum": int,
    "attendNum": int,
    "invitedNum": int,
    "cloudRecordStatus": int,
    "extensionAppSettings": list,
}
NEVER = {"minutesStatus", "minutesOwnerUnionId", "scheduleConferenceId", "cloudRecordOwnerUnionId"}


def assert_error(resp: httpx.Response, status: int, code: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/json;charset=utf-8"
    body = resp.json()
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert REQUEST_ID.fullmatch(body["requestid"])
    assert resp.headers["x-acs-request-id"] == body["requestid"]
    assert "Traceback" not in resp.text
    return body


def create(http: httpx.Client, token: str, **extra) -> dict:
    resp = http.post(
        "/v1.0/conference/videoConferences",
        headers=auth(token),
        json={"userId": "u-host", "confTitle": "Wire", **extra},
    )
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_create_response_types(http, token):
    body = create(http, token, inviteUserIds=["u-bob"], inviteCaller=False)
    assert set(body) == {
        "conferenceId",
        "conferencePassword",
        "hostPassword",
        "externalLinkUrl",
        "roomCode",
        "phoneNumbers",
    }
    assert all(isinstance(body[k], str) for k in body if k != "phoneNumbers")
    assert body["phoneNumbers"] == []


def test_conf_info_types_while_running_and_after_close(server, http, token):
    cid = create(http, token)["conferenceId"]
    server.participants.join(cid, "u-alice")
    resp = http.get(f"/v1.0/conference/videoConferences/{cid}", headers=auth(token))
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/json;charset=utf-8"
    assert REQUEST_ID.fullmatch(resp.headers["x-acs-request-id"])
    assert list(resp.json()) == ["confInfo"]
    info = resp.json()["confInfo"]
    assert {k: type(v) for k, v in info.items()} == CONF_INFO_TYPES
    assert not NEVER & set(info) and "endTime" not in info and "confDuration" not in info
    assert info["bizType"] == "0" and info["status"] == 2
    assert "null" not in resp.text

    resp = http.delete(
        f"/v1.0/conference/videoConferences/{cid}",
        params={"unionId": "u-host"},
        headers=auth(token),
    )
    assert resp.status_code == 200
    assert resp.json() == {"code": 200, "cause": "success"}

    info = http.get(f"/v1.0/conference/videoConferences/{cid}", headers=auth(token)).json()[
        "confInfo"
    ]
    assert {k: type(v) for k, v in info.items()} == CONF_INFO_TYPES | {
        "endTime": int,
        "confDuration": int,
    }
    assert info["confDuration"] == info["endTime"] - info["startTime"]


def test_token_response_types(http):
    resp = http.post(
        "/v1.0/oauth2/accessToken", json={"appKey": "acme-app", "appSecret": "acme-secret"}
    )
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"accessToken", "expireIn"}
    assert isinstance(body["accessToken"], str) and body["expireIn"] == 7200


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "AuthenticationFailed.MissingParameter"),
        ({"authorization": "Bearer abc"}, "AuthenticationFailed.MissingParameter"),
        ({"x-acs-dingtalk-access-token": ""}, "AuthenticationFailed.MissingParameter"),
        ({"x-acs-dingtalk-access-token": "garbage"}, "InvalidAuthentication"),
    ],
)
def test_auth_errors(http, token, headers, code):
    cid = create(http, token)["conferenceId"]
    assert_error(http.get(f"/v1.0/conference/videoConferences/{cid}", headers=headers), 400, code)


def test_token_as_query_parameter_is_not_accepted(http, token):
    cid = create(http, token)["conferenceId"]
    resp = http.get(f"/v1.0/conference/videoConferences/{cid}", params={"access_token": token})
    assert_error(resp, 400, "AuthenticationFailed.MissingParameter")


def test_header_name_is_case_insensitive(http, token):
    cid = create(http, token)["conferenceId"]
    resp = http.get(
        f"/v1.0/conference/videoConferences/{cid}", headers={"X-Acs-DingTalk-Access-Token": token}
    )
    assert resp.status_code == 200


def test_scope_error_body(http):
    writer = http.post(
        "/v1.0/oauth2/accessToken", json={"appKey": "acme-writer", "appSecret": "writer-secret"}
    )
    body = assert_error(
        http.get(
            "/v1.0/conference/videoConferences/6323d7568777190142ab9d10",
            headers=auth(writer.json()["accessToken"]),
        ),
        403,
        "Forbidden.AccessDenied.AccessTokenPermissionDenied",
    )
    assert body["accessdenieddetail"] == {"requiredScopes": ["VideoConference.Conference.Read"]}


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/v1.0/conference/videoConferences/6323d7568777190142ab9d10", 404, "roomNotFound"),
        ("/v1.0/conference/videoConferences/zzz", 400, "paramError"),
        ("/v1.0/conference/videoConferences/", 400, "missingRoomId"),
        ("/v1.0/conference/videoConferences/%20", 400, "missingRoomId"),
    ],
)
def test_query_errors(http, token, path, status, code):
    assert_error(http.get(path, headers=auth(token)), status, code)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "Missingbody"),
        (b"appKey=a&appSecret=b", "Missingbody"),
        (b"{not json", "Missingbody"),
        (b"[1, 2]", "Missingbody"),
        (b'"text"', "Missingbody"),
        (b"{}", "MissingappKey"),
        (b'{"appKey": "acme-app"}', "MissingappSecret"),
        (b'{"appKey": 5, "appSecret": "x"}', "InvalidParameter"),
    ],
)
def test_token_body_errors(http, content, code):
    assert_error(http.post("/v1.0/oauth2/accessToken", content=content), 400, code)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "Missingbody"),
        (b"{oops", "Missingbody"),
        (b'{"confTitle": "t"}', "MissinguserId"),
        (b'{"userId": "u-host"}', "MissingconfTitle"),
        (b'{"userId": "u-host", "confTitle": 7}', "paramsError"),
        (b'{"userId": "u-host", "confTitle": "t", "inviteUserIds": "u-bob"}', "paramsError"),
        (b'{"userId": "u-host", "confTitle": "t", "inviteCaller": "yes"}', "paramsError"),
    ],
)
def test_create_body_errors(http, token, content, code):
    assert_error(
        http.post("/v1.0/conference/videoConferences", content=content, headers=auth(token)),
        400,
        code,
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/"),
        ("GET", "/v1.0/conference/nothing"),
        ("GET", "/conference/videoConferences/6323d7568777190142ab9d10"),
        ("PATCH", "/v1.0/conference/videoConferences/6323d7568777190142ab9d10"),
        ("GET", "/v1.0/oauth2/accessToken"),
        ("PUT", "/v1.0/conference/videoConferences"),
    ],
)
def test_unknown_routes_and_methods(http, method, path):
    assert_error(http.request(method, path), 404, "InvalidAction.NotFound")


def test_unexpected_failure_is_system_error_json(tmp_path, database_url):
    server = InProcessServer(
        tmp_path,
        seed={
            "orgs": [
                {
                    "corpId": "dingx",
                    "users": [{"unionId": "u"}],
                    "apps": [{"appKey": "k", "appSecret": "s"}],
                }
            ]
        },
        database=database_url,
    ).start()
    try:
        token = server.token("k", "s")
        drop_meeting_tables(database_url)  # break the database under the running server
        with httpx.Client(base_url=server.url) as http:
            resp = http.get(
                "/v1.0/conference/videoConferences/6323d7568777190142ab9d10", headers=auth(token)
            )
        body = assert_error(resp, 500, "systemError")
        assert body["message"] == "SYSTEM ERROR"
        assert "conferences" not in resp.text  # no internals leak
    finally:
        server.stop()
    # The server logged the failure with the same request id.
    log = server.log()
    assert body["requestid"] in log
    assert token not in log
