"""Shortcuts for tests that drive a DingconfServer over plain HTTP."""

from typing import Any

from dingconf.testing.plugin import DingconfServer

TOKEN_HEADER = "x-acs-dingtalk-access-token"


def new_meeting(server: DingconfServer, token: str, title: str = "test") -> str:
    """Create an instant meeting hosted by u-host; its conferenceId."""
    status, _, body = server.request(
        "POST",
        "/v1.0/conference/videoConferences",
        {"userId": "u-host", "confTitle": title},
        {TOKEN_HEADER: token},
    )
    assert status == 200, body
    return str(body["conferenceId"])


def conf_info(server: DingconfServer, token: str, cid: str) -> dict[str, Any]:
    """QueryConferenceInfo's ``confInfo``, asserting a 200."""
    status, _, body = server.request(
        "GET", f"/v1.0/conference/videoConferences/{cid}", headers={TOKEN_HEADER: token}
    )
    assert status == 200, body
    return dict(body["confInfo"])


def suite_token(server: DingconfServer) -> str:
    """A corp token of the seed's suite-x for dingacme."""
    status, _, body = server.request(
        "POST",
        "/v1.0/oauth2/corpAccessToken",
        {
            "suiteKey": "suite-x",
            "suiteSecret": "suite-secret",
            "authCorpId": "dingacme",
            "suiteTicket": "t",
        },
    )
    assert status == 200, body
    return str(body["accessToken"])


def participants(server: DingconfServer, cid: str) -> list[dict[str, Any]]:
    """Everyone who joined a meeting (the control API's listing, every page walked)."""
    found: list[dict[str, Any]] = []
    token = ""
    while True:
        status, _, body = server.request(
            "GET",
            f"/_dingconf/conferences/{cid}/participants?maxResults=2000&nextToken={token}",
        )
        assert status == 200, body
        found += body["participants"]
        token = body["nextToken"]
        if not token:
            return found
