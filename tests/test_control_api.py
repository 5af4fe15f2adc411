"""The control API: participants joining and leaving, the clock, and its protection."""

from pathlib import Path

import httpx
import pytest

from dingconf.core.config import Settings
from dingconf.testing.plugin import DingconfServer
from over_http import conf_info, new_meeting


@pytest.fixture(scope="module")
def token(server: DingconfServer) -> str:
    return server.token("acme-app", "acme-secret")


def test_join_twice_counts_once_and_rejoin_keeps_attend_num(server, token):
    cid = new_meeting(server, token)
    server.participants.join(cid, "u-alice")
    server.participants.join(cid, "u-alice")
    assert (
        conf_info(server, token, cid)["activeNum"],
        conf_info(server, token, cid)["attendNum"],
    ) == (1, 1)
    server.participants.leave(cid, "u-alice")
    assert (
        conf_info(server, token, cid)["activeNum"],
        conf_info(server, token, cid)["attendNum"],
    ) == (0, 1)
    server.participants.join(cid, "u-alice")
    assert (
        conf_info(server, token, cid)["activeNum"],
        conf_info(server, token, cid)["attendNum"],
    ) == (1, 1)


def test_outsiders_can_join_with_their_own_nick(server, token):
    cid = new_meeting(server, token)
    server.participants.join(cid, "guest-1", nick="Visitor")
    server.participants.join(cid, "u-bob")
    _, _, body = server.request("GET", f"/_dingconf/conferences/{cid}/participants")
    assert [(p["unionId"], p["nick"], p["attendStatus"]) for p in body["participants"]] == [
        # Not the host: rung at creation (inviteCaller), a member but not a participant.
        ("guest-1", "Visitor", 3),
        ("u-bob", "Bob", 3),
    ]


def test_leave_refusals(server, token):
    cid = new_meeting(server, token)
    status, _, body = server.request(
        "POST", f"/_dingconf/conferences/{cid}/leave", {"unionId": "u-bob"}
    )
    assert (status, body["code"]) == (400, "notInConference")
    status, _, body = server.request("POST", f"/_dingconf/conferences/{cid}/leave", {})
    assert (status, body["code"]) == (400, "MissingunionId")


def test_joining_an_ended_meeting_is_refused(server, token):
    cid = new_meeting(server, token)
    server.participants.join(cid, "u-alice")
    server.request(
        "DELETE",
        f"/v1.0/conference/videoConferences/{cid}?unionId=u-host",
        headers={"x-acs-dingtalk-access-token": token},
    )
    status, _, body = server.request(
        "POST", f"/_dingconf/conferences/{cid}/join", {"unionId": "u-bob"}
    )
    assert (status, body["code"]) == (400, "resourceClose")
    status, _, body = server.request(
        "POST", f"/_dingconf/conferences/{cid}/leave", {"unionId": "u-alice"}
    )
    assert (status, body["code"]) == (400, "resourceClose")
    after = conf_info(server, token, cid)
    assert (after["activeNum"], after["attendNum"]) == (0, 1)


def test_join_unknown_meeting(server):
    status, _, body = server.request(
        "POST", "/_dingconf/conferences/6323d7568777190142ab9d10/join", {"unionId": "u"}
    )
    assert (status, body["code"]) == (404, "roomNotFound")


def test_durations_follow_the_clock(fresh_server: DingconfServer):
    token = fresh_server.token("acme-app", "acme-secret")
    cid = new_meeting(fresh_server, token)
    fresh_server.participants.join(cid, "u-alice")
    fresh_server.clock.advance(60_000)
    fresh_server.participants.leave(cid, "u-alice")
    fresh_server.participants.join(cid, "u-alice")
    fresh_server.clock.advance(30_000)
    fresh_server.request(
        "DELETE",
        f"/v1.0/conference/videoConferences/{cid}?unionId=u-host",
        headers={"x-acs-dingtalk-access-token": token},
    )
    _, _, body = fresh_server.request("GET", f"/_dingconf/conferences/{cid}/participants")
    # 90 s of clock moves, plus the milliseconds the requests themselves took.
    alice = next(p for p in body["participants"] if p["unionId"] == "u-alice")
    assert 90_000 <= alice["duration"] < 95_000
    assert conf_info(fresh_server, token, cid)["confDuration"] >= 90_000
    status, _, body = fresh_server.request("POST", "/_dingconf/clock", {"advanceMs": -1})
    assert (status, body["code"]) == (400, "paramError")


def test_admin_token_protects_the_control_api(tmp_path, database_url):
    server = DingconfServer(
        tmp_path, seed={}, database=database_url, admin_token="s3cret-admin"
    ).start()
    try:
        with httpx.Client(base_url=server.url) as http:
            assert http.get("/_dingconf/clock").status_code == 400
            assert (
                http.get("/_dingconf/clock", headers={"x-dingconf-admin-token": "wrong"}).json()[
                    "code"
                ]
                == "InvalidAuthentication"
            )
            ok = http.get("/_dingconf/clock", headers={"x-dingconf-admin-token": "s3cret-admin"})
            assert ok.status_code == 200 and isinstance(ok.json()["now"], int)
            # Health stays open for load balancers.
            assert http.get("/_dingconf/health").json() == {"status": "ok"}
        # The plugin hands the token over in the environment, not as an argument.
        assert not command_lines_holding("s3cret-admin")
    finally:
        server.stop()
    assert "s3cret-admin" not in server.log()


def command_lines_holding(text: str) -> list[str]:
    """The command lines in the process list (``ps``'s source) that hold ``text``."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended meanwhile
            continue
        if text in line:
            found.append(line)
    return found


def test_the_admin_token_can_come_from_a_file(tmp_path):
    secret = tmp_path / "admin-token"
    secret.write_text("from-a-file-4u\n", encoding="utf-8")
    server = DingconfServer(
        tmp_path, seed={}, extra_args=("--admin-token-file", str(secret))
    ).start()
    try:
        with httpx.Client(base_url=server.url) as http:
            assert http.get("/_dingconf/clock").status_code == 400
            given = {"x-dingconf-admin-token": "from-a-file-4u"}
            assert http.get("/_dingconf/clock", headers=given).status_code == 200
        assert not command_lines_holding("from-a-file-4u")
    finally:
        server.stop()


def test_participants_are_those_who_joined_not_those_only_invited(server, token):
    status, _, body = server.request(
        "POST",
        "/v1.0/conference/videoConferences",
        {"userId": "u-host", "confTitle": "t", "inviteUserIds": ["u-carol"]},
        {"x-acs-dingtalk-access-token": token},
    )
    assert status == 200, body
    cid = body["conferenceId"]
    server.participants.join(cid, "u-bob")
    _, _, body = server.request("GET", f"/_dingconf/conferences/{cid}/participants")
    assert [p["unionId"] for p in body["participants"]] == ["u-bob"]
    assert conf_info(server, token, cid)["invitedNum"] == 1


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        # All of 127.0.0.0/8 and ::1: the kernel never routes them off the machine.
        ("127.0.0.2", True),
        ("::1", True),
        ("localhost", True),
        # Names that merely look like loopback resolve wherever their owner likes.
        ("127.0.0.1.nip.io", False),
        ("127.example.com", False),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
    ],
)
def test_which_binds_open_the_control_api_without_a_token(host, loopback):
    assert Settings(host=host).is_loopback is loopback
