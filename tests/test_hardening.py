"""Hostile input, oversized and slow bodies, and the open control API, on both backends.

Every case checks the answer is DingTalk's JSON with a 4xx status and that
nothing stored changed.
"""

import json
import socket

import httpx
import pytest

from dingconf.core.config import InputLimits
from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer
from over_http import TOKEN_HEADER, conf_info, new_meeting

VIDEO = "/v1.0/conference/videoConferences"
INT64_MAX = 2**63 - 1


def org_meetings(http: httpx.Client, token: str) -> int:
    """How many meetings are running in Acme (the state a hostile write must not move)."""
    resp = http.get(
        "/v1.0/conference/orgConferences",
        params={"maxResults": 1000},
        headers={TOKEN_HEADER: token},
    )
    assert resp.status_code == 200
    return int(resp.json()["totalCount"])


def assert_ding_4xx(resp: httpx.Response, status: int, code: str | None = None) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) >= {"code", "message", "requestid"}
    if code is not None:
        assert body["code"] == code, body


def post_raw(http: httpx.Client, token: str, path: str, raw: bytes) -> httpx.Response:
    return http.post(
        path, content=raw, headers={TOKEN_HEADER: token, "content-type": "application/json"}
    )


HOSTILE_BODIES = {
    "not UTF-8": (b'{"userId":"u-host","confTitle":"\xff\xfe"}', "Missingbody"),
    "nested 100,000 deep": (
        b'{"userId":"u-host","confTitle":"x","inviteUserIds":'
        + b"[" * 100_000
        + b"]" * 100_000
        + b"}",
        None,
    ),
    "a JSON array": (b"[1, 2, 3]", "Missingbody"),
    "NUL in the title": (b'{"userId":"u-host","confTitle":"a\\u0000b"}', "paramsError"),
    "NUL in an id": (b'{"userId":"u-h\\u0000ost","confTitle":"x"}', "paramsError"),
    "a 1 MB id": (
        b'{"userId":"' + b"u" * 1_000_000 + b'","confTitle":"x"}',
        None,
    ),
    "a 200-character id": (b'{"userId":"' + b"u" * 200 + b'","confTitle":"x"}', "paramsError"),
    "5,000 invitees": (
        b'{"userId":"u-host","confTitle":"x","inviteUserIds":['
        + b",".join(b'"u-alice"' for _ in range(5000))
        + b"]}",
        "paramsError",
    ),
    "an integer past 2^63": (
        b'{"userId":"u-host","confTitle":"x","n":99999999999999999999999}',
        "paramsError",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_BODIES), ids=list(HOSTILE_BODIES))
def test_hostile_bodies_get_a_4xx_and_change_nothing(http, token, case):
    raw, code = HOSTILE_BODIES[case]
    before = org_meetings(http, token)
    resp = post_raw(http, token, VIDEO, raw)
    assert 400 <= resp.status_code < 500, resp.text
    assert_ding_4xx(resp, resp.status_code, code)
    assert org_meetings(http, token) == before


@pytest.mark.parametrize(
    "times",
    [(2**63, 2**63 + 1), (1e20, 1e20 + 1), (INT64_MAX, -1)],
    ids=["past 2^63", "1e20", "negative end"],
)
def test_booking_times_out_of_range_are_refused(http, token, times):
    start, end = times
    resp = http.post(
        "/v1.0/conference/scheduleConferences",
        json={"creatorUnionId": "u-host", "title": "t", "startTime": start, "endTime": end},
        headers={TOKEN_HEADER: token},
    )
    assert 400 <= resp.status_code < 500, resp.text
    assert resp.json()["code"] != "systemError"


@pytest.mark.parametrize(
    "params",
    [
        {"nextToken": "²"},
        {"nextToken": "9" * 5000},
        {"maxResults": "9" * 30},
        {"maxResults": "١٢"},  # Arabic-Indic digits: int() takes them, DingTalk would not
        {"nextToken": "20.12.not-a-conference-id"},
        {"nextToken": "20.²."},
    ],
    ids=[
        "superscript token",
        "5000-digit token",
        "30-digit maxResults",
        "non-ASCII digits",
        "bad position",
        "bad start",
    ],
)
def test_malformed_paging_is_a_param_error(http, token, params):
    resp = http.get("/v1.0/conference/orgConferences", params=params, headers={TOKEN_HEADER: token})
    assert_ding_4xx(resp, 400, "paramError")


def test_a_huge_max_results_is_capped(http, token):
    resp = http.get(
        "/v1.0/conference/orgConferences",
        params={"maxResults": 10**9},
        headers={TOKEN_HEADER: token},
    )
    assert resp.status_code == 200
    assert len(resp.json()["onGoingConfList"]) <= 2000


@pytest.mark.parametrize(
    "params",
    [
        {"realData": "true", "startTime": "0", "endTime": "100000000000000000000"},
        {"realData": "true", "startTime": "0", "endTime": str(2**63)},
        {"realData": "true", "startTime": "0", "endTime": "1", "title": "a\x00b"},
    ],
    ids=["endTime 1e20", "endTime 2^63", "NUL in a query value"],
)
def test_history_query_values_out_of_range_are_refused(http, token, params):
    resp = http.get(f"{VIDEO}/histories/dataLists", params=params, headers={TOKEN_HEADER: token})
    assert_ding_4xx(resp, 400, "paramError")


