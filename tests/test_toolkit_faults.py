"""Fault rules and DingTalk's QPS limit, as the official SDK meets them; token
revocation over the control API."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alibabacloud_dingtalk.conference_1_0 import models as m
from alibabacloud_dingtalk.conference_1_0.client import Client as ConferenceClient
from alibabacloud_dingtalk.oauth2_1_0 import models as om
from alibabacloud_dingtalk.oauth2_1_0.client import Client as OAuthClient
from Tea.exceptions import TeaException

from dingconf.control.faults import QPS_CODE, QPS_MESSAGE
from dingconf.testing.plugin import DingconfServer
from in_process_server import InProcessServer

from conftest import RUNTIME, sdk_config
from sdk_errors import assert_sdk_error, sdk_error

QPS_TEXT = "您的企业应用调用钉钉开放平台当前接口的所有请求都被暂时禁用了"


@pytest.fixture
def server(module_server: DingconfServer) -> Iterator[DingconfServer]:
    """The module's server with no fault rule and no QPS limit left behind."""
    yield module_server
    module_server.faults.clear()
    module_server.faults.set_qps_limit(0)


@pytest.fixture(scope="module")
def conf(module_server: DingconfServer) -> ConferenceClient:
    return ConferenceClient(sdk_config(module_server))


@pytest.fixture(scope="module")
def oauth(module_server: DingconfServer) -> OAuthClient:
    return OAuthClient(sdk_config(module_server))


def _token(oauth: OAuthClient, key: str = "acme-app", secret: str = "acme-secret") -> str:
    request = om.GetAccessTokenRequest(app_key=key, app_secret=secret)
    return oauth.get_access_token(request).body.access_token


@pytest.fixture(scope="module")
def cid(oauth: OAuthClient, conf: ConferenceClient) -> str:
    """An Acme meeting to query."""
    resp = conf.create_video_conference_with_options(
        m.CreateVideoConferenceRequest(user_id="u-host", conf_title="Faulty"),
        m.CreateVideoConferenceHeaders(x_acs_dingtalk_access_token=_token(oauth)),
        RUNTIME,
    )
    return resp.body.conference_id


def _query(conf: ConferenceClient, token: str, cid: str) -> m.QueryConferenceInfoResponse:
    headers = m.QueryConferenceInfoHeaders(x_acs_dingtalk_access_token=token)
    return conf.query_conference_info_with_options(cid, headers, RUNTIME)


def test_a_system_error_reaches_the_sdk_then_is_cleared(server, oauth, conf, cid):
    token = _token(oauth)
    rule = server.faults.add("QueryConferenceInfo", code="systemError", message="SYSTEM ERROR")
    assert (rule["status"], rule["code"], rule["hits"], rule["probability"]) == (
        500,
        "systemError",
        0,
        1.0,
    )
    error = assert_sdk_error(lambda: _query(conf, token, cid), 500, "systemError")
    assert error.data["message"] == "SYSTEM ERROR"
    assert error.statusCode == 500
    (listed,) = server.faults()
    assert (listed["id"], listed["hits"]) == (rule["id"], 1)
    assert server.faults.clear() == 1
    assert _query(conf, token, cid).body.conf_info.conference_id == cid
    failed = [e for e in server.journal("QueryConferenceInfo") if e["status"] == 500]
    assert failed[0]["response"]["code"] == "systemError"  # the journal saw it too


def test_any_status_code_and_message_with_dingtalks_error_body(server, oauth, cid):
    token = _token(oauth)
    server.faults.add(status=429, code="systemBusy", message="请求太频繁", times=1)
    with httpx.Client(base_url=server.url) as client:
        first = client.get(
            f"/v1.0/conference/videoConferences/{cid}",
            headers={"x-acs-dingtalk-access-token": token},
        )
        second = client.get(
            f"/v1.0/conference/videoConferences/{cid}",
            headers={"x-acs-dingtalk-access-token": token},
        )
    assert first.status_code == 429
    assert first.headers["content-type"] == "application/json;charset=utf-8"
    body = first.json()
    assert body == {
        "code": "systemBusy",
        "message": "请求太频繁",
        "requestid": first.headers["x-acs-request-id"],
    }
    assert second.status_code == 200
    assert server.faults() == []  # spent after its one call


