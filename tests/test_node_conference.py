"""The official Node.js conference SDK (``@alicloud/dingtalk``) against dingconf.

One run of tests/node/conference.mjs: a meeting's life and calls that must
fail, each as the SDK parsed it. SQLite only: the wire is the same on both
backends, which the Python SDK tests check.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest

from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer
from node_sdk import run_script

from conftest import SEED


@pytest.fixture(scope="module")
def node_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DingconfServer]:
    """This module's server, on SQLite."""
    srv = InProcessServer(tmp_path_factory.mktemp("node-conference"), seed=SEED).start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def run(node_server: DingconfServer) -> dict[str, Any]:
    """What the script printed: each call's status and body, or the SDK's error."""
    result: dict[str, Any] = run_script("conference.mjs", node_server.url)
    return result


def test_token_create_and_close(node_server: DingconfServer, run: dict[str, Any]) -> None:
    token = run["token"]
    assert token["statusCode"] == 200
    assert re.fullmatch(r"[0-9a-f]{32}", token["body"]["accessToken"])
    assert token["body"]["expireIn"] == 7200

    created = run["created"]
    assert created["statusCode"] == 200
    body = created["body"]
    assert re.fullmatch(r"[0-9a-f]{24}", body["conferenceId"])
    assert re.fullmatch(r"[1-9][0-9]{10}", body["roomCode"])
    assert re.fullmatch(r"[0-9]{10}", body["conferencePassword"])
    assert re.fullmatch(r"[0-9]{10}", body["hostPassword"])
    assert body["externalLinkUrl"].startswith(
        f"{node_server.url}/app?roomCode={body['roomCode']}&token=1_"
    )

    assert run["closed"] == {"statusCode": 200, "body": {"code": 200, "cause": "success"}}


def test_query_info_while_running_and_after_close(run: dict[str, Any]) -> None:
    created = run["created"]["body"]
    assert run["info"]["statusCode"] == 200
    info = run["info"]["body"]["confInfo"]
    # Alice and Bob inside, Carol came and left, the host never joined.
    assert (info["status"], info["activeNum"], info["attendNum"]) == (2, 2, 3)
    assert (info["conferenceId"], info["roomCode"]) == (
        created["conferenceId"],
        created["roomCode"],
    )
    assert (info["title"], info["creatorId"], info["creatorNick"]) == (
        "Node review",
        "u-host",
        "Hana Host",
    )
    assert info["bizType"] == "0" and info["externalLinkUrl"] == created["externalLinkUrl"]
    assert "endTime" not in info and "confDuration" not in info
    # The id's first 8 hex digits are the creation second, which is startTime.
    assert int(info["conferenceId"][:8], 16) == info["startTime"] // 1000

    ended = run["infoClosed"]["body"]["confInfo"]
    assert (ended["status"], ended["activeNum"], ended["attendNum"]) == (1, 0, 3)
    assert ended["confDuration"] == ended["endTime"] - ended["startTime"] >= 0


def test_query_members(run: dict[str, Any]) -> None:
    assert run["members"]["statusCode"] == 200
    body = run["members"]["body"]
    assert (body["totalCount"], body["nextToken"]) == (4, "")
    by_id = {m["unionId"]: m for m in body["memberModels"]}
    assert {who: m["attendStatus"] for who, m in by_id.items()} == {
        "u-host": 2,  # invited by creating, never joined: still being called
        "u-alice": 3,
        "u-bob": 3,
        "u-carol": 6,
    }
    assert (by_id["u-host"]["host"], by_id["u-alice"]["host"]) == (True, False)
    assert by_id["u-bob"]["userNick"] == "Bob"
    carol = by_id["u-carol"]
    assert carol["leaveTime"] >= carol["joinTime"] > 0
    assert carol["duration"] == carol["leaveTime"] - carol["joinTime"]
    assert "joinTime" not in by_id["u-host"]


ERRORS = {
    "badSecret": (400, "invalidClientIdOrSecret"),
    "missingToken": (400, "AuthenticationFailed.MissingParameter"),
    "badToken": (400, "InvalidAuthentication"),
    "otherOrg": (403, "noPermission"),
    "unknownId": (400, "paramError"),
    "missingTitle": (400, "MissingconfTitle"),
    "notHost": (404, "permissionError"),
    "closedAgain": (400, "resourceClose"),
}


@pytest.mark.parametrize("call", ERRORS)
def test_error_shapes(run: dict[str, Any], call: str) -> None:
    error = run["errors"][call]["error"]
    status, code = ERRORS[call]
    assert (error["code"], error["statusCode"]) == (code, status)
    data = error["data"]
    assert set(data) == {"code", "message", "requestid", "statusCode"}
    assert (data["code"], data["statusCode"]) == (code, status)
    # The SDK's message: "<code>: code: <status>, <message> request id: <requestid>".
    assert error["message"] == (
        f"{code}: code: {status}, {data['message']} request id: {data['requestid']}"
    )