def test_nul_in_a_path_or_query_id_is_refused(http, token):
    resp = http.get(
        "/v1.0/conference/users/lists",
        params={"unionId": "u-\x00host"},
        headers={TOKEN_HEADER: token},
    )
    assert_ding_4xx(resp, 400)
    resp = http.get("/v1.0/conference/roomCodes/12%00/infos", headers={TOKEN_HEADER: token})
    assert_ding_4xx(resp, 400)


def _send_headers_only(server: DingconfServer, path: str, length: int, token: str) -> bytes:
    """Announce a body of ``length`` bytes, send none of it, and read the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                f"{TOKEN_HEADER}: {token}\r\ncontent-type: application/json\r\n"
                f"content-length: {length}\r\n\r\n"
            ).encode()
        )
        return sock.recv(65536)


def test_a_body_over_the_limit_is_refused_before_it_is_sent(server, token):
    # 100 MB announced, nothing sent: only an answer that did not wait for
    # the body can arrive.
    answer = _send_headers_only(server, VIDEO, 100_000_000, token)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"code":"RequestEntityTooLarge"' in body


def test_a_body_streamed_past_the_limit_is_cut_off_without_growing_the_server(process_server):
    server = process_server
    token = server.token("acme-app", "acme-secret")
    rss_before = server_rss_kb(server)

    def chunks():
        for _ in range(64):  # 64 MB in 1 MB chunks, no content-length
            yield b" " * (1 << 20)

    with httpx.Client(base_url=server.url, timeout=30) as client:
        try:
            resp = client.post(
                VIDEO,
                content=chunks(),
                headers={TOKEN_HEADER: token, "content-type": "application/json"},
            )
        except httpx.HTTPError:
            resp = None  # the server may close while we are still sending
    if resp is not None:
        assert_ding_4xx(resp, 413, "RequestEntityTooLarge")
    assert server_rss_kb(server) - rss_before < 32 * 1024


def server_rss_kb(server: DingconfServer) -> int:
    """Resident memory of the server's worker processes, in KB."""
    total = 0
    for pid in server.process_tree():
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total


@pytest.fixture
def quick_server(database_url, tmp_path):
    """A server that gives bodies one second."""
    from conftest import SEED

    srv = InProcessServer(
        tmp_path, seed=SEED, database=database_url, limits=InputLimits(body_timeout_s=1)
    ).start()
    try:
        yield srv
    finally:
        srv.stop()


def test_a_body_that_trickles_in_is_cut_off(quick_server):
    token = quick_server.token("acme-app", "acme-secret")
    # No wall-clock window: a server that never cut the body off would leave
    # recv() waiting until the socket's timeout, which fails the test.
    with socket.create_connection(("127.0.0.1", quick_server.port), timeout=10) as sock:
        sock.sendall(
            (
                f"POST {VIDEO} HTTP/1.1\r\nHost: 127.0.0.1\r\n{TOKEN_HEADER}: {token}\r\n"
                "content-type: application/json\r\ncontent-length: 100\r\n\r\n{"
            ).encode()
        )
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b'"code":"RequestTimeout"' in answer


# --- the control API without an admin token -------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://evil.example", "content-type": "text/plain"},
        {"origin": "http://evil.example", "content-type": "application/json"},
        {"host": "evil.example:8080", "content-type": "application/json"},
        {"host": "127.evil.example", "content-type": "application/json"},
        {"content-type": "text/plain"},
        {"content-type": "application/x-www-form-urlencoded"},
    ],
    ids=["cross-site text", "cross-site json", "rebound host", "look-alike host", "text", "form"],
)
def test_control_calls_from_web_pages_are_refused(server, token, headers):
    cid = new_meeting(server, token)
    resp = httpx.post(
        f"{server.url}/_dingconf/conferences/{cid}/join",
        content=b'{"unionId":"u-bob"}',
        headers=headers,
    )
    assert_ding_4xx(resp, 403, "crossOriginRefused")
    assert conf_info(server, token, cid)["attendNum"] == 0


def test_control_calls_from_the_same_origin_are_served(server, token):
    cid = new_meeting(server, token)
    resp = httpx.post(
        f"{server.url}/_dingconf/conferences/{cid}/join",
        json={"unionId": "u-bob"},
        headers={"origin": server.url},
    )
    assert resp.status_code == 200, resp.text
    assert conf_info(server, token, cid)["activeNum"] == 1


@pytest.mark.parametrize("advance", [10**20, 2**62, -1, 400 * 24 * 3600 * 1000])
def test_clock_moves_are_bounded(fresh_server, advance):
    before = fresh_server.clock.advance(0)
    status, _, body = fresh_server.request("POST", "/_dingconf/clock", {"advanceMs": advance})
    assert status == 400, body
    assert body["code"] == "paramError"
    assert fresh_server.clock.advance(0) - before < 60_000
    # Tokens still work: the clock was not broken.
    assert fresh_server.token("acme-app", "acme-secret")


@pytest.mark.parametrize(
    "hosts",
    [["127.0.0.1"], ["127.0.0.1", "127.0.0.1"], ["127.0.0.1", "evil.example"], []],
    ids=["one", "two alike", "two apart", "none"],
)
def test_a_request_carries_exactly_one_host(server, hosts):
    """RFC 9112 §3.2: two Host headers (or none in HTTP/1.1) get a 400."""
    lines = "".join(f"Host: {h}:{server.port}\r\n" for h in hosts)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(f"GET /_dingconf/health HTTP/1.1\r\n{lines}Connection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    if len(hosts) == 1:
        assert status == 200, answer
        return
    assert status == 400, answer
    body = json.loads(answer.split(b"\r\n\r\n", 1)[1] or b"{}")
    assert body["code"] == "InvalidHost" and set(body) >= {"code", "message", "requestid"}