def test_the_first_n_calls_fail(server, oauth, conf, cid):
    token = _token(oauth)
    server.faults.add("QueryConferenceInfo", code="systemError", times=2)
    assert_sdk_error(lambda: _query(conf, token, cid), 500, "systemError")
    (rule,) = server.faults()
    assert (rule["hits"], rule["remaining"]) == (1, 1)
    assert_sdk_error(lambda: _query(conf, token, cid), 500, "systemError")
    assert _query(conf, token, cid).status_code == 200
    assert server.faults() == []


def test_rules_pick_calls_by_action_org_and_app(server, oauth, conf, cid):
    acme, reader = _token(oauth), _token(oauth, "acme-reader", "reader-secret")
    globex = _token(oauth, "globex-app", "globex-secret")
    server.faults.add(app_key="acme-reader", code="systemError")
    server.faults.add("CloseVideoConference", code="systemError")
    server.faults.add(corp_id="dingglobex", code="globexDown", status=503)
    assert _query(conf, acme, cid).status_code == 200  # neither its app, action nor org
    assert_sdk_error(lambda: _query(conf, reader, cid), 500, "systemError")
    assert_sdk_error(lambda: _query(conf, globex, cid), 503, "globexDown")
    # Token requests have no caller yet: a rule naming an org or app never picks them.
    assert _token(oauth, "acme-reader", "reader-secret") == reader
    # The control API is never faulted, even by a rule matching every call.
    server.faults.add(code="systemError")
    assert server.clock.advance(0) > 0


def test_a_rule_expires_by_the_server_clock(server, oauth, conf, cid):
    token = _token(oauth)
    now = server.clock.advance(0)
    rule = server.faults.add("QueryConferenceInfo", code="systemError", ttl_ms=60_000)
    assert now + 60_000 <= rule["expiresAt"] <= server.clock.advance(0) + 60_000
    assert_sdk_error(lambda: _query(conf, token, cid), 500, "systemError")
    server.clock.advance(60_000)
    assert _query(conf, token, cid).status_code == 200
    assert server.faults() == []
    at = server.faults.add("QueryConferenceInfo", code="x", expires_at=now)  # already past
    assert at["expiresAt"] == now
    assert _query(conf, token, cid).status_code == 200


def test_a_probability_is_repeatable_with_its_seed(server, oauth, conf, cid):
    token = _token(oauth)

    def pattern() -> list[str]:
        rule = server.faults.add("QueryConferenceInfo", code="flaky", probability=0.5, seed=7)
        seen = []
        for _ in range(16):
            try:
                _query(conf, token, cid)
                seen.append("ok")
            except TeaException as error:
                seen.append(error.code)
        server.faults.remove(rule["id"])
        return seen

    first, second = pattern(), pattern()
    assert first == second
    assert set(first) == {"ok", "flaky"}


def test_added_latency(server, oauth, conf, cid):
    token = _token(oauth)
    with server.faults.injected("QueryConferenceInfo", latency_ms=400):
        started = time.monotonic()
        assert _query(conf, token, cid).status_code == 200
        # Only a lower bound: a loaded machine may add any delay of its own.
        assert time.monotonic() - started >= 0.4
    assert server.faults() == []


def test_a_dropped_connection(server, oauth, conf, cid):
    token = _token(oauth)
    server.faults.add("QueryConferenceInfo", drop=True, times=1)
    # The SDK reads a broken reply, not a DingTalk error: no code, no status.
    error = sdk_error(lambda: _query(conf, token, cid))
    assert error.code is None and error.data is None
    assert "Connection broken" in str(error.message)
    with httpx.Client(base_url=server.url) as client:
        server.faults.add("QueryConferenceInfo", drop=True, times=1)
        with pytest.raises(httpx.TransportError):
            client.get(
                f"/v1.0/conference/videoConferences/{cid}",
                headers={"x-acs-dingtalk-access-token": token},
            )
    dropped = [e for e in server.journal("QueryConferenceInfo") if e.get("dropped")]
    assert len(dropped) >= 2 and all(e["status"] == 0 for e in dropped)
    assert _query(conf, token, cid).status_code == 200


def test_malformed_rules_are_refused(server):
    for body in (
        {},  # does nothing
        {"action": "QueryConferenceInfo"},
        {"status": 500},  # a status without a code
        {"code": "x", "probability": 2},
        {"code": "x", "status": 200},
        {"code": "x", "times": 0},
        {"latencyMs": -1},
        {"drop": "yes"},
    ):
        status, _, reply = server.request("POST", "/_dingconf/faults", body)
        assert (status, reply["code"]) == (400, "paramError"), body
    status, _, reply = server.request("DELETE", "/_dingconf/faults/fault-999")
    assert (status, reply["code"]) == (404, "faultNotFound")
    rule = server.faults.add(code="x")
    status, _, reply = server.request("DELETE", f"/_dingconf/faults/{rule['id']}")
    assert (status, reply) == (200, {"success": True})
    assert server.faults() == []


def _burst(server: DingconfServer, token: str, cid: str, calls: int) -> list[int]:
    with httpx.Client(base_url=server.url) as client:
        return [
            client.get(
                f"/v1.0/conference/videoConferences/{cid}",
                headers={"x-acs-dingtalk-access-token": token},
            ).status_code
            for _ in range(calls)
        ]


def test_dingtalks_qps_limit_refuses_the_21st_call_in_a_second(server, oauth, conf, cid):
    token = _token(oauth)
    reader = _token(oauth, "acme-reader", "reader-secret")
    assert _burst(server, token, cid, 25) == [200] * 25  # off by default
    assert server.faults.set_qps_limit() == 20
    # DingTalk counts each second of the server clock: stand it still at the
    # start of one, so the 21 calls fall in it however slow the machine is.
    now = server.clock.move(freeze=True)
    server.clock.move(set_ms=now - now % 1000 + 1000)
    try:
        assert _burst(server, token, cid, 20) == [200] * 20
        error = assert_sdk_error(lambda: _query(conf, token, cid), 403, QPS_CODE)
        assert error.data["message"] == QPS_MESSAGE == QPS_TEXT
        assert QPS_CODE == "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"
        # Per app and per API: another app still passes; the same API does not.
        assert _query(conf, reader, cid).status_code == 200
        assert sdk_error(lambda: _query(conf, token, "f" * 24)).code == QPS_CODE
        server.clock.advance(1000)  # a second later the app may call again
        assert _query(conf, token, cid).status_code == 200
    finally:
        server.clock.move(freeze=False)
    assert server.faults.set_qps_limit(0) == 0
    assert _burst(server, token, cid, 25) == [200] * 25


def test_the_qps_limit_flag(tmp_path: Path):
    """``--qps-limit`` alone is DingTalk's 20; the limit lives in memory, so one backend does."""
    seed = {"orgs": [{"corpId": "dingacme", "apps": [{"appKey": "a", "appSecret": "s"}]}]}
    srv = DingconfServer(tmp_path, seed=seed, extra_args=("--qps-limit",)).start()
    try:
        assert srv.request("GET", "/_dingconf/qpsLimit")[2] == {"qps": 20}
        status, _, reply = srv.request("POST", "/_dingconf/qpsLimit", {"qps": -1})
        assert (status, reply["code"]) == (400, "paramError")
    finally:
        srv.stop()


def test_revoking_an_apps_tokens_over_http(server, oauth, conf, cid):
    writer = _token(oauth, "acme-writer", "writer-secret")
    other = _token(oauth)
    assert server.revoke_tokens("acme-writer") == 1
    assert_sdk_error(lambda: _query(conf, writer, cid), 400, "InvalidAuthentication")
    assert _query(conf, other, cid).status_code == 200  # other apps keep theirs
    assert server.revoke_tokens("acme-writer") == 0
    fresh = _token(oauth, "acme-writer", "writer-secret")
    assert fresh != writer
    status, _, reply = server.request("POST", "/_dingconf/apps/no-such-app/revokeTokens")
    assert (status, reply["code"]) == (404, "appNotFound")


def test_the_toolkit_needs_the_admin_token_when_one_is_set(tmp_path: Path):
    seed = {"orgs": [{"corpId": "dingacme", "apps": [{"appKey": "a", "appSecret": "s"}]}]}
    srv = InProcessServer(tmp_path, seed=seed, admin_token="adm1n").start()
    try:
        with httpx.Client(base_url=srv.url) as client:
            for method, path in (
                ("GET", "/_dingconf/journal"),
                ("DELETE", "/_dingconf/journal"),
                ("POST", "/_dingconf/faults"),
                ("DELETE", "/_dingconf/faults"),
                ("POST", "/_dingconf/qpsLimit"),
                ("POST", "/_dingconf/apps/a/revokeTokens"),
            ):
                reply = client.request(method, path, json={"qps": 1, "code": "x"})
                assert (reply.status_code, reply.json()["code"]) == (
                    400,
                    "InvalidAuthentication",
                ), path
        assert srv.revoke_tokens("a") == 0  # with the token (the helper sends it)
    finally:
        srv.stop()
